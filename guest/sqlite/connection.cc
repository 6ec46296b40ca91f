#include "sqlite/connection.h"

#include <cstring>
#include <string>

#include "sqlite/backup.h"
#include "sqlite/statement.h"
#include "sqlite/tables.h"
#include "sqlite3.h"
#include "abi/progress_import.h"
#include "vfs/host_vfs.h"

namespace sqlite_component {

namespace {

constexpr const char* kNotOpen = "The database connection is not open";

// True when only whitespace, comments and semicolons remain.
bool is_blank_sql(const char* at, const char* end) {
  while (at < end) {
    if (*at == ' ' || *at == '\t' || *at == '\n' || *at == '\r' || *at == '\f' || *at == ';') {
      at++;
    } else if (end - at >= 2 && at[0] == '-' && at[1] == '-') {
      while (at < end && *at != '\n') at++;
    } else if (end - at >= 2 && at[0] == '/' && at[1] == '*') {
      const char* close = at + 2;
      while (close + 1 < end && !(close[0] == '*' && close[1] == '/')) close++;
      if (close + 1 >= end) return true;  // an unterminated comment runs to the end
      at = close + 2;
    } else {
      return false;
    }
  }
  return true;
}

// SQL text ends at its first NUL, as it does for sqlite3_exec and better-sqlite3; past it,
// prepare would find nothing and make no progress.
std::string_view up_to_nul(std::string_view sql) { return sql.substr(0, sql.find('\0')); }

}  // namespace

Error error_from(sqlite3* db) {
  int extended = sqlite3_extended_errcode(db);
  return Error{extended & 0xff, extended, sqlite3_errmsg(db), sqlite3_error_offset(db)};
}

Error error_with(int extended_code, const char* message) {
  return Error{extended_code & 0xff, extended_code, message};
}

Connection* Connection::open(std::string_view filename, std::string_view vfs, int flags,
                             Error& error) {
  std::string vfs_name(vfs);
  int rc = host_vfs_register(vfs_name.c_str());
  if (rc != SQLITE_OK) return error = error_with(rc, sqlite3_errstr(rc)), nullptr;
  sqlite3* db = nullptr;
  rc = sqlite3_open_v2(std::string(filename).c_str(), &db, flags | SQLITE_OPEN_EXRESCODE,
                       vfs_name.c_str());
  if (rc != SQLITE_OK) {
    error = db ? error_from(db) : error_with(rc, sqlite3_errstr(rc));
    sqlite3_close(db);
    return nullptr;
  }
  return new Connection(db);
}

Connection::~Connection() {
  Error ignored;
  close(ignored);
}

bool Connection::is_open(Error& error) const {
  if (db_) return true;
  error = error_with(SQLITE_MISUSE, kNotOpen);
  return false;
}

bool Connection::exec(std::string_view sql, Error& error) {
  if (!is_open(error)) return false;
  sql = up_to_nul(sql);
  // sqlite3_exec wants a NUL-terminated string; preparing with a length avoids the copy.
  const char* at = sql.data();
  const char* end = sql.data() + sql.size();
  while (at < end) {
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    if (sqlite3_prepare_v2(db_, at, static_cast<int>(end - at), &stmt, &tail) != SQLITE_OK)
      return error = error_from(db_), false;
    if (!stmt && tail == at) break;  // nothing left that SQLite reads
    at = tail;
    if (!stmt) continue;  // whitespace or a comment
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {}
    if (rc != SQLITE_DONE) {
      error = error_from(db_);
      sqlite3_finalize(stmt);
      return false;
    }
    sqlite3_finalize(stmt);
  }
  return true;
}

Statement* Connection::prepare(std::string_view sql, bool& has_tail, uint32_t& tail_offset, Error& error) {
  error = Error{};
  if (!is_open(error)) return nullptr;
  sql = up_to_nul(sql);
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &stmt, &tail) != SQLITE_OK)
    return error = error_from(db_), nullptr;
  if (!stmt) return nullptr;
  has_tail = !is_blank_sql(tail, sql.data() + sql.size());
  tail_offset = static_cast<uint32_t>(tail - sql.data());
  return new Statement(this, stmt);
}

bool Connection::autocommit() const { return db_ ? sqlite3_get_autocommit(db_) != 0 : true; }

bool Connection::busy_timeout(int milliseconds, Error& error) {
  if (!is_open(error)) return false;
  sqlite3_busy_timeout(db_, milliseconds);
  return true;
}

bool Connection::close(Error& error) {
  while (statements_) statements_->finalize();
  while (backups_) {
    Error ignored;
    backups_->finish(true, ignored);
  }
  sqlite3_free(image_);
  image_ = nullptr;
  if (!db_) return true;
  if (sqlite3_close(db_) != SQLITE_OK) return error = error_from(db_), false;
  db_ = nullptr;
  return true;
}

bool Connection::serialize(std::string_view schema, std::span<const uint8_t>& image,
                           Error& error) {
  if (!is_open(error)) return false;
  sqlite3_free(image_);
  sqlite3_int64 size = 0;
  image_ = sqlite3_serialize(db_, std::string(schema).c_str(), &size, 0);
  if (!image_) {
    if (sqlite3_errcode(db_) != SQLITE_OK) return error = error_from(db_), false;
    return error = error_with(SQLITE_ERROR, "unknown database or unable to serialize"), false;
  }
  image = {image_, static_cast<size_t>(size)};
  return true;
}

bool Connection::deserialize(std::string_view schema, std::span<const uint8_t> image,
                             bool readonly, Error& error) {
  if (!is_open(error)) return false;
  // SQLite takes ownership, so the image must live in SQLite's own heap.
  auto* copy = static_cast<unsigned char*>(sqlite3_malloc64(image.size() ? image.size() : 1));
  if (!copy) return error = error_with(SQLITE_NOMEM, "out of memory"), false;
  if (!image.empty()) memcpy(copy, image.data(), image.size());
  unsigned flags = SQLITE_DESERIALIZE_FREEONCLOSE |
                   (readonly ? SQLITE_DESERIALIZE_READONLY : SQLITE_DESERIALIZE_RESIZEABLE);
  int rc = sqlite3_deserialize(db_, std::string(schema).c_str(), copy, image.size(), image.size(),
                               flags);
  if (rc != SQLITE_OK) return error = error_from(db_), false;
  return true;
}

void Connection::link(Statement* statement) {
  statement->next_ = statements_;
  if (statements_) statements_->prev_ = statement;
  statements_ = statement;
}

void Connection::unlink(Statement* statement) {
  if (statement->prev_) statement->prev_->next_ = statement->next_;
  else statements_ = statement->next_;
  if (statement->next_) statement->next_->prev_ = statement->prev_;
  statement->prev_ = statement->next_ = nullptr;
}

void Connection::link(Backup* backup) {
  backup->next_ = backups_;
  backups_ = backup;
}

void Connection::unlink(Backup* backup) {
  for (Backup** at = &backups_; *at; at = &(*at)->next_) {
    if (*at == backup) {
      *at = backup->next_;
      break;
    }
  }
  backup->next_ = nullptr;
}

bool Connection::create_function(std::string_view name, uint32_t id, int arity, FunctionFlags flags,
                                 Error& error) {
  if (!is_open(error)) return false;
  return sqlite_component::create_function(db_, name, id, arity, flags, error);
}

bool Connection::create_aggregate(std::string_view name, uint32_t id, int arity, FunctionFlags flags,
                                  bool window, Error& error) {
  if (!is_open(error)) return false;
  return sqlite_component::create_aggregate(db_, name, id, arity, flags, window, error);
}

bool Connection::create_module(std::string_view name, uint32_t id, bool eponymous, Error& error) {
  if (!is_open(error)) return false;
  return sqlite_component::create_module(db_, name, id, eponymous, error);
}

int Connection::limit(int id, int value) { return db_ ? sqlite3_limit(db_, id, value) : -1; }

void Connection::progress_handler(uint32_t id, int steps) {
  if (!db_) return;
  progress_id_ = id;
  if (steps <= 0) {
    sqlite3_progress_handler(db_, 0, nullptr, nullptr);
    return;
  }
  // Non-zero from the callback makes SQLite stop the statement with SQLITE_INTERRUPT.
  auto check = [](void* self) {
    return progress_import::check(static_cast<Connection*>(self)->progress_id_) ? 1 : 0;
  };
  sqlite3_progress_handler(db_, steps, check, this);
}

bool Connection::db_config(int op, int on, bool& now, Error& error) {
  if (!is_open(error)) return false;
  int state = 0;
  if (sqlite3_db_config(db_, op, on, &state) != SQLITE_OK) {
    return error = error_with(SQLITE_ERROR, "unknown sqlite3_db_config option"), false;
  }
  now = state != 0;
  return true;
}

}  // namespace sqlite_component
