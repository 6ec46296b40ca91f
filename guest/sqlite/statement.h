// A prepared statement, as the exported `statement` resource sees it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sqlite/error.h"
#include "sqlite/host_bytes.h"

struct sqlite3_stmt;

namespace sqlite_component {

class Connection;

struct RunResult {
  int64_t changes = 0;
  int64_t last_insert_rowid = 0;
};

// A batch of packed rows; `cells` stays valid until the next call on any statement.
struct Rows {
  uint32_t column_count = 0;
  uint32_t row_count = 0;
  const uint8_t* cells = nullptr;
  size_t cells_size = 0;
  bool done = false;
  // The step after the last row failed (failure.code != 0); the statement was reset.
  Error failure;
};

// Names point into SQLite's memory: valid while the statement lives and is not re-prepared.
struct StatementInfo {
  bool readonly = false;
  std::vector<std::string_view> column_names;
  std::vector<std::string_view> parameter_names;
};

struct Column {
  std::string_view name;
  const char* origin_column = nullptr;
  const char* origin_table = nullptr;
  const char* origin_database = nullptr;
  const char* declared_type = nullptr;
};

class Statement final {
 public:
  Statement(Connection* connection, sqlite3_stmt* stmt);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool run(std::optional<HostBytes> parameters, RunResult& result, Error& error);
  // Steps up to `max_rows` rows (0: no limit), stopping after the row that brings the batch to
  // `max_bytes` (0: no limit). Fails only if nothing could be read; a failure after some rows
  // comes back in `rows.failure` with them.
  bool step_many(std::optional<HostBytes> parameters, uint32_t max_rows, uint32_t max_bytes,
                 bool reset, Rows& rows, Error& error);
  // sqlite3_expanded_sql, after binding `parameters` if given.
  bool expanded_sql(std::optional<HostBytes> parameters, std::string& sql, Error& error);
  void reset();
  void describe(StatementInfo& info) const;
  std::vector<Column> columns() const;

 private:
  friend class Connection;
  bool usable(Error& error) const;
  bool bind(HostBytes parameters, Error& error);
  // Finalizes and forgets the connection: what closing the connection does to its statements.
  void finalize();

  Connection* connection_;
  sqlite3_stmt* stmt_;
  HostBytes parameters_;  // bound without a copy, so kept until the next bind
  Statement* prev_ = nullptr;
  Statement* next_ = nullptr;
};

}  // namespace sqlite_component
