// The imported `functions` interface (wit/sqlite.wit) as plain C++ calls: what
// sqlite/functions.cc forwards SQLite's user-function callbacks to.
#pragma once

#include <cstddef>
#include <cstdint>

#include "sqlite/host_bytes.h"

namespace functions_import {

// What the host answered: `ok` with a packed cell (for call and value; empty for step), or
// the failure's message, UTF-8, not NUL-terminated. Either lives in memory the host allocated.
struct Answer {
  bool ok;
  sqlite_component::HostBytes bytes;
};

Answer call(uint32_t id, const uint8_t* args, size_t size);
Answer step(uint32_t id, uint32_t group, const uint8_t* args, size_t size, bool inverse);
Answer value(uint32_t id, uint32_t group, bool final);

}  // namespace functions_import
