// The imported `tables` interface (wit/sqlite.wit) as plain C++ calls: what sqlite/tables.cc
// forwards SQLite's virtual table methods to. A failure's message lands in `error`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sqlite/host_bytes.h"

namespace tables_import {

struct TableDefinition {
  uint32_t table;
  std::string declaration;
  std::vector<std::string> parameter_names;
  bool direct_only;
};

// `in_transaction`: the connection is not in autocommit mode as the host's code runs.
bool connect(uint32_t module, int argc, const char* const* argv, bool in_transaction, TableDefinition& definition,
             std::string& error);
void disconnect(uint32_t table);
bool open_scan(uint32_t table, const uint8_t* parameters, size_t size, uint32_t given, bool in_transaction,
               uint32_t& scan, std::string& error);
// `row` is empty at the end of the scan.
bool next_row(uint32_t scan, bool in_transaction, std::optional<sqlite_component::HostBytes>& row, std::string& error);
void close_scan(uint32_t scan, bool in_transaction);

}  // namespace tables_import
