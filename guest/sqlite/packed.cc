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

bool PackedWriter::append_row(sqlite3_stmt* stmt, int column_count) {
  for (int i = 0; i < column_count; i++) {
    switch (sqlite3_column_type(stmt, i)) {
      case SQLITE_INTEGER: {
        int64_t v = sqlite3_column_int64(stmt, i);
        uint8_t* at = reserve(9);
        if (!at) return false;
        at[0] = kInteger;
        memcpy(at + 1, &v, 8);
        break;
      }
      case SQLITE_FLOAT: {
        double v = sqlite3_column_double(stmt, i);
        uint8_t* at = reserve(9);
        if (!at) return false;
        at[0] = kReal;
        memcpy(at + 1, &v, 8);
        break;
      }
      case SQLITE_TEXT:
      case SQLITE_BLOB: {
        bool text = sqlite3_column_type(stmt, i) == SQLITE_TEXT;
        const void* bytes = text ? static_cast<const void*>(sqlite3_column_text(stmt, i))
                                 : sqlite3_column_blob(stmt, i);
        if (!bytes && sqlite3_errcode(sqlite3_db_handle(stmt)) == SQLITE_NOMEM) return false;
        uint32_t n = static_cast<uint32_t>(sqlite3_column_bytes(stmt, i));
        uint8_t* at = reserve(5 + n);
        if (!at) return false;
        at[0] = text ? kText : kBlob;
        memcpy(at + 1, &n, 4);
        if (n) memcpy(at + 5, bytes, n);
        break;
      }
      default: {
        uint8_t* at = reserve(1);
        if (!at) return false;
        *at = kNull;
      }
    }
  }
  return true;
}

bool bind_cells(sqlite3_stmt* stmt, const uint8_t* cells, size_t size, Error& error) {
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
      if (end - at < 8) break;
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
      if (end - at < 4) break;
      memcpy(&n, at, 4);
      at += 4;
      if (static_cast<size_t>(end - at) < n) break;
      rc = tag == kText ? sqlite3_bind_text64(stmt, slot, reinterpret_cast<const char*>(at), n,
                                              SQLITE_STATIC, SQLITE_UTF8)
                        : sqlite3_bind_blob64(stmt, slot, at, n, SQLITE_STATIC);
      at += n;
    } else {
      break;
    }
    if (rc != SQLITE_OK) return error = error_from(sqlite3_db_handle(stmt)), false;
  }
  if (at != end) return error = error_with(SQLITE_RANGE, "Malformed or surplus parameter values"), false;
  return true;
}

}  // namespace sqlite_component
