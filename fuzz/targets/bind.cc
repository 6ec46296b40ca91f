// Fuzz target `bind`: the input is a packed-values buffer (`types.packed-values` in
// wit/sqlite.wit; guest/sqlite/packed.cc), read in each way the guest reads cells the host
// wrote: bound as a statement's parameters (bind_cells), split (split_cells, as a virtual
// table's row), and set as a user function's result (result_cell). The three must agree on
// what is well-formed, and a well-formed value must come back out of SQLite as it went in.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "harness.h"
#include "host/host.h"
#include "sqlite/packed.h"
#include "sqlite3.h"

using sqlite_component::Connection;
using sqlite_component::Error;
using sqlite_component::HostBytes;
using sqlite_component::Rows;
using sqlite_component::Statement;

namespace {

using Cells = std::vector<std::pair<const uint8_t*, size_t>>;

constexpr size_t kMaxParameters = 16;

// The parameters as the host hands them over: memory the guest frees.
HostBytes parameters(const uint8_t* data, size_t size) {
  if (size == 0) return HostBytes();
  auto* copy = static_cast<uint8_t*>(malloc(size));
  if (!copy) abort();
  memcpy(copy, data, size);
  return HostBytes(copy, size);
}

// A value SQLite gave back for `in`: the same bytes, but NaN, which SQLite stores as NULL.
bool same_value(std::pair<const uint8_t*, size_t> in, std::pair<const uint8_t*, size_t> out) {
  if (in.first[0] == sqlite_component::kReal) {
    double v;
    memcpy(&v, in.first + 1, 8);
    if (std::isnan(v)) return out.second == 1 && out.first[0] == sqlite_component::kNull;
  }
  return in.second == out.second && memcmp(in.first, out.first, in.second) == 0;
}

Statement* prepare(Connection* db, const std::string& sql) {
  bool has_tail = false;
  uint32_t tail = 0;
  Error error;
  Statement* statement = db->prepare(sql, has_tail, tail, error);
  fuzz::check(statement != nullptr, "a statement of the bind target would not prepare");
  return statement;
}

// Steps once; the row's cells in `out`. False if the step failed.
bool first_row(Statement* statement, std::optional<HostBytes> bound, Cells& out, Error& error) {
  Rows rows;
  if (!statement->step_many(std::move(bound), 1, 0, true, rows, error)) return false;
  fuzz::check(rows.row_count == 1, "a one-row query gave no row");
  fuzz::check(sqlite_component::split_cells(rows.cells, rows.cells_size, out), "step_many packed a malformed row");
  fuzz::check(out.size() == rows.column_count, "step_many packed the wrong number of cells");
  return true;
}

std::string placeholders(size_t n) {
  std::string list;
  for (size_t i = 1; i <= n; i++) list += (i > 1 ? ", ?" : "?") + std::to_string(i);
  return list;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Cells cells;
  bool well_formed = sqlite_component::split_cells(data, size, cells);
  fuzz_host::set_answer(data, size);
  Connection* db = fuzz::open(":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  fuzz::check(db != nullptr, "an in-memory database would not open");

  // Bound: as many slots as the input has cells (up to 16), or 2 when it has none that split.
  size_t slots = well_formed ? std::min(cells.size(), kMaxParameters) : 2;
  bool bindable = well_formed && cells.size() == slots;
  std::string list = slots ? placeholders(slots) : "1";
  Statement* select = prepare(db, "SELECT " + list);
  Cells row;
  Error error;
  // Bound before: a slot the input leaves unbound must not keep pointing into these bytes,
  // freed as the input's are bound.
  std::string earlier;
  for (size_t i = 0; i < slots; i++) earlier += std::string("\3\4\0\0\0text", 9);
  sqlite_component::RunResult result;
  fuzz::check(select->run(parameters(reinterpret_cast<const uint8_t*>(earlier.data()), earlier.size()), result, error),
              "well-formed parameters were refused");
  bool bound = first_row(select, parameters(data, size), row, error);
  // A value over SQLite's length limit is refused by SQLite, not by the cell reader.
  fuzz::check(bound == bindable || error.code == SQLITE_TOOBIG, "bind_cells and split_cells disagree");
  if (bound && slots) {
    for (size_t i = 0; i < slots; i++) fuzz::check(same_value(cells[i], row[i]), "a bound value came back changed");
  }
  std::string expanded;
  error = Error{};
  fuzz::check(select->expanded_sql(parameters(data, size), expanded, error) == bound || error.code == SQLITE_TOOBIG,
              "expanded_sql bound otherwise than step_many");
  delete select;

  if (slots) {
    // Through a table (record encoding) and into a user function's packed arguments.
    Error ignored;
    std::string columns;
    for (size_t i = 1; i <= slots; i++) columns += (i > 1 ? ", c" : "c") + std::to_string(i);
    db->exec("CREATE TABLE t(" + columns + ")", ignored);
    Statement* insert = prepare(db, "INSERT INTO t VALUES(" + list + ")");
    insert->run(parameters(data, size), result, ignored);
    delete insert;
    Statement* scan = prepare(db, "SELECT *, fz_echo(" + list + ") FROM t");
    fuzz::step_all(scan, std::nullopt);
    delete scan;
  }

  // The whole input as a user function's result: only a single well-formed cell is a value.
  Statement* answer = prepare(db, "SELECT fz_answer()");
  error = Error{};
  bool answered = first_row(answer, std::nullopt, row, error);
  bool one_cell = well_formed && cells.size() == 1;
  fuzz::check(answered == one_cell || error.code == SQLITE_TOOBIG, "result_cell and split_cells disagree");
  if (answered) fuzz::check(same_value(cells[0], row[0]), "a user function's result came back changed");
  delete answer;

  // Each cell on its own as a result, as a virtual table's column is.
  if (well_formed) {
    Statement* cell = prepare(db, "SELECT fz_cell(?1)");
    for (size_t i = 0; i < std::min(cells.size(), kMaxParameters); i++) {
      uint8_t index[9] = {sqlite_component::kInteger};
      int64_t value = static_cast<int64_t>(i);
      memcpy(index + 1, &value, 8);
      error = Error{};
      if (first_row(cell, parameters(index, sizeof index), row, error)) {
        fuzz::check(same_value(cells[i], row[0]), "a cell returned by a user function came back changed");
      } else {
        fuzz::check(error.code == SQLITE_TOOBIG, "a well-formed cell was refused as a result");
      }
    }
    delete cell;
  }

  fuzz::close(db);
  fuzz::end_input();
  return 0;
}
