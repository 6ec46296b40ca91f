// Fuzz target `sql`: the input is SQL text, run statement by statement through the guest's
// Connection and Statement on a database in the in-memory VFS, every row read back through
// the packed cells the host would receive.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "harness.h"
#include "sqlite3.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto* db = fuzz::open("main.db", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  fuzz::check(db != nullptr, "a new database would not open");
  fuzz::run_statements(db, std::string_view(reinterpret_cast<const char*>(data), size));
  fuzz::close(db);
  fuzz::end_input();
  return 0;
}
