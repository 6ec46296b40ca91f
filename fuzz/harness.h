// What every fuzz target shares: connections opened through the guest's Connection as the
// component's host opens them (limits, a progress budget, user functions and virtual tables of
// the stand-in host), SQL run through Statement the way guest/abi/exports.cc hands rows out,
// and the checks that each input left nothing open behind it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "sqlite/connection.h"
#include "sqlite/host_bytes.h"
#include "sqlite/statement.h"

namespace fuzz {

// The VFS name the guest registers for host/memory_vfs.cc.
constexpr const char* kVfs = "fuzz";

// Reports a broken expectation and aborts, so that libFuzzer keeps the input.
[[noreturn]] void fail(const char* what);
inline void check(bool ok, const char* what) {
  if (!ok) fail(what);
}

// Opens `filename` (SQLITE_OPEN_* `flags`) on the in-memory VFS with every target's limits and
// registrations; nullptr if SQLite refuses it. Also gives the input its progress budget.
sqlite_component::Connection* open(const char* filename, int flags);
// Restores the progress budget, for a target that runs several phases on one input.
void refill_progress_budget();

// Steps `statement` to its end in batches, as the host reads rows, checking every batch's
// packed cells. False if a step failed.
bool step_all(sqlite_component::Statement* statement, std::optional<sqlite_component::HostBytes> parameters);
// Prepares each statement of `sql` in turn (describing it as `prepare` does for the host) and
// runs it, as step_all or as a single `run`; a statement that fails to prepare is skipped to
// the next ';'. Some statements are left for close() to finalize, as the host may leave them.
// With several connections, statement n goes to dbs[n % count].
void run_statements(std::span<sqlite_component::Connection* const> dbs, std::string_view sql);
inline void run_statements(sqlite_component::Connection* db, std::string_view sql) {
  run_statements(std::span<sqlite_component::Connection* const>(&db, 1), sql);
}
// Runs `sql` and answers the first column of its first row as text; "" if none.
std::string first_text(sqlite_component::Connection* db, std::string_view sql);

// Closes `db` and deletes it, then the statements run_statements left behind it (their
// finalize already happened at close). A connection that will not close is a bug.
void close(sqlite_component::Connection* db);
// Checks that the input closed every file, table and scan it opened, then forgets its files,
// user-function state and random sequence so that the next input starts alike.
void end_input();

}  // namespace fuzz
