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

// `in_transaction`: the connection is not in autocommit mode as the callback runs.
Answer call(uint32_t id, const uint8_t* args, size_t size, bool in_transaction);
Answer step(uint32_t id, uint32_t group, const uint8_t* args, size_t size, bool inverse, bool in_transaction);
Answer value(uint32_t id, uint32_t group, bool final, bool in_transaction);

}  // namespace functions_import
