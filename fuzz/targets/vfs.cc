// Fuzz target `vfs`: two connections share one WAL database through the host VFS
// (guest/vfs/host_vfs.cc) — file locks, the wal-index exchanged through shm-read and
// shm-write, checkpoints — while the host's storage fails at a point the input picks.
//
// Input: two bytes, little-endian, pick the VFS call that fails (1: the first after the
// connections are open; 0: none); one byte picks the error (low three bits, kCodes) and whether
// every call after it fails too (0x80); the rest is SQL, its statements going to the two
// connections in turn. Afterwards a third connection, with storage healthy again, checks the
// file.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "harness.h"
#include "host/host.h"
#include "sqlite3.h"

namespace {

// What a host may answer: the kinds the guest passes on to SQLite, and two it must not (a code
// of another kind, and no SQLite code at all), which it turns into the method's own IOERR.
constexpr int kCodes[8] = {SQLITE_IOERR,    SQLITE_FULL,     SQLITE_BUSY,  SQLITE_IOERR_SHORT_READ,
                           SQLITE_CANTOPEN, SQLITE_READONLY, SQLITE_NOMEM, 12345};
constexpr size_t kHeader = 3;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < kHeader) return 0;
  uint32_t fail_at = data[0] | (data[1] << 8);
  int code = kCodes[data[2] & 7];
  bool sticky = (data[2] & 0x80) != 0;
  std::string_view sql(reinterpret_cast<const char*>(data) + kHeader, size - kHeader);

  auto* first = fuzz::open("wal.db", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  fuzz::check(first != nullptr, "a new database would not open");
  fuzz::run_statements(first, "PRAGMA journal_mode=WAL;");
  auto* second = fuzz::open("wal.db", SQLITE_OPEN_READWRITE);
  fuzz::check(second != nullptr, "a second connection would not open");
  // A few retries of a refused lock, to go through the busy handler and the host's sleep.
  sqlite_component::Error error;
  first->busy_timeout(10, error);
  second->busy_timeout(10, error);

  fuzz_host::fail_vfs_call(fail_at, code, sticky);
  sqlite_component::Connection* both[] = {first, second};
  fuzz::run_statements(both, sql);
  fuzz_host::fail_vfs_call(0, SQLITE_OK, false);
  fuzz::close(first);
  fuzz::close(second);

  if (auto* check = fuzz::open("wal.db", SQLITE_OPEN_READWRITE)) {
    fuzz::run_statements(check, "PRAGMA integrity_check; SELECT count(*) FROM sqlite_schema;");
    fuzz::close(check);
  }
  fuzz::end_input();
  return 0;
}
