// A database connection over the SQLite C API, as the exported `connection` resource sees it.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "sqlite/error.h"
#include "sqlite/functions.h"

struct sqlite3;

namespace sqlite_component {

class Backup;
class Statement;

class Connection final {
 public:
  // Opens `filename` through the host VFS named `vfs`. nullptr (and `error`) on failure.
  static Connection* open(std::string_view filename, std::string_view vfs, int flags, Error& error);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  bool exec(std::string_view sql, Error& error);
  // Prepares the first statement of `sql`. nullptr with error.code == 0: `sql` holds none.
  // `tail`: the byte offset where the text after the statement begins.
  Statement* prepare(std::string_view sql, bool& has_tail, uint32_t& tail, Error& error);
  bool autocommit() const;
  bool busy_timeout(int milliseconds, Error& error);
  // Finalizes every statement and finishes every backup, then closes. Idempotent.
  bool close(Error& error);
  // The image stays valid until the next serialize or the connection's end.
  bool serialize(std::string_view schema, std::span<const uint8_t>& image, Error& error);
  bool deserialize(std::string_view schema, std::span<const uint8_t> image, bool readonly,
                   Error& error);

  // User functions and aggregates served by the host's `functions` import under `id`.
  bool create_function(std::string_view name, uint32_t id, int arity, FunctionFlags flags, Error& error);
  bool create_aggregate(std::string_view name, uint32_t id, int arity, FunctionFlags flags, bool window,
                        Error& error);

  // A virtual table module served by the host's `tables` import under `id`.
  bool create_module(std::string_view name, uint32_t id, bool eponymous, Error& error);
  // sqlite3_limit; the limit as it was (-1 when closed).
  int limit(int id, int value);
  // sqlite3_db_config of an on/off option: sets it (on: 1 or 0; -1 leaves it as it is), and
  // says whether it is on now.
  bool db_config(int op, int on, bool& now, Error& error);
  // sqlite3_progress_handler: the host's `progress.check(id)` every `steps` virtual-machine
  // steps; steps <= 0 removes it.
  void progress_handler(uint32_t id, int steps);

  sqlite3* handle() const { return db_; }
  bool is_open(Error& error) const;

 private:
  friend class Statement;
  friend class Backup;
  explicit Connection(sqlite3* db) : db_(db) {}
  void link(Statement* statement);
  void unlink(Statement* statement);
  void link(Backup* backup);
  void unlink(Backup* backup);

  sqlite3* db_;
  Statement* statements_ = nullptr;  // intrusive list, so close can finalize them all
  Backup* backups_ = nullptr;  // the backups reading from this connection, finished by close
  unsigned char* image_ = nullptr;
  uint32_t progress_id_ = 0;  // the host's id for this connection's progress handler
};

}  // namespace sqlite_component
