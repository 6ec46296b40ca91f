#include "sqlite/backup.h"

#include <climits>
#include <vector>

#include "sqlite/connection.h"
#include "sqlite3.h"
#include "vfs/host_vfs.h"

namespace sqlite_component {

Backup* Backup::start(Connection* source, std::string_view schema, std::string_view filename,
                      std::string_view vfs_name, Error& error) {
  if (!source->is_open(error)) return nullptr;
  std::string vfs_string(vfs_name), file(filename), schema_name(schema);
  int rc = host_vfs_register(vfs_string.c_str());
  if (rc != SQLITE_OK) return error = error_with(rc, sqlite3_errstr(rc)), nullptr;
  // Whether the destination exists already: an abandoned backup deletes only a file it made.
  sqlite3_vfs* vfs = sqlite3_vfs_find(vfs_string.c_str());
  std::vector<char> full(vfs->mxPathname + 1);
  int exists = 0;
  rc = vfs->xFullPathname(vfs, file.c_str(), static_cast<int>(full.size()), full.data());
  if (rc == SQLITE_OK) rc = vfs->xAccess(vfs, full.data(), SQLITE_ACCESS_EXISTS, &exists);
  if (rc != SQLITE_OK) return error = error_with(rc, sqlite3_errstr(rc)), nullptr;

  sqlite3* destination = nullptr;
  rc = sqlite3_open_v2(file.c_str(), &destination, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_EXRESCODE,
                       vfs_string.c_str());
  if (rc != SQLITE_OK) {
    error = destination ? error_from(destination) : error_with(rc, sqlite3_errstr(rc));
    sqlite3_close(destination);
    return nullptr;
  }
  // As better-sqlite3 does: the copy must hold every value the source holds.
  sqlite3_limit(destination, SQLITE_LIMIT_LENGTH, INT_MAX);
  sqlite3_backup* handle = sqlite3_backup_init(destination, "main", source->handle(), schema_name.c_str());
  if (!handle) {
    error = error_from(destination);
    sqlite3_close(destination);
    if (!exists) vfs->xDelete(vfs, full.data(), 0);
    return nullptr;
  }
  auto* backup = new Backup(source, destination, handle, vfs_string, full.data(), exists != 0);
  source->link(backup);
  return backup;
}

Backup::Backup(Connection* source, sqlite3* destination, sqlite3_backup* handle, std::string vfs,
               std::string path, bool existed)
    : source_(source),
      destination_(destination),
      handle_(handle),
      vfs_(std::move(vfs)),
      path_(std::move(path)),
      existed_(existed) {}

Backup::~Backup() {
  Error ignored;
  finish(true, ignored);
}

bool Backup::step(int pages, BackupProgress& progress, Error& error) {
  if (!handle_) return error = error_with(SQLITE_MISUSE, "The backup is finished"), false;
  int rc = sqlite3_backup_step(handle_, pages);
  int primary = rc & 0xff;
  if (primary != SQLITE_OK && primary != SQLITE_DONE && primary != SQLITE_BUSY && primary != SQLITE_LOCKED) {
    return error = error_with(rc, sqlite3_errstr(rc)), false;
  }
  progress = {sqlite3_backup_pagecount(handle_), sqlite3_backup_remaining(handle_), rc == SQLITE_DONE};
  return true;
}

bool Backup::finish(bool discard, Error& error) {
  if (!handle_) return true;
  source_->unlink(this);
  int rc = sqlite3_backup_finish(handle_);
  handle_ = nullptr;
  sqlite3_close(destination_);
  destination_ = nullptr;
  if (discard && !existed_) {
    sqlite3_vfs* vfs = sqlite3_vfs_find(vfs_.c_str());
    if (vfs) vfs->xDelete(vfs, path_.c_str(), 0);
  }
  // A failed step already reported its error; finishing after it repeats that code.
  (void)rc;
  (void)error;
  return true;
}

}  // namespace sqlite_component
