// The packed cell encoding of `types.packed-values` (wit/sqlite.wit): parameters in, rows out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "sqlite/error.h"

struct sqlite3_context;
struct sqlite3_stmt;
struct sqlite3_value;

namespace sqlite_component {

enum CellTag : uint8_t { kNull = 0, kInteger = 1, kReal = 2, kText = 3, kBlob = 4 };

// A growable byte buffer that rows are appended to; reused across calls to avoid reallocation.
class PackedWriter final {
 public:
  PackedWriter() = default;
  PackedWriter(const PackedWriter&) = delete;
  PackedWriter& operator=(const PackedWriter&) = delete;
  ~PackedWriter();

  void clear() { size_ = 0; }
  // Gives the memory back, e.g. after a batch too large for it.
  void release();
  // Appends every column of the statement's current row; false if memory ran out.
  bool append_row(sqlite3_stmt* stmt, int column_count);
  // Appends each value (a user function's arguments); false if memory ran out.
  bool append_values(int count, sqlite3_value** values);
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }

 private:
  uint8_t* reserve(size_t n);
  bool append_value(sqlite3_value* value);

  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

// Binds one cell per parameter slot, in slot order. The cells must outlive the bindings
// (they are bound without a copy). Fails with SQLITE_RANGE on a malformed or short list.
bool bind_cells(sqlite3_stmt* stmt, const uint8_t* cells, size_t size, Error& error);

// The cells of a packed row, each as (start, size); false if the row is malformed.
bool split_cells(const uint8_t* cells, size_t size, std::vector<std::pair<const uint8_t*, size_t>>& out);

// Sets a user function's result from one packed cell (copied); false if it is malformed.
bool result_cell(sqlite3_context* context, const uint8_t* cells, size_t size);

}  // namespace sqlite_component
