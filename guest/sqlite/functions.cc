#include "sqlite/functions.h"

#include <cstdint>
#include <string>

#include "abi/functions_import.h"
#include "sqlite/packed.h"
#include "sqlite3.h"

namespace sqlite_component {

namespace {

// The arguments of the call in progress. Calls never nest: while the host runs one, it may
// not call into this instance (wit/sqlite.wit, `functions`).
PackedWriter arguments;
// Names one evaluation of an aggregate for the host; 0 is never used.
uint32_t last_group = 0;

uint32_t id_of(sqlite3_context* context) {
  return *static_cast<uint32_t*>(sqlite3_user_data(context));
}

bool in_transaction(sqlite3_context* context) { return !sqlite3_get_autocommit(sqlite3_context_db_handle(context)); }

bool pack_arguments(sqlite3_context* context, int argc, sqlite3_value** argv) {
  arguments.clear();
  if (arguments.append_values(argc, argv)) return true;
  arguments.release();
  sqlite3_result_error_nomem(context);
  return false;
}

// The host's answer as the function's result; its failure becomes the statement's error.
void deliver(sqlite3_context* context, const functions_import::Answer& answer) {
  if (!answer.ok) {
    sqlite3_result_error(context, reinterpret_cast<const char*>(answer.bytes.data()),
                         static_cast<int>(answer.bytes.size()));
  } else if (!result_cell(context, answer.bytes.data(), answer.bytes.size())) {
    sqlite3_result_error(context, "the host returned a malformed value", -1);
  }
}

// The aggregate's group, numbered on its first use; 0 if SQLite is out of memory.
uint32_t group_of(sqlite3_context* context) {
  auto* group = static_cast<uint32_t*>(sqlite3_aggregate_context(context, sizeof(uint32_t)));
  if (!group) {
    sqlite3_result_error_nomem(context);
    return 0;
  }
  if (*group == 0) {
    if (++last_group == 0) ++last_group;
    *group = last_group;
  }
  return *group;
}

void call(sqlite3_context* context, int argc, sqlite3_value** argv) {
  if (!pack_arguments(context, argc, argv)) return;
  deliver(context, functions_import::call(id_of(context), arguments.data(), arguments.size(), in_transaction(context)));
}

void step_or_inverse(sqlite3_context* context, int argc, sqlite3_value** argv, bool inverse) {
  uint32_t group = group_of(context);
  if (!group || !pack_arguments(context, argc, argv)) return;
  auto answer = functions_import::step(id_of(context), group, arguments.data(), arguments.size(), inverse,
                                       in_transaction(context));
  if (!answer.ok) {
    sqlite3_result_error(context, reinterpret_cast<const char*>(answer.bytes.data()),
                         static_cast<int>(answer.bytes.size()));
  }
}

void step(sqlite3_context* context, int argc, sqlite3_value** argv) {
  step_or_inverse(context, argc, argv, false);
}

void inverse(sqlite3_context* context, int argc, sqlite3_value** argv) {
  step_or_inverse(context, argc, argv, true);
}

void value_or_final(sqlite3_context* context, bool final) {
  uint32_t group = group_of(context);
  if (!group) return;
  deliver(context, functions_import::value(id_of(context), group, final, in_transaction(context)));
}

void value(sqlite3_context* context) { value_or_final(context, false); }

void final(sqlite3_context* context) { value_or_final(context, true); }

void destroy(void* id) { delete static_cast<uint32_t*>(id); }

int text_flags(FunctionFlags flags) {
  return SQLITE_UTF8 | (flags.deterministic ? SQLITE_DETERMINISTIC : 0) |
         (flags.direct_only ? SQLITE_DIRECTONLY : 0);
}

}  // namespace

bool create_function(sqlite3* db, std::string_view name, uint32_t id, int arity, FunctionFlags flags,
                     Error& error) {
  std::string zname(name);
  // On failure SQLite calls destroy itself.
  int rc = sqlite3_create_function_v2(db, zname.c_str(), arity, text_flags(flags), new uint32_t(id),
                                      call, nullptr, nullptr, destroy);
  if (rc != SQLITE_OK) return error = error_from(db), false;
  return true;
}

bool create_aggregate(sqlite3* db, std::string_view name, uint32_t id, int arity, FunctionFlags flags,
                      bool window, Error& error) {
  std::string zname(name);
  int rc = sqlite3_create_window_function(db, zname.c_str(), arity, text_flags(flags), new uint32_t(id),
                                          step, final, window ? value : nullptr,
                                          window ? inverse : nullptr, destroy);
  if (rc != SQLITE_OK) return error = error_from(db), false;
  return true;
}

}  // namespace sqlite_component
