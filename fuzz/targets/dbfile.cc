// Fuzz target `dbfile`: the input is a database file, perhaps followed by its WAL — from the
// first 512-byte boundary where a WAL header's magic number stands, the rest is the -wal file.
// It is opened through the in-memory VFS (so WAL recovery runs through the guest's shared
// memory), checked, read and written; then the database part is loaded again through
// Connection::deserialize and serialized back.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "harness.h"
#include "host/host.h"
#include "sqlite3.h"

namespace {

constexpr size_t kWalAlign = 512;

// Where the WAL starts: its header's first four bytes, big-endian, are 0x377f0682 or 0x377f0683.
size_t wal_start(const uint8_t* data, size_t size) {
  for (size_t at = kWalAlign; at + 4 <= size; at += kWalAlign) {
    if (data[at] == 0x37 && data[at + 1] == 0x7f && data[at + 2] == 0x06 && (data[at + 3] | 1) == 0x83) return at;
  }
  return size;
}

// What a host does with a database it is handed: check it, read the schema and every table,
// write a little, checkpoint.
void exercise(sqlite_component::Connection* db) {
  fuzz::run_statements(db, "PRAGMA integrity_check; SELECT * FROM sqlite_schema;");
  fuzz::refill_progress_budget();
  std::string scans = fuzz::first_text(db,
      "SELECT group_concat(printf('SELECT * FROM \"%w\";', name), ' ') FROM "
      "(SELECT name FROM sqlite_schema WHERE type IN ('table', 'view') LIMIT 8)");
  fuzz::run_statements(db, scans);
  fuzz::refill_progress_budget();
  fuzz::run_statements(db,
      "BEGIN; CREATE TABLE IF NOT EXISTS fuzz_written(x); INSERT INTO fuzz_written VALUES(randomblob(1500));"
      "DELETE FROM fuzz_written WHERE rowid % 2; COMMIT; PRAGMA wal_checkpoint;");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  size_t wal = wal_start(data, size);
  fuzz_host::put_file("fuzz.db", data, wal);
  if (wal < size) fuzz_host::put_file("fuzz.db-wal", data + wal, size - wal);
  if (auto* db = fuzz::open("fuzz.db", SQLITE_OPEN_READWRITE)) {
    exercise(db);
    fuzz::close(db);
  }

  auto* memory = fuzz::open(":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  fuzz::check(memory != nullptr, "an in-memory database would not open");
  sqlite_component::Error error;
  if (memory->deserialize("main", std::span<const uint8_t>(data, wal), false, error)) {
    fuzz::run_statements(memory, "PRAGMA quick_check; SELECT * FROM sqlite_schema;");
    std::span<const uint8_t> image;
    memory->serialize("main", image, error);
  }
  fuzz::close(memory);
  fuzz::end_input();
  return 0;
}
