// The `vfs` import (guest/abi/vfs_import.h) served from process memory, for the fuzz targets:
// SQLite's real storage paths — journals, WAL and its shared memory, temporary files, ATTACH,
// VACUUM INTO, backups — run through guest/vfs/host_vfs.cc as they do in the component.
//
// Like src/vfs/memory.js: files by name, shared by every connection; a temporary file (no name)
// goes when closed. File locks and shm locks are kept per file and per open handle, so that
// two connections on one file take turns as they would on disk. Deterministic: a fixed clock,
// seeded random bytes, sleeps that return at once.
//
// A failure can be injected (fuzz_host::fail_vfs_call): the Nth call that can fail answers an
// error code instead, as a host's storage may. A failing close or shm-unmap still lets the file
// and its locks go, as the WIT asks of them.

#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "abi/vfs_import.h"
#include "host/host.h"
#include "sqlite3.h"

namespace {

// A file or the shared memory may grow this far, then SQLITE_FULL: a fuzzed statement may not
// eat the machine, and the full-disk paths get their turn.
constexpr size_t kMaxFileSize = 64u << 20;
constexpr size_t kMaxShmRegions = 256;
constexpr int kShmLocks = 8;  // SQLITE_SHM_NLOCK
// 2026-01-01, in milliseconds since the Unix epoch.
constexpr double kNow = 1767225600000.0;

struct SharedMemory {
  uint32_t region_size = 0;
  std::vector<std::vector<uint8_t>> regions;
  int shared[kShmLocks] = {};          // holders of each lock in shared mode
  uint32_t exclusive[kShmLocks] = {};  // the handle holding each lock exclusively, or 0
};

struct StoredFile {
  std::vector<uint8_t> data;
  int shared_holders = 0;
  uint32_t reserved = 0, pending = 0, exclusive = 0;  // the holding handle, or 0
  SharedMemory shm;
};

struct Handle {
  std::string name;
  std::shared_ptr<StoredFile> file;  // the data outlives a delete while this is open
  bool readonly;
  bool delete_on_close;
  int level = SQLITE_LOCK_NONE;
  uint32_t shm_shared = 0, shm_exclusive = 0;  // bit i: shm lock i held in that mode
};

std::map<std::string, std::shared_ptr<StoredFile>> files;
std::map<uint32_t, Handle> handles;
uint32_t last_handle = 0;
uint32_t temp_count = 0;
uint64_t random_state = 1;

uint32_t fault_countdown = 0;  // the call that fails: 1 the next, 0 none
bool fault_sticky = false;     // and every call after it
int fault_code = SQLITE_IOERR;

// Whether this call is the one to fail.
bool injected() {
  if (fault_countdown == 0) return false;
  if (fault_countdown > 1) {
    fault_countdown--;
    return false;
  }
  if (!fault_sticky) fault_countdown = 0;
  return true;
}

Handle* handle_of(uint32_t id) {
  auto it = handles.find(id);
  return it == handles.end() ? nullptr : &it->second;
}

void release_shm_locks(Handle& h) {
  SharedMemory& shm = h.file->shm;
  for (int i = 0; i < kShmLocks; i++) {
    if (h.shm_shared & (1u << i)) shm.shared[i]--;
    if (h.shm_exclusive & (1u << i)) shm.exclusive[i] = 0;
  }
  h.shm_shared = h.shm_exclusive = 0;
}

void lower_lock(uint32_t id, Handle& h, int level) {
  StoredFile& f = *h.file;
  if (level >= h.level) return;
  if (f.reserved == id) f.reserved = 0;
  if (f.pending == id) f.pending = 0;
  if (f.exclusive == id) f.exclusive = 0;
  if (level == SQLITE_LOCK_NONE && h.level >= SQLITE_LOCK_SHARED) f.shared_holders--;
  h.level = level;
}

}  // namespace

namespace vfs_import {

int open(const char*, const char* path, int flags, uint32_t& file, int& out_flags, bool& shared_memory) {
  if (injected()) return fault_code;
  std::string name = path ? path : "temp:" + std::to_string(++temp_count);
  auto it = files.find(name);
  if (it != files.end() && (flags & SQLITE_OPEN_EXCLUSIVE) && (flags & SQLITE_OPEN_CREATE)) return SQLITE_CANTOPEN;
  if (it == files.end()) {
    if (path && !(flags & SQLITE_OPEN_CREATE)) return SQLITE_CANTOPEN;
    it = files.emplace(name, std::make_shared<StoredFile>()).first;
  }
  file = ++last_handle;
  // A temporary file is never opened again by name, so it goes when closed whatever the flags.
  handles.emplace(file, Handle{name, it->second, (flags & SQLITE_OPEN_READONLY) != 0,
                               !path || (flags & SQLITE_OPEN_DELETEONCLOSE) != 0});
  out_flags = flags;
  shared_memory = (flags & SQLITE_OPEN_MAIN_DB) != 0;
  return SQLITE_OK;
}

int close(uint32_t file) {
  Handle* h = handle_of(file);
  if (!h) return SQLITE_IOERR_CLOSE;
  int rc = injected() ? fault_code : SQLITE_OK;
  lower_lock(file, *h, SQLITE_LOCK_NONE);
  release_shm_locks(*h);
  // Only if the name still means this file: it may have been deleted and made again.
  auto it = files.find(h->name);
  if (h->delete_on_close && it != files.end() && it->second == h->file) files.erase(it);
  handles.erase(file);
  return rc;
}

int read(uint32_t file, void* buffer, int amount, int64_t offset, int& got) {
  Handle* h = handle_of(file);
  if (!h || amount < 0 || offset < 0) return SQLITE_IOERR_READ;
  if (injected()) return fault_code;
  const auto& data = h->file->data;
  got = 0;
  if (static_cast<uint64_t>(offset) < data.size()) {
    size_t left = data.size() - static_cast<size_t>(offset);
    got = static_cast<int>(left < static_cast<size_t>(amount) ? left : static_cast<size_t>(amount));
    memcpy(buffer, data.data() + offset, static_cast<size_t>(got));
  }
  return SQLITE_OK;
}

int write(uint32_t file, const void* data, int amount, int64_t offset) {
  Handle* h = handle_of(file);
  if (!h || h->readonly || amount < 0 || offset < 0) return SQLITE_IOERR_WRITE;
  if (injected()) return fault_code;
  if (static_cast<uint64_t>(offset) + static_cast<uint64_t>(amount) > kMaxFileSize) return SQLITE_FULL;
  auto& bytes = h->file->data;
  size_t end = static_cast<size_t>(offset) + static_cast<size_t>(amount);
  if (end > bytes.size()) bytes.resize(end);
  if (amount) memcpy(bytes.data() + offset, data, static_cast<size_t>(amount));
  return SQLITE_OK;
}

int truncate(uint32_t file, int64_t size) {
  Handle* h = handle_of(file);
  if (!h || h->readonly || size < 0) return SQLITE_IOERR_TRUNCATE;
  if (injected()) return fault_code;
  if (static_cast<uint64_t>(size) > kMaxFileSize) return SQLITE_FULL;
  h->file->data.resize(static_cast<size_t>(size));
  return SQLITE_OK;
}

// Memory has nothing to flush.
int sync(uint32_t file, int) {
  if (!handle_of(file)) return SQLITE_IOERR_FSYNC;
  return injected() ? fault_code : SQLITE_OK;
}

int file_size(uint32_t file, int64_t& size) {
  Handle* h = handle_of(file);
  if (!h) return SQLITE_IOERR_FSTAT;
  if (injected()) return fault_code;
  size = static_cast<int64_t>(h->file->data.size());
  return SQLITE_OK;
}

// The locks of os_unix.c, between handles: SHARED beside each other, one RESERVED among them,
// PENDING keeping new SHARED out while EXCLUSIVE waits for the others to go.
int lock(uint32_t file, int level) {
  Handle* h = handle_of(file);
  if (!h) return SQLITE_IOERR_LOCK;
  if (injected()) return fault_code;
  StoredFile& f = *h->file;
  if (level <= h->level) return SQLITE_OK;
  if (level == SQLITE_LOCK_SHARED) {
    if ((f.pending && f.pending != file) || (f.exclusive && f.exclusive != file)) return SQLITE_BUSY;
    f.shared_holders++;
  } else if (level == SQLITE_LOCK_RESERVED) {
    if (h->level < SQLITE_LOCK_SHARED) return SQLITE_IOERR_LOCK;
    if (f.reserved && f.reserved != file) return SQLITE_BUSY;
    f.reserved = file;
  } else {
    if (h->level < SQLITE_LOCK_SHARED) return SQLITE_IOERR_LOCK;
    if (f.pending && f.pending != file) return SQLITE_BUSY;
    f.pending = file;
    if (f.shared_holders > 1) {
      h->level = SQLITE_LOCK_PENDING;
      return SQLITE_BUSY;
    }
    f.exclusive = file;
    level = SQLITE_LOCK_EXCLUSIVE;
  }
  h->level = level;
  return SQLITE_OK;
}

int unlock(uint32_t file, int level) {
  Handle* h = handle_of(file);
  if (!h) return SQLITE_IOERR_UNLOCK;
  if (injected()) return fault_code;
  lower_lock(file, *h, level);
  return SQLITE_OK;
}

int check_reserved_lock(uint32_t file, int& reserved) {
  Handle* h = handle_of(file);
  if (!h) return SQLITE_IOERR_CHECKRESERVEDLOCK;
  if (injected()) return fault_code;
  const StoredFile& f = *h->file;
  reserved = f.reserved || f.pending || f.exclusive;
  return SQLITE_OK;
}

int sector_size(uint32_t) { return 4096; }

int shm_map(uint32_t file, uint32_t region, uint32_t size, bool extend, bool& exists) {
  Handle* h = handle_of(file);
  if (!h) return SQLITE_IOERR_SHMMAP;
  if (injected()) return fault_code;
  SharedMemory& shm = h->file->shm;
  if (shm.regions.empty()) shm.region_size = size;
  if (size != shm.region_size) return SQLITE_IOERR_SHMSIZE;
  if (region >= shm.regions.size() && extend) {
    if (region >= kMaxShmRegions) return SQLITE_FULL;
    shm.regions.resize(region + 1, std::vector<uint8_t>(size));
  }
  exists = region < shm.regions.size();
  return SQLITE_OK;
}

int shm_read(uint32_t file, uint32_t region, uint32_t offset, void* buffer, uint32_t size) {
  Handle* h = handle_of(file);
  if (!h) return SQLITE_IOERR_SHMMAP;
  if (injected()) return fault_code;
  const SharedMemory& shm = h->file->shm;
  if (region >= shm.regions.size() || offset > shm.region_size || size > shm.region_size - offset) {
    return SQLITE_IOERR_SHMMAP;
  }
  memcpy(buffer, shm.regions[region].data() + offset, size);
  return SQLITE_OK;
}

int shm_write(uint32_t file, uint32_t region, uint32_t offset, const void* data, uint32_t size) {
  Handle* h = handle_of(file);
  if (!h) return SQLITE_IOERR_SHMMAP;
  if (injected()) return fault_code;
  SharedMemory& shm = h->file->shm;
  if (region >= shm.regions.size() || offset > shm.region_size || size > shm.region_size - offset) {
    return SQLITE_IOERR_SHMMAP;
  }
  memcpy(shm.regions[region].data() + offset, data, size);
  return SQLITE_OK;
}

int shm_lock(uint32_t file, uint32_t offset, uint32_t count, int flags) {
  Handle* h = handle_of(file);
  if (!h || offset >= kShmLocks || count == 0 || count > kShmLocks - offset) return SQLITE_IOERR_SHMLOCK;
  if (injected()) return fault_code;
  SharedMemory& shm = h->file->shm;
  uint32_t mask = ((1u << count) - 1) << offset;
  if (flags & SQLITE_SHM_UNLOCK) {
    for (uint32_t i = offset; i < offset + count; i++) {
      if (h->shm_shared & (1u << i)) shm.shared[i]--;
      if (h->shm_exclusive & (1u << i)) shm.exclusive[i] = 0;
    }
    h->shm_shared &= ~mask;
    h->shm_exclusive &= ~mask;
    return SQLITE_OK;
  }
  bool exclusive = (flags & SQLITE_SHM_EXCLUSIVE) != 0;
  for (uint32_t i = offset; i < offset + count; i++) {
    if (shm.exclusive[i] && shm.exclusive[i] != file) return SQLITE_BUSY;
    int others_shared = shm.shared[i] - ((h->shm_shared >> i) & 1);
    if (exclusive && others_shared > 0) return SQLITE_BUSY;
  }
  for (uint32_t i = offset; i < offset + count; i++) {
    if (exclusive) {
      shm.exclusive[i] = file;
    } else if (!(h->shm_shared & (1u << i))) {
      shm.shared[i]++;
    }
  }
  (exclusive ? h->shm_exclusive : h->shm_shared) |= mask;
  return SQLITE_OK;
}

int shm_unmap(uint32_t file, bool delete_storage) {
  Handle* h = handle_of(file);
  if (!h) return SQLITE_IOERR_SHMMAP;
  int rc = injected() ? fault_code : SQLITE_OK;
  release_shm_locks(*h);
  if (delete_storage) {
    h->file->shm.regions.clear();
    h->file->shm.region_size = 0;
  }
  return rc;
}

// As memory.js: no torn sectors, and a short read past the end is the file's real end.
int device_characteristics(uint32_t) { return SQLITE_IOCAP_POWERSAFE_OVERWRITE | SQLITE_IOCAP_SUBPAGE_READ; }

int delete_file(const char*, const char* path, bool) {
  if (injected()) return fault_code;
  return files.erase(path) ? SQLITE_OK : SQLITE_IOERR_DELETE_NOENT;
}

int access(const char*, const char* path, int, int& result) {
  if (injected()) return fault_code;
  result = files.count(path) != 0;
  return SQLITE_OK;
}

int full_pathname(const char*, const char* path, char* out, int capacity, bool& symlink) {
  if (injected()) return fault_code;
  size_t size = strlen(path) + 1;
  if (capacity < 0 || size > static_cast<size_t>(capacity)) return SQLITE_CANTOPEN;
  memcpy(out, path, size);
  symlink = false;
  return SQLITE_OK;
}

void randomness(void* buffer, int amount) {
  auto* out = static_cast<uint8_t*>(buffer);
  for (int i = 0; i < amount; i++) {
    // xorshift64: any sequence will do, as long as each input gets the same one.
    random_state ^= random_state << 13;
    random_state ^= random_state >> 7;
    random_state ^= random_state << 17;
    out[i] = static_cast<uint8_t>(random_state);
  }
}

// A busy handler's waits cost nothing here: no other process can release a lock meanwhile.
void sleep(uint32_t) {}

double current_time() { return kNow; }

}  // namespace vfs_import

namespace fuzz_host {

void put_file(const std::string& name, const uint8_t* data, size_t size) {
  auto file = std::make_shared<StoredFile>();
  file->data.assign(data, data + size);
  files[name] = std::move(file);
}

bool file_exists(const std::string& name) { return files.count(name) != 0; }

size_t open_file_count() { return handles.size(); }

void fail_vfs_call(uint32_t after, int code, bool sticky) {
  fault_countdown = after;
  fault_code = code;
  fault_sticky = sticky;
}

void reset_files() {
  fail_vfs_call(0, SQLITE_IOERR, false);
  files.clear();
  handles.clear();
  temp_count = 0;
  random_state = 1;
}

}  // namespace fuzz_host
