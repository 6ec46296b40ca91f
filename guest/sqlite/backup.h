// An online backup (sqlite3_backup) of one schema of a connection into a database file opened
// through a host VFS, as the exported `backup` resource sees it.
#pragma once

#include <string>
#include <string_view>

#include "sqlite/error.h"

struct sqlite3;
struct sqlite3_backup;

namespace sqlite_component {

class Connection;

struct BackupProgress {
  int total_pages;
  int remaining_pages;
  bool done;
};

class Backup final {
 public:
  // nullptr (and `error`) on failure; nothing stays open then.
  static Backup* start(Connection* source, std::string_view schema, std::string_view filename,
                       std::string_view vfs, Error& error);
  ~Backup();
  Backup(const Backup&) = delete;
  Backup& operator=(const Backup&) = delete;

  bool step(int pages, BackupProgress& progress, Error& error);
  // Idempotent. `discard`: delete a destination that did not exist before the start.
  bool finish(bool discard, Error& error);

 private:
  friend class Connection;
  Backup(Connection* source, sqlite3* destination, sqlite3_backup* handle, std::string vfs, std::string path,
         bool existed);

  Connection* source_;
  sqlite3* destination_;
  sqlite3_backup* handle_;
  std::string vfs_;
  std::string path_;  // the destination's full name in the VFS
  bool existed_;
  Backup* next_ = nullptr;  // the source connection's list, so closing it finishes its backups
};

}  // namespace sqlite_component
