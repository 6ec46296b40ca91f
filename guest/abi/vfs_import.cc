// Lowers vfs_import calls to the imported `sqlite:component/vfs@0.1.0` functions.
// Layouts follow the canonical ABI: results with a payload come back through a return area
// (discriminant byte at 0, payload at 4); lists the host returns were allocated by our
// cabi_realloc.

#include <cstdint>
#include <cstring>

#include "abi/vfs_import.h"
#include "abi/memory.h"
#include "abi/return_area.h"

#define VFS_IMPORT(name) \
  __attribute__((import_module("sqlite:component/vfs@0.1.0"), import_name(name)))

extern "C" {
VFS_IMPORT("open")
void vfs_open(const char*, size_t, int32_t, const char*, size_t, int32_t, uint8_t* ret);
VFS_IMPORT("close") void vfs_close(uint32_t, uint8_t* ret);
VFS_IMPORT("read") void vfs_read(uint32_t, int64_t, uint32_t, uint8_t* ret);
VFS_IMPORT("write") void vfs_write(uint32_t, int64_t, const void*, size_t, uint8_t* ret);
VFS_IMPORT("truncate") void vfs_truncate(uint32_t, int64_t, uint8_t* ret);
VFS_IMPORT("sync") void vfs_sync(uint32_t, int32_t, uint8_t* ret);
VFS_IMPORT("file-size") void vfs_file_size(uint32_t, uint8_t* ret);
VFS_IMPORT("lock") void vfs_lock(uint32_t, int32_t, uint8_t* ret);
VFS_IMPORT("unlock") void vfs_unlock(uint32_t, int32_t, uint8_t* ret);
VFS_IMPORT("check-reserved-lock") void vfs_check_reserved_lock(uint32_t, uint8_t* ret);
VFS_IMPORT("sector-size") int32_t vfs_sector_size(uint32_t);
VFS_IMPORT("device-characteristics") int32_t vfs_device_characteristics(uint32_t);
VFS_IMPORT("shm-map") void vfs_shm_map(uint32_t, uint32_t, uint32_t, int32_t, uint8_t* ret);
VFS_IMPORT("shm-read") void vfs_shm_read(uint32_t, uint32_t, uint32_t, uint32_t, uint8_t* ret);
VFS_IMPORT("shm-write")
void vfs_shm_write(uint32_t, uint32_t, uint32_t, const void*, size_t, uint8_t* ret);
VFS_IMPORT("shm-lock") void vfs_shm_lock(uint32_t, uint32_t, uint32_t, int32_t, uint8_t* ret);
VFS_IMPORT("shm-unmap") void vfs_shm_unmap(uint32_t, int32_t, uint8_t* ret);
VFS_IMPORT("delete") void vfs_delete(const char*, size_t, const char*, size_t, int32_t, uint8_t* ret);
VFS_IMPORT("access") void vfs_access(const char*, size_t, const char*, size_t, int32_t, uint8_t* ret);
VFS_IMPORT("full-pathname") void vfs_full_pathname(const char*, size_t, const char*, size_t, uint8_t* ret);
VFS_IMPORT("randomness") void vfs_randomness(uint32_t, uint8_t* ret);
VFS_IMPORT("sleep") void vfs_sleep(uint32_t);
VFS_IMPORT("current-time") double vfs_current_time();
}

namespace {

// Large enough for every result above; 8-aligned for the u64 payload of file-size.
using ReturnArea = abi::ReturnArea<16>;

// The list<u8> at `at` of a result, put into `buffer`: it landed there already, or (the host
// returned more than `capacity`) it is copied and freed. How many bytes it gave, at most capacity.
uint32_t take_list(const ReturnArea& r, size_t at, void* buffer, uint32_t capacity) {
  auto* data = r.at<uint8_t*>(at);
  auto size = r.at<uint32_t>(at + 4);
  uint32_t got = size < capacity ? size : capacity;
  if (data != buffer) {
    memcpy(buffer, data, got);
    abi::release(data, size);
  }
  return got;
}

}  // namespace

namespace vfs_import {

int open(const char* vfs, const char* path, int flags, uint32_t& file, int& out_flags,
         bool& shared_memory) {
  ReturnArea r;
  vfs_open(vfs, strlen(vfs), path != nullptr, path, path ? strlen(path) : 0, flags, r.bytes);
  if (!r.ok()) return r.code();
  file = r.at<uint32_t>(4);
  out_flags = r.at<int32_t>(8);
  shared_memory = r.bytes[12] != 0;
  return 0;
}

int close(uint32_t file) {
  ReturnArea r;
  vfs_close(file, r.bytes);
  return r.code();
}

int read(uint32_t file, void* buffer, int amount, int64_t offset, int& got) {
  ReturnArea r;
  abi::land_next_list_in(buffer, static_cast<size_t>(amount));
  vfs_read(file, offset, static_cast<uint32_t>(amount), r.bytes);
  abi::clear_landing();
  if (!r.ok()) return r.code();
  got = static_cast<int>(take_list(r, 4, buffer, static_cast<uint32_t>(amount)));
  return 0;
}

int write(uint32_t file, const void* data, int amount, int64_t offset) {
  ReturnArea r;
  vfs_write(file, offset, data, static_cast<size_t>(amount), r.bytes);
  return r.code();
}

int truncate(uint32_t file, int64_t size) {
  ReturnArea r;
  vfs_truncate(file, size, r.bytes);
  return r.code();
}

int sync(uint32_t file, int flags) {
  ReturnArea r;
  vfs_sync(file, flags, r.bytes);
  return r.code();
}

int file_size(uint32_t file, int64_t& size) {
  ReturnArea r;
  vfs_file_size(file, r.bytes);
  if (!r.ok()) return r.at<int32_t>(8);
  size = r.at<int64_t>(8);
  return 0;
}

int lock(uint32_t file, int level) {
  ReturnArea r;
  vfs_lock(file, level, r.bytes);
  return r.code();
}

int unlock(uint32_t file, int level) {
  ReturnArea r;
  vfs_unlock(file, level, r.bytes);
  return r.code();
}

int check_reserved_lock(uint32_t file, int& reserved) {
  ReturnArea r;
  vfs_check_reserved_lock(file, r.bytes);
  if (!r.ok()) return r.code();
  reserved = r.bytes[4] != 0;
  return 0;
}

int sector_size(uint32_t file) { return vfs_sector_size(file); }

int shm_map(uint32_t file, uint32_t region, uint32_t size, bool extend, bool& exists) {
  ReturnArea r;
  vfs_shm_map(file, region, size, extend, r.bytes);
  if (!r.ok()) return r.code();
  exists = r.bytes[4] != 0;
  return 0;
}

int shm_read(uint32_t file, uint32_t region, uint32_t offset, void* buffer, uint32_t size) {
  ReturnArea r;
  abi::land_next_list_in(buffer, size);
  vfs_shm_read(file, region, offset, size, r.bytes);
  abi::clear_landing();
  if (!r.ok()) return r.code();
  uint32_t got = take_list(r, 4, buffer, size);
  if (got < size) memset(static_cast<uint8_t*>(buffer) + got, 0, size - got);
  return 0;
}

int shm_write(uint32_t file, uint32_t region, uint32_t offset, const void* data, uint32_t size) {
  ReturnArea r;
  vfs_shm_write(file, region, offset, data, size, r.bytes);
  return r.code();
}

int shm_lock(uint32_t file, uint32_t offset, uint32_t count, int flags) {
  ReturnArea r;
  vfs_shm_lock(file, offset, count, flags, r.bytes);
  return r.code();
}

int shm_unmap(uint32_t file, bool delete_storage) {
  ReturnArea r;
  vfs_shm_unmap(file, delete_storage, r.bytes);
  return r.code();
}

int device_characteristics(uint32_t file) { return vfs_device_characteristics(file); }

int delete_file(const char* vfs, const char* path, bool sync_dir) {
  ReturnArea r;
  vfs_delete(vfs, strlen(vfs), path, strlen(path), sync_dir, r.bytes);
  return r.code();
}

int access(const char* vfs, const char* path, int flags, int& result) {
  ReturnArea r;
  vfs_access(vfs, strlen(vfs), path, strlen(path), flags, r.bytes);
  if (!r.ok()) return r.code();
  result = r.bytes[4] != 0;
  return 0;
}

int full_pathname(const char* vfs, const char* path, char* out, int capacity, bool& symlink) {
  ReturnArea r;
  vfs_full_pathname(vfs, strlen(vfs), path, strlen(path), r.bytes);
  if (!r.ok()) return r.code();
  auto* data = r.at<char*>(4);
  auto size = r.at<uint32_t>(8);
  symlink = r.bytes[12] != 0;
  bool fits = size + 1 <= static_cast<uint32_t>(capacity);
  if (fits) {
    memcpy(out, data, size);
    out[size] = '\0';
  }
  abi::release(data, size);
  return fits ? 0 : 14;  // SQLITE_CANTOPEN
}

void randomness(void* buffer, int amount) {
  ReturnArea r;
  abi::land_next_list_in(buffer, static_cast<size_t>(amount));
  vfs_randomness(static_cast<uint32_t>(amount), r.bytes);
  abi::clear_landing();
  take_list(r, 0, buffer, static_cast<uint32_t>(amount));
}

void sleep(uint32_t microseconds) { vfs_sleep(microseconds); }

double current_time() { return vfs_current_time(); }

}  // namespace vfs_import
