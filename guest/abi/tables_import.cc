// Lowers tables_import calls to the imported `sqlite:component/tables@0.1.0` functions.
// Results come back through a return area (discriminant byte at 0, payload from 4); strings
// and lists in them were allocated by our cabi_realloc and are freed here once copied.

#include "abi/tables_import.h"

#include <cstring>

#include "abi/memory.h"
#include "abi/return_area.h"

#define TABLES_IMPORT(name) \
  __attribute__((import_module("sqlite:component/tables@0.1.0"), import_name(name)))

extern "C" {
TABLES_IMPORT("connect") void tables_connect(uint32_t, const void*, size_t, int32_t, uint8_t* ret);
TABLES_IMPORT("disconnect") void tables_disconnect(uint32_t);
TABLES_IMPORT("open-scan")
void tables_open_scan(uint32_t, const uint8_t*, size_t, uint32_t, int32_t, uint8_t* ret);
TABLES_IMPORT("next-row") void tables_next_row(uint32_t, int32_t, uint8_t* ret);
TABLES_IMPORT("close-scan") void tables_close_scan(uint32_t, int32_t);
}

namespace tables_import {

namespace {

struct WitList {
  const char* ptr;
  uint32_t len;
};

// result<tuple<u32, table-definition>, string>, the largest: 28 bytes.
struct ReturnArea : abi::ReturnArea<28> {
  // The string at `offset` (pointer, then length), copied out and freed.
  std::string take_string(size_t offset) const {
    auto* data = at<char*>(offset);
    auto size = at<uint32_t>(offset + 4);
    std::string s(data, size);
    abi::release(data, size);
    return s;
  }
};

}  // namespace

bool connect(uint32_t module, int argc, const char* const* argv, bool in_transaction, TableDefinition& definition,
             std::string& error) {
  std::vector<WitList> arguments;
  for (int i = 0; i < argc; i++) arguments.push_back({argv[i], static_cast<uint32_t>(strlen(argv[i]))});
  ReturnArea r;
  tables_connect(module, arguments.data(), arguments.size(), in_transaction, r.bytes);
  if (!r.ok()) return error = r.take_string(4), false;
  definition.table = r.at<uint32_t>(4);
  definition.declaration = r.take_string(8);
  auto* names = r.at<WitList*>(16);
  auto count = r.at<uint32_t>(20);
  definition.parameter_names.clear();
  for (uint32_t i = 0; i < count; i++) {
    definition.parameter_names.emplace_back(names[i].ptr, names[i].len);
    abi::release(const_cast<char*>(names[i].ptr), names[i].len);
  }
  abi::release(names, count * sizeof(WitList));
  definition.direct_only = r.at<uint8_t>(24) != 0;
  return true;
}

void disconnect(uint32_t table) { tables_disconnect(table); }

bool open_scan(uint32_t table, const uint8_t* parameters, size_t size, uint32_t given, bool in_transaction,
               uint32_t& scan, std::string& error) {
  ReturnArea r;
  tables_open_scan(table, parameters, size, given, in_transaction, r.bytes);
  if (!r.ok()) return error = r.take_string(4), false;
  scan = r.at<uint32_t>(4);
  return true;
}

bool next_row(uint32_t scan, bool in_transaction, std::optional<sqlite_component::HostBytes>& row, std::string& error) {
  ReturnArea r;
  tables_next_row(scan, in_transaction, r.bytes);
  if (!r.ok()) return error = r.take_string(4), false;
  if (r.at<uint8_t>(4) == 0) {
    row.reset();
  } else {
    row.emplace(r.at<uint8_t*>(8), r.at<uint32_t>(12));
  }
  return true;
}

void close_scan(uint32_t scan, bool in_transaction) { tables_close_scan(scan, in_transaction); }

}  // namespace tables_import
