// The imported `progress` interface (wit/sqlite.wit) as a plain C++ call: what a connection's
// sqlite3_progress_handler callback asks.
#pragma once

#include <cstdint>

namespace progress_import {

// Whether the host wants the running statement of progress handler `id` interrupted.
bool check(uint32_t id);

}  // namespace progress_import
