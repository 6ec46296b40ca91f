#include "harness.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "host/host.h"
#include "sqlite/packed.h"
#include "sqlite3.h"

using sqlite_component::Connection;
using sqlite_component::Error;
using sqlite_component::HostBytes;
using sqlite_component::Rows;
using sqlite_component::Statement;

// -DFUZZ_TRACE prints each statement and how it ended, to see what a reproducer does.
#ifdef FUZZ_TRACE
#define TRACE(...) fprintf(stderr, __VA_ARGS__)
#else
#define TRACE(...) ((void)0)
#endif

namespace fuzz {

namespace {

// Bounds on one input, so that what would run for minutes or fill the machine ends as an
// SQLite error (SQLITE_INTERRUPT, SQLITE_TOOBIG, SQLITE_NOMEM) rather than as a libFuzzer
// timeout or out-of-memory report, which would bury real findings.
constexpr uint32_t kProgressId = 7;
constexpr int kProgressSteps = 100;         // virtual-machine steps between checks
constexpr int64_t kProgressChecks = 2500;  // 250,000 steps per input (or phase), ~0.1 s here
constexpr sqlite3_int64 kHeapLimit = 128 << 20;
constexpr int kMaxStatements = 64;
// Small batches, so that a query's rows come out over several step_many calls.
constexpr uint32_t kBatchBytes = 4096;

// Statements run_statements leaves open for Connection::close to finalize, with their connection.
std::vector<std::pair<Connection*, Statement*>> left_open;

void setup_once() {
  static bool done = false;
  if (done) return;
  done = true;
  // The hard heap limit needs memory statistics, which the component's build turns off by
  // default (SQLITE_DEFAULT_MEMSTATUS=0) to save their bookkeeping.
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 1);
  check(sqlite3_initialize() == SQLITE_OK, "sqlite3_initialize");
  sqlite3_hard_heap_limit64(kHeapLimit);
}

void register_host(Connection* db) {
  using namespace fuzz_host;
  Error error;
  sqlite_component::FunctionFlags deterministic{true, false}, plain{false, false};
  bool ok = db->create_function("fz_echo", kEcho, -1, deterministic, error) &&
            db->create_function("fz_fail", kFail, -1, plain, error) &&
            db->create_function("fz_answer", kAnswer, 0, plain, error) &&
            db->create_function("fz_cell", kAnswerCell, 1, deterministic, error) &&
            db->create_aggregate("fz_count", kCount, -1, plain, true, error) &&
            db->create_aggregate("fz_fail_step", kFailStep, -1, plain, false, error) &&
            db->create_module("fz_series", kSeries, true, error) &&
            db->create_module("fz_broken", kBroken, false, error);
  check(ok, "registering the host's functions and tables");
}

// A batch must split into exactly one cell per column of each row.
void check_rows(const Rows& rows) {
  std::vector<std::pair<const uint8_t*, size_t>> cells;
  check(sqlite_component::split_cells(rows.cells, rows.cells_size, cells), "step_many packed a malformed batch");
  check(cells.size() == size_t(rows.row_count) * rows.column_count, "step_many packed the wrong number of cells");
}

// Where the statement that failed to prepare at the start of `sql` may end.
size_t skip_statement(std::string_view sql) {
  size_t semicolon = sql.find(';');
  return semicolon == std::string_view::npos ? sql.size() : semicolon + 1;
}

}  // namespace

void fail(const char* what) {
  fprintf(stderr, "fuzz: %s\n", what);
  abort();
}

Connection* open(const char* filename, int flags) {
  setup_once();
  Error error;
  Connection* db = Connection::open(filename, kVfs, flags, error);
  if (!db) return nullptr;
  db->limit(SQLITE_LIMIT_LENGTH, 1000000);
  db->limit(SQLITE_LIMIT_SQL_LENGTH, 100000);
  // What the package sets for every connection (see db.limit in the README).
  db->limit(SQLITE_LIMIT_LIKE_PATTERN_LENGTH, 4000);
  db->progress_handler(kProgressId, kProgressSteps);
  refill_progress_budget();
  register_host(db);
  return db;
}

void refill_progress_budget() { fuzz_host::set_progress_budget(kProgressId, kProgressChecks); }

bool step_all(Statement* statement, std::optional<HostBytes> parameters) {
  for (;;) {
    Rows rows;
    Error error;
    if (!statement->step_many(std::move(parameters), 0, kBatchBytes, false, rows, error)) {
      TRACE("  step failed: %s\n", error.message.c_str());
      return false;
    }
    parameters.reset();
    check_rows(rows);
    TRACE("  %u rows\n", rows.row_count);
    if (rows.failure.code != 0) {
      TRACE("  step failed: %s\n", rows.failure.message.c_str());
      return false;
    }
    if (rows.done) return true;
    check(rows.row_count > 0, "step_many returned no row, not done and no failure");
  }
}

void run_statements(std::span<Connection* const> dbs, std::string_view sql) {
  for (int n = 0; n < kMaxStatements && !sql.empty(); n++) {
    Connection* db = dbs[n % dbs.size()];
    bool has_tail = false;
    uint32_t tail = 0;
    Error error;
    Statement* statement = db->prepare(sql, has_tail, tail, error);
    if (!statement) {
      if (error.code == 0) return;  // only whitespace and comments are left
      TRACE("prepare failed: %s\n", error.message.c_str());
      sql.remove_prefix(skip_statement(sql));
      continue;
    }
    check(tail > 0 && tail <= sql.size(), "prepare's tail is outside the SQL");
    // What `prepare` hands the host, then what `columns` does.
    sqlite_component::StatementInfo info;
    statement->describe(info);
    statement->columns();
    TRACE("%.*s\n", static_cast<int>(tail), sql.data());
    bool ok = true;
    switch (n % 4) {
      case 0:
      case 1:
        ok = step_all(statement, std::nullopt);
        break;
      case 2: {
        std::string expanded;
        statement->expanded_sql(std::nullopt, expanded, error);
        ok = step_all(statement, std::nullopt);
        break;
      }
      default: {
        sqlite_component::RunResult result;
        ok = statement->run(std::nullopt, result, error);
        if (!ok) TRACE("  run failed: %s\n", error.message.c_str());
      }
    }
    TRACE("  -> %s\n", ok ? "ok" : "failed");
    (void)ok;
    if (n % 5 == 4) {
      left_open.emplace_back(db, statement);
    } else {
      delete statement;
    }
    if (!has_tail) return;
    sql.remove_prefix(tail);
  }
}

std::string first_text(Connection* db, std::string_view sql) {
  bool has_tail = false;
  uint32_t tail = 0;
  Error error;
  Statement* statement = db->prepare(sql, has_tail, tail, error);
  if (!statement) return "";
  std::string text;
  Rows rows;
  if (statement->step_many(std::nullopt, 1, 0, true, rows, error) && rows.row_count == 1) {
    check_rows(rows);
    std::vector<std::pair<const uint8_t*, size_t>> cells;
    sqlite_component::split_cells(rows.cells, rows.cells_size, cells);
    if (!cells.empty() && cells[0].first[0] == sqlite_component::kText) {
      text.assign(reinterpret_cast<const char*>(cells[0].first) + 5, cells[0].second - 5);
    }
  }
  delete statement;
  return text;
}

void close(Connection* db) {
  Error error;
  check(db->close(error), "a connection would not close");
  delete db;
  // A statement of a closed connection refuses to run, then goes as the host drops it.
  std::erase_if(left_open, [db](const std::pair<Connection*, Statement*>& kept) {
    if (kept.first != db) return false;
    sqlite_component::RunResult result;
    Error error;
    check(!kept.second->run(std::nullopt, result, error), "a statement of a closed connection ran");
    delete kept.second;
    return true;
  });
}

void end_input() {
  check(left_open.empty(), "a connection was left open");
  check(fuzz_host::open_file_count() == 0, "a file was left open");
  check(fuzz_host::live_tables() == 0, "a virtual table was left connected");
  check(fuzz_host::live_scans() == 0, "a virtual table scan was left open");
  fuzz_host::reset_files();
  fuzz_host::reset_functions();
  // SQLite's own generator reseeds from the VFS's (restarted) random bytes on its next use.
  sqlite3_randomness(0, nullptr);
}

}  // namespace fuzz
