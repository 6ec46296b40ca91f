#include "sqlite/tables.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "abi/tables_import.h"
#include "sqlite/host_bytes.h"
#include "sqlite/packed.h"
#include "sqlite3.h"

namespace sqlite_component {

namespace {

struct HostTable {
  sqlite3_vtab base;  // first: SQLite sees a sqlite3_vtab*
  sqlite3* db;
  uint32_t id;
  std::vector<std::string> parameter_names;
};

struct HostScan {
  sqlite3_vtab_cursor base;  // first: SQLite sees a sqlite3_vtab_cursor*
  std::optional<uint32_t> scan;
  bool done = true;
  sqlite3_int64 rowid = 0;
  HostBytes row;
  std::vector<std::pair<const uint8_t*, size_t>> cells;
};

// What the parameters of a scan are packed into; calls never nest.
PackedWriter scan_parameters;

HostTable* table_of(sqlite3_vtab* vtab) { return reinterpret_cast<HostTable*>(vtab); }
bool in_transaction(sqlite3* db) { return !sqlite3_get_autocommit(db); }
bool in_transaction(sqlite3_vtab* vtab) { return in_transaction(table_of(vtab)->db); }
HostScan* scan_of(sqlite3_vtab_cursor* cursor) { return reinterpret_cast<HostScan*>(cursor); }

int fail(sqlite3_vtab* vtab, const std::string& message) {
  sqlite3_free(vtab->zErrMsg);
  vtab->zErrMsg = sqlite3_mprintf("%s", message.c_str());
  return SQLITE_ERROR;
}

int connect(sqlite3* db, void* module, int argc, const char* const* argv, sqlite3_vtab** out, char** error) {
  tables_import::TableDefinition definition;
  std::string message;
  if (!tables_import::connect(*static_cast<uint32_t*>(module), argc, argv, in_transaction(db), definition, message)) {
    *error = sqlite3_mprintf("%s", message.c_str());
    return SQLITE_ERROR;
  }
  if (sqlite3_declare_vtab(db, definition.declaration.c_str()) != SQLITE_OK ||
      (definition.direct_only && sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY) != SQLITE_OK)) {
    tables_import::disconnect(definition.table);
    *error = sqlite3_mprintf("failed to declare virtual table \"%s\"", argv[2]);
    return SQLITE_ERROR;
  }
  auto* table = new HostTable{{}, db, definition.table, std::move(definition.parameter_names)};
  *out = &table->base;
  return SQLITE_OK;
}

// A distinct xCreate: were it xConnect itself, SQLite would make the module eponymous too.
int create(sqlite3* db, void* module, int argc, const char* const* argv, sqlite3_vtab** out, char** error) {
  return connect(db, module, argc, argv, out, error);
}

int disconnect(sqlite3_vtab* vtab) {
  HostTable* table = table_of(vtab);
  tables_import::disconnect(table->id);
  delete table;
  return SQLITE_OK;
}

// Parameters can be constrained by `=` only, and a plan must pass every constrained one on:
// the rows depend on them. Other constraints are SQLite's to check.
int best_index(sqlite3_vtab* vtab, sqlite3_index_info* info) {
  HostTable* table = table_of(vtab);
  int parameter_count = static_cast<int>(table->parameter_names.size());
  std::vector<std::pair<int, int>> forwarded;  // (parameter, constraint)
  for (int i = 0; i < info->nConstraint; i++) {
    const auto& constraint = info->aConstraint[i];
    if (constraint.op == SQLITE_INDEX_CONSTRAINT_LIMIT || constraint.op == SQLITE_INDEX_CONSTRAINT_OFFSET) continue;
    if (constraint.iColumn < 0 || constraint.iColumn >= parameter_count) continue;
    if (constraint.op != SQLITE_INDEX_CONSTRAINT_EQ) {
      return fail(vtab, "virtual table parameter \"" + table->parameter_names[constraint.iColumn] +
                            "\" can only be constrained by the '=' operator");
    }
    if (!constraint.usable) return SQLITE_CONSTRAINT;
    forwarded.emplace_back(constraint.iColumn, i);
  }
  std::sort(forwarded.begin(), forwarded.end());
  int arguments = 0;
  for (auto [parameter, constraint] : forwarded) {
    int bit = 1 << parameter;
    if (info->idxNum & bit) continue;
    info->idxNum |= bit;
    info->aConstraintUsage[constraint].argvIndex = ++arguments;
    info->aConstraintUsage[constraint].omit = 1;
  }
  // A high cost keeps SQLite from running the rows generator inside a loop if it can.
  info->estimatedCost = 1000000000.0 / (arguments + 1);
  info->estimatedRows = 1000000000 / (arguments + 1);
  return SQLITE_OK;
}

int open(sqlite3_vtab*, sqlite3_vtab_cursor** out) {
  *out = &(new HostScan())->base;
  return SQLITE_OK;
}

void end_scan(HostScan* scan) {
  if (scan->scan) tables_import::close_scan(*scan->scan, in_transaction(scan->base.pVtab));
  scan->scan.reset();
}

int close(sqlite3_vtab_cursor* cursor) {
  HostScan* scan = scan_of(cursor);
  end_scan(scan);
  delete scan;
  return SQLITE_OK;
}

int next(sqlite3_vtab_cursor* cursor) {
  HostScan* scan = scan_of(cursor);
  std::optional<HostBytes> row;
  std::string message;
  if (!tables_import::next_row(*scan->scan, in_transaction(cursor->pVtab), row, message)) return fail(cursor->pVtab, message);
  scan->rowid++;
  if (!row) {
    scan->done = true;
    scan->row = HostBytes();
    scan->cells.clear();
    return SQLITE_OK;
  }
  scan->row = std::move(*row);
  if (!split_cells(scan->row.data(), scan->row.size(), scan->cells)) {
    return fail(cursor->pVtab, "the host returned a malformed row");
  }
  return SQLITE_OK;
}

int filter(sqlite3_vtab_cursor* cursor, int given, const char*, int argc, sqlite3_value** argv) {
  HostScan* scan = scan_of(cursor);
  end_scan(scan);
  scan->rowid = 0;
  scan->done = true;
  // A parameter equal to NULL matches nothing: no rows, and the host is not asked.
  for (int i = 0; i < argc; i++) {
    if (sqlite3_value_type(argv[i]) == SQLITE_NULL) return SQLITE_OK;
  }
  scan_parameters.clear();
  if (!scan_parameters.append_values(argc, argv)) {
    scan_parameters.release();
    return SQLITE_NOMEM;
  }
  uint32_t id;
  std::string message;
  if (!tables_import::open_scan(table_of(cursor->pVtab)->id, scan_parameters.data(), scan_parameters.size(),
                                static_cast<uint32_t>(given), in_transaction(cursor->pVtab), id, message)) {
    return fail(cursor->pVtab, message);
  }
  scan->scan = id;
  scan->done = false;
  return next(cursor);
}

int eof(sqlite3_vtab_cursor* cursor) { return scan_of(cursor)->done; }

int column(sqlite3_vtab_cursor* cursor, sqlite3_context* context, int index) {
  HostScan* scan = scan_of(cursor);
  if (index < 0 || static_cast<size_t>(index) >= scan->cells.size()) {
    return fail(cursor->pVtab, "the host returned a row with too few columns");
  }
  auto [cell, size] = scan->cells[index];
  if (!result_cell(context, cell, size)) return fail(cursor->pVtab, "the host returned a malformed value");
  return SQLITE_OK;
}

int rowid(sqlite3_vtab_cursor* cursor, sqlite3_int64* out) {
  *out = scan_of(cursor)->rowid;
  return SQLITE_OK;
}

sqlite3_module module_with(bool eponymous) {
  sqlite3_module m{};
  m.iVersion = 0;
  m.xCreate = eponymous ? nullptr : create;  // eponymous only: no CREATE VIRTUAL TABLE
  m.xConnect = connect;
  m.xBestIndex = best_index;
  m.xDisconnect = disconnect;
  m.xDestroy = disconnect;
  m.xOpen = open;
  m.xClose = close;
  m.xFilter = filter;
  m.xNext = next;
  m.xEof = eof;
  m.xColumn = column;
  m.xRowid = rowid;
  return m;
}

const sqlite3_module created_module = module_with(false);
const sqlite3_module eponymous_module = module_with(true);

void destroy(void* id) { delete static_cast<uint32_t*>(id); }

}  // namespace

bool create_module(sqlite3* db, std::string_view name, uint32_t id, bool eponymous, Error& error) {
  std::string zname(name);
  int rc = sqlite3_create_module_v2(db, zname.c_str(), eponymous ? &eponymous_module : &created_module,
                                    new uint32_t(id), destroy);
  if (rc != SQLITE_OK) return error = error_from(db), false;
  return true;
}

}  // namespace sqlite_component
