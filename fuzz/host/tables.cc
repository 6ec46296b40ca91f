// The `tables` import (guest/abi/tables_import.h) for the fuzz targets: two virtual table
// modules served through the guest's packed rows, one well-behaved and one that misbehaves in
// every way a host can (a failed connect, a declaration SQLite refuses, rows too short or
// malformed, failing scans), so that guest/sqlite/tables.cc meets each.

#include <cstring>
#include <map>
#include <vector>

#include "abi/tables_import.h"
#include "host/host.h"
#include "sqlite/packed.h"

using sqlite_component::HostBytes;

namespace {

// How a kBroken table behaves: the first letter of its argument (USING fz_broken(x)).
enum class Behaviour : char {
  kGoodRows = 'g',
  kFailConnect = 'f',
  kBadDeclaration = 'd',
  kDirectOnly = 'o',
  kShortRows = 's',
  kMalformedRows = 'm',
  kFailNext = 'e',
  kFailScan = 'x',
};

struct Table {
  uint32_t module;
  Behaviour behaviour;
};

struct Scan {
  uint32_t table;
  int64_t next, stop;
  int64_t start;
};

constexpr int64_t kMaxRows = 100;

std::map<uint32_t, Table> tables;
std::map<uint32_t, Scan> scans;
uint32_t last_table = 0;
uint32_t last_scan = 0;

class RowWriter final {
 public:
  void integer(int64_t v) { fixed(sqlite_component::kInteger, &v); }
  void real(double v) { fixed(sqlite_component::kReal, &v); }
  void text(const char* s) { sized(sqlite_component::kText, s, static_cast<uint32_t>(strlen(s))); }
  void blob(const void* data, uint32_t n) { sized(sqlite_component::kBlob, data, n); }
  void raw(uint8_t byte) { bytes_.push_back(byte); }
  // Memory the guest will free(), as cabi_realloc's would be.
  HostBytes take() {
    if (bytes_.empty()) return HostBytes();
    auto* data = static_cast<uint8_t*>(malloc(bytes_.size()));
    if (!data) abort();
    memcpy(data, bytes_.data(), bytes_.size());
    return HostBytes(data, bytes_.size());
  }

 private:
  void fixed(uint8_t tag, const void* v) {
    raw(tag);
    bytes_.insert(bytes_.end(), static_cast<const uint8_t*>(v), static_cast<const uint8_t*>(v) + 8);
  }
  void sized(uint8_t tag, const void* data, uint32_t n) {
    raw(tag);
    bytes_.insert(bytes_.end(), reinterpret_cast<const uint8_t*>(&n), reinterpret_cast<const uint8_t*>(&n) + 4);
    bytes_.insert(bytes_.end(), static_cast<const uint8_t*>(data), static_cast<const uint8_t*>(data) + n);
  }
  std::vector<uint8_t> bytes_;
};

}  // namespace

namespace tables_import {

bool connect(uint32_t module, int argc, const char* const* argv, bool, TableDefinition& definition,
             std::string& error) {
  Behaviour behaviour = Behaviour::kGoodRows;
  if (module == fuzz_host::kBroken && argc > 3 && argv[3][0]) behaviour = static_cast<Behaviour>(argv[3][0]);
  if (behaviour == Behaviour::kFailConnect) return error = "fz_broken: connect failed", false;
  definition.table = ++last_table;
  definition.direct_only = behaviour == Behaviour::kDirectOnly;
  if (module == fuzz_host::kSeries) {
    definition.declaration = "CREATE TABLE x(start HIDDEN, stop HIDDEN, value)";
    definition.parameter_names = {"start", "stop"};
  } else {
    definition.declaration = behaviour == Behaviour::kBadDeclaration ? "CREATE TABLE x(" : "CREATE TABLE x(a, b, c)";
    definition.parameter_names.clear();
  }
  tables[definition.table] = Table{module, behaviour};
  return true;
}

void disconnect(uint32_t table) { tables.erase(table); }

bool open_scan(uint32_t table, const uint8_t* parameters, size_t size, uint32_t given, bool, uint32_t& scan,
               std::string& error) {
  auto it = tables.find(table);
  if (it == tables.end()) return error = "fuzz: scan of a table that is not connected", false;
  std::vector<std::pair<const uint8_t*, size_t>> cells;
  if (!sqlite_component::split_cells(parameters, size, cells)) return error = "fuzz: malformed parameters", false;
  if (it->second.behaviour == Behaviour::kFailScan) return error = "fz_broken: scan failed", false;
  // Parameters arrive in parameter order, only those given.
  int64_t bounds[2] = {1, 10};
  size_t at = 0;
  for (int i = 0; i < 2; i++) {
    if (!(given & (1u << i))) continue;
    if (at >= cells.size()) return error = "fuzz: fewer parameters than given", false;
    if (cells[at].first[0] != sqlite_component::kInteger) return error = "fz_series: expected an integer", false;
    memcpy(&bounds[i], cells[at].first + 1, 8);
    at++;
  }
  int64_t stop = bounds[1];
  if (stop > bounds[0] && stop - bounds[0] >= kMaxRows) stop = bounds[0] + kMaxRows - 1;
  scan = ++last_scan;
  scans[scan] = Scan{table, bounds[0], stop, bounds[0]};
  return true;
}

bool next_row(uint32_t scan_id, bool, std::optional<HostBytes>& row, std::string& error) {
  auto it = scans.find(scan_id);
  if (it == scans.end()) return error = "fuzz: next row of a closed scan", false;
  Scan& scan = it->second;
  Behaviour behaviour = tables.count(scan.table) ? tables[scan.table].behaviour : Behaviour::kGoodRows;
  bool series = tables.count(scan.table) && tables[scan.table].module == fuzz_host::kSeries;
  if (behaviour == Behaviour::kFailNext && scan.next > scan.start) return error = "fz_broken: next row failed", false;
  if (scan.next > scan.stop || (!series && scan.next - scan.start >= 3)) {
    row.reset();
    return true;
  }
  int64_t value = scan.next++;
  RowWriter writer;
  if (series) {
    writer.integer(scan.start);
    writer.integer(scan.stop);
    writer.integer(value);
  } else if (behaviour == Behaviour::kShortRows) {
    writer.integer(value);
  } else if (behaviour == Behaviour::kMalformedRows) {
    writer.integer(value);
    writer.raw(static_cast<uint8_t>(value == scan.start ? 9 : sqlite_component::kText));  // a bad tag, then a cut text
  } else {
    writer.text("fz");
    writer.blob("\0\1\2", 3);
    writer.real(value * 0.5);
  }
  row.emplace(writer.take());
  return true;
}

void close_scan(uint32_t scan, bool) { scans.erase(scan); }

}  // namespace tables_import

namespace fuzz_host {

size_t live_tables() { return tables.size(); }
size_t live_scans() { return scans.size(); }

}  // namespace fuzz_host
