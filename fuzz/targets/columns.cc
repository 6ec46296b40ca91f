// Fuzz target `columns`: the input is SQL that builds a schema, run through Connection::exec.
// Then every table and view is queried for the column metadata `statement.columns` hands the
// host (names, origin table and column, declared types), and the database is copied by online
// backups (sqlite/backup.cc): one run to the end and checked, one abandoned at once, one left
// running for the connection's close to finish — the last two must leave no file behind.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "harness.h"
#include "host/host.h"
#include "sqlite/backup.h"
#include "sqlite3.h"

using sqlite_component::Backup;
using sqlite_component::BackupProgress;
using sqlite_component::Connection;
using sqlite_component::Error;

namespace {

constexpr int kMaxBackupSteps = 1000;

void copy_to(Connection* db, const char* filename) {
  Error error;
  Backup* backup = Backup::start(db, "main", filename, fuzz::kVfs, error);
  if (!backup) return;
  BackupProgress progress{};
  for (int i = 0; i < kMaxBackupSteps && backup->step(5, progress, error) && !progress.done; i++) {}
  backup->finish(false, error);
  delete backup;
  if (auto* copy = fuzz::open(filename, SQLITE_OPEN_READWRITE)) {
    fuzz::run_statements(copy, "PRAGMA quick_check; SELECT * FROM sqlite_schema;");
    fuzz::close(copy);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Connection* db = fuzz::open("main.db", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  fuzz::check(db != nullptr, "a new database would not open");
  Error error;
  db->exec(std::string_view(reinterpret_cast<const char*>(data), size), error);

  fuzz::refill_progress_budget();
  std::string queries = fuzz::first_text(db,
      "SELECT group_concat(printf('SELECT * FROM \"%w\"; SELECT rowid, * FROM \"%w\";', name, name), ' ') "
      "FROM (SELECT name FROM sqlite_schema WHERE type IN ('table', 'view') LIMIT 8)");
  fuzz::run_statements(db, queries);

  fuzz::refill_progress_budget();
  copy_to(db, "copy.db");

  // Abandoned before its first step: the file it made goes with it (a file the SQL made stays).
  bool existed = fuzz_host::file_exists("abandoned.db");
  if (Backup* abandoned = Backup::start(db, "temp", "abandoned.db", fuzz::kVfs, error)) {
    abandoned->finish(true, error);
    delete abandoned;
  }
  fuzz::check(existed || !fuzz_host::file_exists("abandoned.db"), "an abandoned backup left its file");

  // Left running: closing the source finishes it, and discards what it made.
  existed = fuzz_host::file_exists("running.db");
  Backup* running = Backup::start(db, "main", "running.db", fuzz::kVfs, error);
  BackupProgress progress{};
  if (running) running->step(1, progress, error);
  fuzz::close(db);
  delete running;
  fuzz::check(existed || !fuzz_host::file_exists("running.db"), "a backup finished by close left its file");

  fuzz::end_input();
  return 0;
}
