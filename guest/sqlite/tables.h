// Virtual table modules whose rows come from the host (the `tables` import): SQLite's vtab
// methods plan queries here and fetch one packed row per xNext.
#pragma once

#include <cstdint>
#include <string_view>

#include "sqlite/error.h"

struct sqlite3;

namespace sqlite_component {

bool create_module(sqlite3* db, std::string_view name, uint32_t id, bool eponymous, Error& error);

}  // namespace sqlite_component
