#include "sqlite/statement.h"

#include "sqlite/connection.h"
#include "sqlite/packed.h"
#include "sqlite3.h"

namespace sqlite_component {

namespace {

// One batch is in flight at a time (the host copies it out before its next call),
// so every statement shares one buffer that keeps its capacity between batches —
// up to this size: a buffer grown past it for a batch of large rows is given back.
PackedWriter rows_buffer;
constexpr size_t kKeptBatchCapacity = 1 << 20;

}  // namespace

Statement::Statement(Connection* connection, sqlite3_stmt* stmt)
    : connection_(connection), stmt_(stmt) {
  connection_->link(this);
}

Statement::~Statement() { finalize(); }

void Statement::finalize() {
  if (!connection_) return;
  connection_->unlink(this);
  sqlite3_finalize(stmt_);
  stmt_ = nullptr;
  connection_ = nullptr;
  parameters_ = HostBytes();
}

bool Statement::usable(Error& error) const {
  if (stmt_) return true;
  error = error_with(SQLITE_MISUSE, "The database connection is not open");
  return false;
}

bool Statement::bind(HostBytes parameters, Error& error) {
  sqlite3_reset(stmt_);
  if (!bind_cells(stmt_, parameters.data(), parameters.size(), error)) {
    sqlite3_clear_bindings(stmt_);  // no binding may point into memory about to be freed
    parameters_ = HostBytes();
    return false;
  }
  parameters_ = std::move(parameters);
  return true;
}

bool Statement::expanded_sql(std::optional<HostBytes> parameters, std::string& sql, Error& error) {
  if (!usable(error)) return false;
  if (parameters) {
    sqlite3_reset(stmt_);
    if (!bind(std::move(*parameters), error)) return false;
  }
  char* expanded = sqlite3_expanded_sql(stmt_);
  sql.assign(expanded ? expanded : sqlite3_sql(stmt_));
  sqlite3_free(expanded);
  return true;
}

bool Statement::run(std::optional<HostBytes> parameters, RunResult& result, Error& error) {
  if (!usable(error)) return false;
  sqlite3_reset(stmt_);
  if (parameters && !bind(std::move(*parameters), error)) return false;
  sqlite3* db = connection_->handle();
  // sqlite3_changes64 keeps the count of the last INSERT/UPDATE/DELETE; a statement that
  // changes nothing must report 0, which the total count tells.
  int64_t total_before = sqlite3_total_changes64(db);
  // One step, as better-sqlite3's run() takes: a change (RETURNING included) is done in it,
  // and a query stops at its first row, so later rows' functions never run.
  int rc = sqlite3_step(stmt_);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
    error = error_from(db);
    sqlite3_reset(stmt_);
    return false;
  }
  // A RETURNING statement counts its changes when it is reset.
  sqlite3_reset(stmt_);
  result.changes = sqlite3_total_changes64(db) != total_before ? sqlite3_changes64(db) : 0;
  result.last_insert_rowid = sqlite3_last_insert_rowid(db);
  return true;
}

bool Statement::step_many(std::optional<HostBytes> parameters, uint32_t max_rows,
                          uint32_t max_bytes, bool reset, Rows& rows, Error& error) {
  // The previous batch has been read by now; do not keep a large one's memory.
  if (rows_buffer.capacity() > kKeptBatchCapacity) rows_buffer.release();
  rows_buffer.clear();
  if (!usable(error)) return false;
  if (parameters && !bind(std::move(*parameters), error)) return false;
  int columns = sqlite3_column_count(stmt_);
  uint32_t count = 0;
  bool done = false;
  Error failure;
  while (max_rows == 0 || count < max_rows) {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) {
      // A schema change can re-prepare the statement with other columns between batches.
      if (count == 0) columns = sqlite3_column_count(stmt_);
      if (!rows_buffer.append_row(stmt_, columns)) {
        rows_buffer.release();
        error = error_with(SQLITE_NOMEM, "out of memory");
        sqlite3_reset(stmt_);
        return false;
      }
      count++;
      if (max_bytes != 0 && rows_buffer.size() >= max_bytes) break;
    } else if (rc == SQLITE_DONE) {
      done = true;
      break;
    } else {
      failure = error_from(connection_->handle());
      sqlite3_reset(stmt_);
      if (count == 0) return error = std::move(failure), false;
      break;
    }
  }
  if (done || reset) sqlite3_reset(stmt_);
  rows = Rows{static_cast<uint32_t>(columns), count, rows_buffer.data(), rows_buffer.size(), done,
              std::move(failure)};
  return true;
}

void Statement::reset() {
  if (stmt_) sqlite3_reset(stmt_);
}

void Statement::describe(StatementInfo& info) const {
  info.readonly = sqlite3_stmt_readonly(stmt_) != 0;
  int columns = sqlite3_column_count(stmt_);
  info.column_names.clear();
  for (int i = 0; i < columns; i++) info.column_names.emplace_back(sqlite3_column_name(stmt_, i));
  int slots = sqlite3_bind_parameter_count(stmt_);
  info.parameter_names.clear();
  for (int i = 1; i <= slots; i++) {
    const char* name = sqlite3_bind_parameter_name(stmt_, i);
    info.parameter_names.emplace_back(name ? name : "");
  }
}

std::vector<Column> Statement::columns() const {
  std::vector<Column> out;
  if (!stmt_) return out;
  int n = sqlite3_column_count(stmt_);
  for (int i = 0; i < n; i++) {
    out.push_back(Column{sqlite3_column_name(stmt_, i), sqlite3_column_origin_name(stmt_, i),
                         sqlite3_column_table_name(stmt_, i),
                         sqlite3_column_database_name(stmt_, i),
                         sqlite3_column_decltype(stmt_, i)});
  }
  return out;
}

}  // namespace sqlite_component
