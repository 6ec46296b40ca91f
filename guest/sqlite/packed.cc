#include "sqlite/packed.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "sqlite3.h"

namespace sqlite_component {

PackedWriter::~PackedWriter() { free(data_); }

void PackedWriter::release() {
  free(data_);
  data_ = nullptr;
  size_ = capacity_ = 0;
}

uint8_t* PackedWriter::reserve(size_t n) {
  if (size_ + n > capacity_) {
    // Past half the 32-bit address space, doubling would wrap: treat it as out of memory.
    if (n > SIZE_MAX / 2 - size_) return nullptr;
    size_t capacity = capacity_ ? capacity_ : 4096;
    while (capacity < size_ + n) capacity *= 2;
    auto* grown = static_cast<uint8_t*>(realloc(data_, capacity));
    if (!grown) return nullptr;
    data_ = grown;
    capacity_ = capacity;
  }
  uint8_t* at = data_ + size_;
  size_ += n;
  return at;
}

bool PackedWriter::append_value(sqlite3_value* value) {
  switch (sqlite3_value_type(value)) {
    case SQLITE_INTEGER: {
      int64_t v = sqlite3_value_int64(value);
      uint8_t* at = reserve(9);
      if (!at) return false;
      at[0] = kInteger;
      memcpy(at + 1, &v, 8);
      return true;
    }
    case SQLITE_FLOAT: {
      double v = sqlite3_value_double(value);
      uint8_t* at = reserve(9);
      if (!at) return false;
      at[0] = kReal;
      memcpy(at + 1, &v, 8);
      return true;
    }
    case SQLITE_TEXT:
    case SQLITE_BLOB: {
      bool text = sqlite3_value_type(value) == SQLITE_TEXT;
      const void* bytes = text ? static_cast<const void*>(sqlite3_value_text(value)) : sqlite3_value_blob(value);
      // Text is never null but when converting it ran out of memory (an empty blob may be).
      if (text && !bytes) return false;
      uint32_t n = static_cast<uint32_t>(sqlite3_value_bytes(value));
      uint8_t* at = reserve(5 + n);
      if (!at) return false;
      at[0] = text ? kText : kBlob;
      memcpy(at + 1, &n, 4);
      if (n) memcpy(at + 5, bytes, n);
      return true;
    }
    default: {
      uint8_t* at = reserve(1);
      if (!at) return false;
      *at = kNull;
      return true;
    }
  }
}

bool PackedWriter::append_row(sqlite3_stmt* stmt, int column_count) {
  // Unprotected values, which are safe to read here: this build is single-threaded.
  for (int i = 0; i < column_count; i++) {
    if (!append_value(sqlite3_column_value(stmt, i))) return false;
  }
  return true;
}

bool PackedWriter::append_values(int count, sqlite3_value** values) {
  for (int i = 0; i < count; i++) {
    if (!append_value(values[i])) return false;
  }
  return true;
}

bool split_cells(const uint8_t* cells, size_t size, std::vector<std::pair<const uint8_t*, size_t>>& out) {
  out.clear();
  size_t at = 0;
  while (at < size) {
    size_t cell;
    switch (cells[at]) {
      case kNull:
        cell = 1;
        break;
      case kInteger:
      case kReal:
        cell = 9;
        break;
      case kText:
      case kBlob: {
        if (size - at < 5) return false;
        uint32_t n;
        memcpy(&n, cells + at + 1, 4);
        cell = 5 + static_cast<size_t>(n);
        break;
      }
      default:
        return false;
    }
    if (cell > size - at) return false;
    out.emplace_back(cells + at, cell);
    at += cell;
  }
  return true;
}

bool result_cell(sqlite3_context* context, const uint8_t* cells, size_t size) {
  if (size == 0) return false;
  const uint8_t* at = cells + 1;
  size_t left = size - 1;
  switch (cells[0]) {
    case kNull:
      if (left != 0) return false;
      sqlite3_result_null(context);
      return true;
    case kInteger:
    case kReal: {
      if (left != 8) return false;
      if (cells[0] == kInteger) {
        int64_t v;
        memcpy(&v, at, 8);
        sqlite3_result_int64(context, v);
      } else {
        double v;
        memcpy(&v, at, 8);
        sqlite3_result_double(context, v);
      }
      return true;
    }
    case kText:
    case kBlob: {
      uint32_t n;
      if (left < 4) return false;
      memcpy(&n, at, 4);
      if (left - 4 != n) return false;
      // Copied: the host's buffer is freed when the callback returns.
      if (cells[0] == kText) {
        sqlite3_result_text64(context, reinterpret_cast<const char*>(at + 4), n, SQLITE_TRANSIENT, SQLITE_UTF8);
      } else {
        sqlite3_result_blob64(context, at + 4, n, SQLITE_TRANSIENT);
      }
      return true;
    }
    default:
      return false;
  }
}

bool bind_cells(sqlite3_stmt* stmt, const uint8_t* cells, size_t size, Error& error) {
  // A cell cut short fails here, not at the loop's end: its tag alone may reach the end of the
  // list, and the slot would then keep its previous binding, into memory the caller frees.
  auto malformed = [&error] {
    return error = error_with(SQLITE_RANGE, "Malformed or surplus parameter values"), false;
  };
  const uint8_t* at = cells;
  const uint8_t* end = cells + size;
  int slots = sqlite3_bind_parameter_count(stmt);
  for (int slot = 1; slot <= slots; slot++) {
    if (at >= end) return error = error_with(SQLITE_RANGE, "Too few parameter values were provided"), false;
    uint8_t tag = *at++;
    int rc = SQLITE_OK;
    if (tag == kNull) {
      rc = sqlite3_bind_null(stmt, slot);
    } else if (tag == kInteger || tag == kReal) {
      if (end - at < 8) return malformed();
      if (tag == kInteger) {
        int64_t v;
        memcpy(&v, at, 8);
        rc = sqlite3_bind_int64(stmt, slot, v);
      } else {
        double v;
        memcpy(&v, at, 8);
        rc = sqlite3_bind_double(stmt, slot, v);
      }
      at += 8;
    } else if (tag == kText || tag == kBlob) {
      uint32_t n;
      if (end - at < 4) return malformed();
      memcpy(&n, at, 4);
      at += 4;
      if (static_cast<size_t>(end - at) < n) return malformed();
      rc = tag == kText ? sqlite3_bind_text64(stmt, slot, reinterpret_cast<const char*>(at), n,
                                              SQLITE_STATIC, SQLITE_UTF8)
                        : sqlite3_bind_blob64(stmt, slot, at, n, SQLITE_STATIC);
      at += n;
    } else {
      return malformed();
    }
    if (rc != SQLITE_OK) return error = error_from(sqlite3_db_handle(stmt)), false;
  }
  if (at != end) return malformed();
  return true;
}

}  // namespace sqlite_component
