// User-defined functions, aggregates and window functions whose bodies live in the host:
// SQLite's callbacks pack their arguments and call the `functions` import (wit/sqlite.wit).
#pragma once

#include <cstdint>
#include <string_view>

#include "sqlite/error.h"

struct sqlite3;

namespace sqlite_component {

// SQLITE_DETERMINISTIC and SQLITE_DIRECTONLY, as the WIT `function-flags` carry them.
struct FunctionFlags {
  bool deterministic;
  bool direct_only;
};

bool create_function(sqlite3* db, std::string_view name, uint32_t id, int arity, FunctionFlags flags,
                     Error& error);
bool create_aggregate(sqlite3* db, std::string_view name, uint32_t id, int arity, FunctionFlags flags,
                      bool window, Error& error);

}  // namespace sqlite_component
