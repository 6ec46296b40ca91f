// The host VFS: a sqlite3_vfs that forwards to the imported `vfs` interface (abi/vfs_import.h).
// SQLite's storage, randomness, time and sleep, all supplied by the host.
//
// Supported: every sqlite3_io_methods slot of version 2 — read, write, truncate, sync, size,
// lock, unlock, check-reserved-lock, sector size, device characteristics, and WAL's shared
// memory for files whose host offers it (version 1 methods for the others, so SQLite keeps WAL
// to locking_mode=EXCLUSIVE there) — and every sqlite3_vfs slot SQLite needs (open, delete,
// access, full pathname, randomness, sleep, current time).
// Left out: memory-mapped I/O (xFetch), loadable extensions (compiled out), file controls
// (none needs the host).
// Shared memory is a private copy per connection, exchanged with the host's at every shm lock
// and barrier (see `shm-map` in wit/sqlite.wit for why that is enough).
// One sqlite3_vfs is registered per host VFS name; its methods pass the name along.

#include "vfs/host_vfs.h"

#include <cstdlib>
#include <cstring>

#include "abi/vfs_import.h"
#include "sqlite3.h"

namespace sqlite_component {

namespace {

// This connection's copy of the wal-index: for each region, what SQLite reads and writes
// (`live`) and what it held at the last exchange with the host (`base`).
struct SharedMemory {
  uint32_t region_size = 0;
  int region_count = 0;
  uint8_t** live = nullptr;
  uint8_t** base = nullptr;
  uint32_t exclusive = 0;  // bit i: shm lock i held exclusively (SQLite changes the index then)
  // Exclusive locks SQLite let go of whose changes could not be sent: the host keeps them
  // (no one may see the index without those changes) until a later exchange sends them.
  uint32_t unlock_owed = 0;
  // The last exchange was a lock's refresh, read after the lock was granted. SQLite follows a
  // lock with a barrier at once (to order its reads after the lock): the copy read then is as
  // new as a barrier's would be, so that barrier need not read it again.
  bool refreshed_at_lock = false;
};

// The start of region 0: two copies of the header (48 bytes each), then the checkpoint
// information (40 bytes). wal.c's WALINDEX_HDR_SIZE.
constexpr uint32_t kHeaderBytes = 136;
constexpr uint32_t kWalWriteLock = 1;  // the bit of shm lock 0, WAL_WRITE_LOCK
constexpr uint32_t kHeaderCopiesBytes = 96;

struct HostFile {
  sqlite3_file base;  // must be first: SQLite hands us a sqlite3_file*
  uint32_t id;
  SharedMemory* shm;  // null until the first xShmMap
  int lock_level;     // SQLITE_LOCK_*: in WAL with locking_mode=EXCLUSIVE the database is
                      // locked EXCLUSIVE and SQLite takes no shm locks at all
};

HostFile* host_file(sqlite3_file* file) { return reinterpret_cast<HostFile*>(file); }
uint32_t file_id(sqlite3_file* file) { return host_file(file)->id; }

// A host failure keeps the host's code when it is of the expected kind, else becomes `fallback`.
int io_code(int rc, int fallback) {
  if (rc == SQLITE_OK) return SQLITE_OK;
  int primary = rc & 0xff;
  return (primary == SQLITE_IOERR || primary == SQLITE_FULL || primary == SQLITE_BUSY ||
          primary == SQLITE_READONLY || primary == SQLITE_CANTOPEN)
             ? rc
             : fallback;
}

// --- sqlite3_io_methods, in slot order ---

int host_shm_unmap(sqlite3_file* handle, int delete_flag);

int host_close(sqlite3_file* file) {
  // SQLite unmaps before closing; this only covers a path that did not.
  if (host_file(file)->shm) host_shm_unmap(file, 0);
  return io_code(vfs_import::close(file_id(file)), SQLITE_IOERR_CLOSE);
}

int host_read(sqlite3_file* file, void* buffer, int amount, sqlite3_int64 offset) {
  int got = 0;
  int rc = vfs_import::read(file_id(file), buffer, amount, offset, got);
  // A host may report a short read as an error too; either way nothing of it is trusted.
  if (rc == SQLITE_IOERR_SHORT_READ) got = 0;
  else if (rc != SQLITE_OK) return io_code(rc, SQLITE_IOERR_READ);
  if (got < amount) {
    // SQLite relies on the unread tail being zeroed.
    memset(static_cast<char*>(buffer) + got, 0, amount - got);
    return SQLITE_IOERR_SHORT_READ;
  }
  return SQLITE_OK;
}

int host_write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  return io_code(vfs_import::write(file_id(file), data, amount, offset), SQLITE_IOERR_WRITE);
}

int host_truncate(sqlite3_file* file, sqlite3_int64 size) {
  return io_code(vfs_import::truncate(file_id(file), size), SQLITE_IOERR_TRUNCATE);
}

int host_sync(sqlite3_file* file, int flags) {
  return io_code(vfs_import::sync(file_id(file), flags), SQLITE_IOERR_FSYNC);
}

int host_file_size(sqlite3_file* file, sqlite3_int64* size) {
  int64_t n = 0;
  int rc = vfs_import::file_size(file_id(file), n);
  *size = n;
  return io_code(rc, SQLITE_IOERR_FSTAT);
}

int host_lock(sqlite3_file* file, int level) {
  int rc = io_code(vfs_import::lock(file_id(file), level), SQLITE_IOERR_LOCK);
  if (rc == SQLITE_OK) host_file(file)->lock_level = level;
  return rc;
}

int host_unlock(sqlite3_file* file, int level) {
  int rc = io_code(vfs_import::unlock(file_id(file), level), SQLITE_IOERR_UNLOCK);
  if (rc == SQLITE_OK) host_file(file)->lock_level = level;
  return rc;
}

int host_check_reserved_lock(sqlite3_file* file, int* reserved) {
  *reserved = 0;
  return io_code(vfs_import::check_reserved_lock(file_id(file), *reserved),
                 SQLITE_IOERR_CHECKRESERVEDLOCK);
}

// No file control needs the host; SQLite falls back to its defaults on NOTFOUND.
int host_file_control(sqlite3_file*, int, void*) { return SQLITE_NOTFOUND; }

int host_sector_size(sqlite3_file* file) { return vfs_import::sector_size(file_id(file)); }

int host_device_characteristics(sqlite3_file* file) {
  return vfs_import::device_characteristics(file_id(file));
}

// Where the next byte that differs from the last exchange is, from `at`; `size` if none.
// A writer's every exchange scans the whole index (32 KiB a region) for what SQLite changed,
// so equal bytes are skipped 32 at a time: a byte at a time, this scan was a third of a WAL
// commit's time.
uint32_t next_change(const uint8_t* live, const uint8_t* base, uint32_t at, uint32_t size) {
  for (; at < size && at % 8 != 0; at++) {
    if (live[at] != base[at]) return at;
  }
  for (; at + 32 <= size; at += 32) {
    uint64_t a[4], b[4];
    memcpy(a, live + at, 32);
    memcpy(b, base + at, 32);
    if (((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3])) != 0) break;
  }
  // Regions are a multiple of 8 bytes; wasm is little-endian, so the lowest set bit of the
  // difference is its first byte.
  for (; at + 8 <= size; at += 8) {
    uint64_t a, b;
    memcpy(&a, live + at, 8);
    memcpy(&b, base + at, 8);
    if (a != b) return at + __builtin_ctzll(a ^ b) / 8;
  }
  for (; at < size; at++) {
    if (live[at] != base[at]) return at;
  }
  return size;
}

// Whether bytes [from, to) of region `region` are changed by no one but the holder of the
// WAL write lock: everything but the checkpoint information, which readers (read marks) and
// checkpointers (backfill count) change under locks of their own.
bool writer_owns(int region, uint32_t from, uint32_t to) {
  return region != 0 || to <= kHeaderCopiesBytes || from >= kHeaderBytes;
}

// Sends the host every run of bytes that differs from the last exchange. Only changed bytes
// go: an unchanged byte may be another connection's newer value in the host's copy — except
// in the writer's own bytes, where runs a few bytes apart go as one (a header update is one run).
int shm_publish(HostFile* file) {
  SharedMemory* shm = file->shm;
  // SQLite changes the index only under an exclusive shm lock, or in locking_mode=EXCLUSIVE,
  // where it holds the database EXCLUSIVE instead and no other connection is there.
  bool sole_user = file->lock_level >= SQLITE_LOCK_EXCLUSIVE;
  if (!shm->exclusive && !sole_user) return SQLITE_OK;  // SQLite changed nothing
  constexpr uint32_t kMergeGap = 16;
  bool writer = sole_user || (shm->exclusive & kWalWriteLock) != 0;
  const uint32_t size = shm->region_size;
  for (int r = 0; r < shm->region_count; r++) {
    uint8_t* live = shm->live[r];
    uint8_t* base = shm->base[r];
    uint32_t at = next_change(live, base, 0, size);
    while (at < size) {
      uint32_t end = at + 1;
      for (;;) {
        while (end < size && live[end] != base[end]) end++;
        uint32_t next = next_change(live, base, end, size);
        if (!writer || next == size || next - end > kMergeGap || !writer_owns(r, end, next)) break;
        end = next;
      }
      int rc = vfs_import::shm_write(file->id, r, at, live + at, end - at);
      if (rc != SQLITE_OK) return io_code(rc, SQLITE_IOERR_SHMMAP);
      memcpy(base + at, live + at, end - at);
      at = next_change(live, base, end, size);
    }
  }
  return SQLITE_OK;
}

// Reads the regions afresh from the host. Unless `whole`, only the header and checkpoint
// information while the header is what it was: the wal-index entries up to the header's last
// frame, all SQLite reads of it, stay as they are until the header changes. `whole` (on taking the
// WAL write lock, before SQLite may write anywhere in the index) reads everything.
int shm_refresh(HostFile* file, bool whole) {
  SharedMemory* shm = file->shm;
  if (shm->region_count == 0) return SQLITE_OK;
  if (!whole) {
    uint8_t header[kHeaderBytes];
    int rc = vfs_import::shm_read(file->id, 0, 0, header, kHeaderBytes);
    if (rc != SQLITE_OK) return io_code(rc, SQLITE_IOERR_SHMMAP);
    if (memcmp(header, shm->base[0], kHeaderCopiesBytes) == 0) {
      memcpy(shm->live[0], header, kHeaderBytes);
      memcpy(shm->base[0], header, kHeaderBytes);
      return SQLITE_OK;
    }
  }
  for (int r = 0; r < shm->region_count; r++) {
    int rc = vfs_import::shm_read(file->id, r, 0, shm->live[r], shm->region_size);
    if (rc != SQLITE_OK) return io_code(rc, SQLITE_IOERR_SHMMAP);
    memcpy(shm->base[r], shm->live[r], shm->region_size);
  }
  return SQLITE_OK;
}

int host_shm_map(sqlite3_file* handle, int region, int size, int extend, void volatile** out) {
  HostFile* file = host_file(handle);
  *out = nullptr;
  if (!file->shm) {
    file->shm = static_cast<SharedMemory*>(sqlite3_malloc(sizeof(SharedMemory)));
    if (!file->shm) return SQLITE_NOMEM;
    *file->shm = SharedMemory{static_cast<uint32_t>(size)};
  }
  SharedMemory* shm = file->shm;
  shm->refreshed_at_lock = false;
  if (static_cast<uint32_t>(size) != shm->region_size) return SQLITE_IOERR_SHMSIZE;
  if (region < shm->region_count) {
    *out = shm->live[region];
    return SQLITE_OK;
  }
  bool exists = false;
  int rc = vfs_import::shm_map(file->id, region, size, extend != 0, exists);
  if (rc != SQLITE_OK) return io_code(rc, SQLITE_IOERR_SHMMAP);
  if (!exists) return SQLITE_OK;  // SQLite asked without extending: no such region yet
  // Regions are mapped in order, and every earlier one exists once this one does.
  int count = region + 1;
  auto* live = static_cast<uint8_t**>(sqlite3_realloc(shm->live, count * sizeof(uint8_t*)));
  if (live) shm->live = live;
  auto* base = static_cast<uint8_t**>(sqlite3_realloc(shm->base, count * sizeof(uint8_t*)));
  if (base) shm->base = base;
  if (!live || !base) return SQLITE_NOMEM;
  for (int r = shm->region_count; r < count; r++) {
    shm->live[r] = static_cast<uint8_t*>(sqlite3_malloc(size));
    shm->base[r] = static_cast<uint8_t*>(sqlite3_malloc(size));
    if (!shm->live[r] || !shm->base[r]) {
      sqlite3_free(shm->live[r]);
      sqlite3_free(shm->base[r]);
      return SQLITE_NOMEM;
    }
    rc = vfs_import::shm_read(file->id, r, 0, shm->live[r], size);
    if (rc != SQLITE_OK) {
      sqlite3_free(shm->live[r]);
      sqlite3_free(shm->base[r]);
      return io_code(rc, SQLITE_IOERR_SHMMAP);
    }
    memcpy(shm->base[r], shm->live[r], size);
    shm->region_count = r + 1;
  }
  *out = shm->live[region];
  return SQLITE_OK;
}

// Sends the host the unlocks held back by a failed publish (see SharedMemory::unlock_owed),
// once a publish has succeeded.
int settle_owed_unlocks(HostFile* file) {
  SharedMemory* shm = file->shm;
  while (shm->unlock_owed) {
    int lock = __builtin_ctz(shm->unlock_owed);
    uint32_t bit = 1u << lock;
    int rc = vfs_import::shm_lock(file->id, lock, 1, SQLITE_SHM_UNLOCK | SQLITE_SHM_EXCLUSIVE);
    if (rc != SQLITE_OK) return io_code(rc, SQLITE_IOERR_SHMLOCK);
    shm->unlock_owed &= ~bit;
    shm->exclusive &= ~bit;
  }
  return SQLITE_OK;
}

int host_shm_lock(sqlite3_file* handle, int offset, int count, int flags) {
  HostFile* file = host_file(handle);
  if (!file->shm) return SQLITE_IOERR_SHMLOCK;
  SharedMemory* shm = file->shm;
  shm->refreshed_at_lock = false;
  uint32_t mask = ((1u << count) - 1) << offset;
  bool unlock = (flags & SQLITE_SHM_UNLOCK) != 0;
  bool exclusive = (flags & SQLITE_SHM_EXCLUSIVE) != 0;
  int rc = shm_publish(file);
  if (rc == SQLITE_OK) rc = settle_owed_unlocks(file);
  if (rc != SQLITE_OK) {
    if (!unlock) return rc;
    // SQLite ignores a failed unlock. Letting an exclusive lock go would show others an index
    // without this connection's changes (a writer's new frames): keep it until they are sent.
    // A shared lock changed nothing: it goes.
    if (exclusive) {
      shm->unlock_owed |= mask & shm->exclusive;
      return rc;
    }
    vfs_import::shm_lock(file->id, offset, count, flags);
    return rc;
  }
  rc = vfs_import::shm_lock(file->id, offset, count, flags);
  if (rc != SQLITE_OK) return io_code(rc, SQLITE_IOERR_SHMLOCK);
  if (unlock) {
    if (exclusive) shm->exclusive &= ~mask;
    return SQLITE_OK;
  }
  if (exclusive) shm->exclusive |= mask;
  // Only the WAL write lock lets SQLite write the index beyond its header (new frames' entries,
  // where another writer's rolled-back entries may lie): only it needs the whole index afresh.
  // An exclusive read-mark or checkpoint lock changes the checkpoint information alone.
  rc = shm_refresh(file, exclusive && (mask & kWalWriteLock) != 0);
  if (rc != SQLITE_OK) {
    // SQLite takes the lock as not taken: the host must not keep it either.
    vfs_import::shm_lock(file->id, offset, count, (flags & ~SQLITE_SHM_LOCK) | SQLITE_SHM_UNLOCK);
    if (exclusive) shm->exclusive &= ~mask;
    return rc;
  }
  shm->refreshed_at_lock = true;
  return SQLITE_OK;
}

void host_shm_barrier(sqlite3_file* handle) {
  HostFile* file = host_file(handle);
  SharedMemory* shm = file->shm;
  if (!shm) return;
  bool fresh = shm->refreshed_at_lock;
  shm->refreshed_at_lock = false;
  // A barrier cannot fail; a failed exchange shows up at the next lock instead.
  if (shm_publish(file) == SQLITE_OK && settle_owed_unlocks(file) == SQLITE_OK && !fresh) {
    shm_refresh(file, false);
  }
}

int host_shm_unmap(sqlite3_file* handle, int delete_flag) {
  HostFile* file = host_file(handle);
  SharedMemory* shm = file->shm;
  if (!shm) return SQLITE_OK;
  int rc = delete_flag ? SQLITE_OK : shm_publish(file);
  for (int r = 0; r < shm->region_count; r++) {
    sqlite3_free(shm->live[r]);
    sqlite3_free(shm->base[r]);
  }
  sqlite3_free(shm->live);
  sqlite3_free(shm->base);
  sqlite3_free(shm);
  file->shm = nullptr;
  int unmapped = vfs_import::shm_unmap(file->id, delete_flag != 0);
  if (rc == SQLITE_OK && unmapped != SQLITE_OK) rc = io_code(unmapped, SQLITE_IOERR_SHMMAP);
  return rc;
}

// Version 2 with the shm methods for files whose host offers shared memory, else version 1.
constexpr sqlite3_io_methods io_methods(bool shared_memory) {
  return sqlite3_io_methods{
      shared_memory ? 2 : 1,                           /* iVersion */
      host_close,                                      /* xClose */
      host_read,                                       /* xRead */
      host_write,                                      /* xWrite */
      host_truncate,                                   /* xTruncate */
      host_sync,                                       /* xSync */
      host_file_size,                                  /* xFileSize */
      host_lock,                                       /* xLock */
      host_unlock,                                     /* xUnlock */
      host_check_reserved_lock,                        /* xCheckReservedLock */
      host_file_control,                               /* xFileControl */
      host_sector_size,                                /* xSectorSize */
      host_device_characteristics,                     /* xDeviceCharacteristics */
      shared_memory ? host_shm_map : nullptr,          /* xShmMap */
      shared_memory ? host_shm_lock : nullptr,         /* xShmLock */
      shared_memory ? host_shm_barrier : nullptr,      /* xShmBarrier */
      shared_memory ? host_shm_unmap : nullptr,        /* xShmUnmap */
      nullptr,                                         /* xFetch */
      nullptr,                                         /* xUnfetch */
  };
}
constexpr sqlite3_io_methods kIoMethods = io_methods(false);
constexpr sqlite3_io_methods kIoMethodsWithSharedMemory = io_methods(true);

// --- sqlite3_vfs methods ---

int host_open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* file, int flags,
              int* out_flags) {
  auto* host_file = reinterpret_cast<HostFile*>(file);
  host_file->base.pMethods = nullptr;  // so SQLite does not call xClose after a failed open
  uint32_t id = 0;
  int opened_flags = flags;
  bool shared_memory = false;
  int rc = vfs_import::open(vfs->zName, name, flags, id, opened_flags, shared_memory);
  if (rc != SQLITE_OK) return io_code(rc, SQLITE_CANTOPEN);
  host_file->id = id;
  host_file->shm = nullptr;
  host_file->lock_level = SQLITE_LOCK_NONE;
  host_file->base.pMethods = shared_memory ? &kIoMethodsWithSharedMemory : &kIoMethods;
  if (out_flags) *out_flags = opened_flags;
  return SQLITE_OK;
}

int host_delete(sqlite3_vfs* vfs, const char* path, int sync_dir) {
  return io_code(vfs_import::delete_file(vfs->zName, path, sync_dir != 0), SQLITE_IOERR_DELETE);
}

int host_access(sqlite3_vfs* vfs, const char* path, int flags, int* result) {
  *result = 0;
  return io_code(vfs_import::access(vfs->zName, path, flags, *result), SQLITE_IOERR_ACCESS);
}

// A name reached through a symlink is SQLITE_OK_SYMLINK, as os_unix.c reports it: the pager
// then refuses it to a connection opened with SQLITE_OPEN_NOFOLLOW and takes it otherwise.
int host_full_pathname(sqlite3_vfs* vfs, const char* path, int capacity, char* out) {
  bool symlink = false;
  int rc = io_code(vfs_import::full_pathname(vfs->zName, path, out, capacity, symlink), SQLITE_CANTOPEN);
  return rc == SQLITE_OK && symlink ? SQLITE_OK_SYMLINK : rc;
}

int host_randomness(sqlite3_vfs*, int amount, char* out) {
  vfs_import::randomness(out, amount);
  return amount;
}

int host_sleep(sqlite3_vfs*, int microseconds) {
  vfs_import::sleep(static_cast<uint32_t>(microseconds));
  return microseconds;
}

// Milliseconds between the Julian day epoch and the Unix epoch.
constexpr sqlite3_int64 kUnixEpochJulianMs = 210866760000000LL;

int host_current_time_int64(sqlite3_vfs*, sqlite3_int64* now) {
  *now = kUnixEpochJulianMs + static_cast<sqlite3_int64>(vfs_import::current_time());
  return SQLITE_OK;
}

int host_current_time(sqlite3_vfs* vfs, double* now) {
  sqlite3_int64 ms = 0;
  host_current_time_int64(vfs, &ms);
  *now = ms / 86400000.0;
  return SQLITE_OK;
}

// No OS error numbers exist here to report.
int host_get_last_error(sqlite3_vfs*, int, char*) { return 0; }

sqlite3_vfs make_vfs(const char* name) {
  return sqlite3_vfs{
      2,                         /* iVersion */
      sizeof(HostFile),          /* szOsFile */
      1024,                      /* mxPathname */
      nullptr,                   /* pNext */
      name,                      /* zName */
      nullptr,                   /* pAppData */
      host_open,                 /* xOpen */
      host_delete,               /* xDelete */
      host_access,               /* xAccess */
      host_full_pathname,        /* xFullPathname */
      nullptr,                   /* xDlOpen */
      nullptr,                   /* xDlError */
      nullptr,                   /* xDlSym */
      nullptr,                   /* xDlClose */
      host_randomness,           /* xRandomness */
      host_sleep,                /* xSleep */
      host_current_time,         /* xCurrentTime */
      host_get_last_error,       /* xGetLastError */
      host_current_time_int64,   /* xCurrentTimeInt64 */
      nullptr,                   /* xSetSystemCall */
      nullptr,                   /* xGetSystemCall */
      nullptr,                   /* xNextSystemCall */
  };
}

}  // namespace

sqlite3_vfs make_default_vfs(const char* name) { return make_vfs(name); }

int host_vfs_register(const char* name) {
  int rc = sqlite3_initialize();
  if (rc != SQLITE_OK) return rc;
  if (sqlite3_vfs_find(name)) return SQLITE_OK;
  // Registered VFSes live as long as the instance.
  char* stored_name = sqlite3_mprintf("%s", name);
  auto* vfs = static_cast<sqlite3_vfs*>(sqlite3_malloc(sizeof(sqlite3_vfs)));
  if (!stored_name || !vfs) return SQLITE_NOMEM;
  *vfs = make_vfs(stored_name);
  return sqlite3_vfs_register(vfs, 0);
}

}  // namespace sqlite_component

// SQLITE_OS_OTHER leaves these to us. SQLite needs a default VFS from the start (the memdb
// VFS behind sqlite3_deserialize borrows its randomness and clock), so one named "host" is
// registered here; a host VFS of that name, if any, serves its files. The others are
// registered when a connection first names them.
extern "C" int sqlite3_os_init(void) {
  static char name[] = "host";
  static sqlite3_vfs vfs = sqlite_component::make_default_vfs(name);
  return sqlite3_vfs_register(&vfs, 1);
}
extern "C" int sqlite3_os_end(void) { return SQLITE_OK; }
