// The imported `vfs` interface (wit/sqlite.wit) as plain C++ calls, one per WIT function:
// what vfs/host_vfs.cc forwards SQLite's VFS methods to. Each returns an SQLite result code
// (SQLITE_OK or the host's error code).
#pragma once

#include <cstdint>

namespace vfs_import {

// `shared_memory`: the file offers the shm_* calls.
int open(const char* vfs, const char* path, int flags, uint32_t& file, int& out_flags,
         bool& shared_memory);
int close(uint32_t file);
// Reads straight into `buffer`; `got` < `amount` at end of file.
int read(uint32_t file, void* buffer, int amount, int64_t offset, int& got);
int write(uint32_t file, const void* data, int amount, int64_t offset);
int truncate(uint32_t file, int64_t size);
int sync(uint32_t file, int flags);
int file_size(uint32_t file, int64_t& size);
int lock(uint32_t file, int level);
int unlock(uint32_t file, int level);
int check_reserved_lock(uint32_t file, int& reserved);
int sector_size(uint32_t file);
// WAL's shared memory, as wit/sqlite.wit describes the exchange.
int shm_map(uint32_t file, uint32_t region, uint32_t size, bool extend, bool& exists);
// Reads `size` bytes from `offset` of a region straight into `buffer` (a shorter answer is
// zero-filled).
int shm_read(uint32_t file, uint32_t region, uint32_t offset, void* buffer, uint32_t size);
int shm_write(uint32_t file, uint32_t region, uint32_t offset, const void* data, uint32_t size);
int shm_lock(uint32_t file, uint32_t offset, uint32_t count, int flags);
int shm_unmap(uint32_t file, bool delete_storage);
int device_characteristics(uint32_t file);
// The WIT `delete` (a C++ keyword).
int delete_file(const char* vfs, const char* path, bool sync_dir);
int access(const char* vfs, const char* path, int flags, int& result);
// Writes at most `capacity` bytes including the NUL; SQLITE_CANTOPEN if it does not fit.
int full_pathname(const char* vfs, const char* path, char* out, int capacity, bool& symlink);
void randomness(void* buffer, int amount);
void sleep(uint32_t microseconds);
double current_time();

}  // namespace vfs_import
