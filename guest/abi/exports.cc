// Lifts calls to the exported `sqlite:component/database@0.1.0` interface into Connection and
// Statement calls, and lowers their results. The only code that knows export names and
// memory layouts (design/mvp/CanonicalABI.md): a result with a payload is returned through a
// static return area, discriminant byte at 0 and payload at its alignment (4, or 8 for
// run-result). Strings handed back point into memory that stays valid until the next call,
// so no post-return functions are needed.

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "abi/memory.h"
#include "libc/heap.h"
#include "sqlite/backup.h"
#include "sqlite/connection.h"
#include "sqlite/statement.h"

using sqlite_component::Connection;
using sqlite_component::Error;
using sqlite_component::HostBytes;
using sqlite_component::Statement;

#define EXPORT(name) __attribute__((export_name("sqlite:component/database@0.1.0#" name)))
#define RESOURCE_INTRINSIC(name) \
  __attribute__((import_module("[export]sqlite:component/database@0.1.0"), import_name(name)))

extern "C" {
RESOURCE_INTRINSIC("[resource-new]connection") int32_t connection_new(Connection* rep);
RESOURCE_INTRINSIC("[resource-new]statement") int32_t statement_new(Statement* rep);
RESOURCE_INTRINSIC("[resource-new]backup") int32_t backup_new(sqlite_component::Backup* rep);
}

namespace {

// `string` and `list<T>` in linear memory.
struct WitList {
  const void* ptr;
  uint32_t len;
};
struct WitOptionString {
  uint8_t is_some;
  WitList value;
};
struct WitColumn {
  WitList name;
  WitOptionString origin_column, origin_table, origin_database, declared_type;
};
static_assert(sizeof(WitList) == 8 && sizeof(WitOptionString) == 12 && sizeof(WitColumn) == 56);

alignas(8) uint8_t ret[48];  // the largest result: result<rows, error>, 48 bytes (its failure an error of 20)
Error last_error;  // owns the message the return area points at
std::vector<WitList> column_names, parameter_names;
std::vector<WitColumn> columns;

template <typename T>
void put(size_t offset, T value) {
  memcpy(ret + offset, &value, sizeof(T));
}

WitList wit_string(std::string_view s) { return WitList{s.data(), static_cast<uint32_t>(s.size())}; }

WitOptionString wit_option(const char* s) {
  return s ? WitOptionString{1, wit_string(s)} : WitOptionString{0, {nullptr, 0}};
}

// Takes ownership of a string or list argument; freed when the view is gone.
struct Argument final {
  Argument(const void* ptr, uint32_t len) : ptr_(const_cast<void*>(ptr)), len_(len) {}
  ~Argument() { abi::release(ptr_, len_); }
  Argument(const Argument&) = delete;
  Argument& operator=(const Argument&) = delete;
  std::string_view view() const { return {static_cast<const char*>(ptr_), len_}; }

 private:
  void* ptr_;
  uint32_t len_;
};

HostBytes take_bytes(void* ptr, uint32_t len) { return HostBytes(static_cast<uint8_t*>(ptr), len); }

// The `error` record at `at`; its message is kept until the next call.
void put_error(size_t at, Error&& error) {
  last_error = std::move(error);
  put<int32_t>(at, last_error.code);
  put<int32_t>(at + 4, last_error.extended_code);
  put(at + 8, wit_string(last_error.message));
  put<int32_t>(at + 16, last_error.offset);
}

// result<T, error> with the error payload at `at`.
uint8_t* fail(Error&& error, size_t at = 4) {
  put<uint8_t>(0, 1);
  put_error(at, std::move(error));
  return ret;
}

uint8_t* ok() {
  put<uint8_t>(0, 0);
  return ret;
}

uint8_t* ok_or_fail(bool succeeded, Error& error) { return succeeded ? ok() : fail(std::move(error)); }

}  // namespace

extern "C" {

EXPORT("[static]connection.open")
uint8_t* connection_open(const char* filename, uint32_t filename_len, const char* vfs,
                         uint32_t vfs_len, int32_t flags) {
  Argument filename_arg(filename, filename_len), vfs_arg(vfs, vfs_len);
  Error error;
  Connection* connection = Connection::open(filename_arg.view(), vfs_arg.view(), flags, error);
  if (!connection) return fail(std::move(error));
  put<int32_t>(4, connection_new(connection));
  return ok();
}

EXPORT("[method]connection.exec")
uint8_t* connection_exec(Connection* self, const char* sql, uint32_t sql_len) {
  Argument sql_arg(sql, sql_len);
  Error error;
  return ok_or_fail(self->exec(sql_arg.view(), error), error);
}

EXPORT("[method]connection.prepare")
uint8_t* connection_prepare(Connection* self, const char* sql, uint32_t sql_len) {
  Argument sql_arg(sql, sql_len);
  Error error;
  bool has_tail = false;
  uint32_t tail = 0;
  Statement* statement = self->prepare(sql_arg.view(), has_tail, tail, error);
  if (!statement) {
    if (error.code != 0) return fail(std::move(error));
    put<uint8_t>(4, 0);  // option::none: no statement in the text
    return ok();
  }
  sqlite_component::StatementInfo info;
  statement->describe(info);
  column_names.clear();
  for (auto name : info.column_names) column_names.push_back(wit_string(name));
  parameter_names.clear();
  for (auto name : info.parameter_names) parameter_names.push_back(wit_string(name));
  put<uint8_t>(4, 1);
  put<int32_t>(8, statement_new(statement));
  put<uint32_t>(12, static_cast<uint32_t>(reinterpret_cast<uintptr_t>(statement)));
  put<uint8_t>(16, info.readonly);
  put(20, WitList{column_names.data(), static_cast<uint32_t>(column_names.size())});
  put(28, WitList{parameter_names.data(), static_cast<uint32_t>(parameter_names.size())});
  put<uint8_t>(36, has_tail);
  put<uint32_t>(40, tail);
  return ok();
}

EXPORT("[method]connection.get-autocommit") int32_t connection_get_autocommit(Connection* self) {
  return self->autocommit();
}

EXPORT("[method]connection.busy-timeout")
uint8_t* connection_busy_timeout(Connection* self, int32_t milliseconds) {
  Error error;
  return ok_or_fail(self->busy_timeout(milliseconds, error), error);
}

EXPORT("[method]connection.close") uint8_t* connection_close(Connection* self) {
  Error error;
  return ok_or_fail(self->close(error), error);
}

EXPORT("[method]connection.serialize")
uint8_t* connection_serialize(Connection* self, const char* schema, uint32_t schema_len) {
  Argument schema_arg(schema, schema_len);
  Error error;
  std::span<const uint8_t> image;
  if (!self->serialize(schema_arg.view(), image, error)) return fail(std::move(error));
  put(4, WitList{image.data(), static_cast<uint32_t>(image.size())});
  return ok();
}

EXPORT("[method]connection.deserialize")
uint8_t* connection_deserialize(Connection* self, const char* schema, uint32_t schema_len,
                                uint8_t* image, uint32_t image_len, int32_t readonly) {
  Argument schema_arg(schema, schema_len), image_arg(image, image_len);
  Error error;
  return ok_or_fail(
      self->deserialize(schema_arg.view(), {image, image_len}, readonly != 0, error), error);
}

// `function-flags` lowers to one byte of bits, in declaration order.
static sqlite_component::FunctionFlags function_flags(int32_t bits) { return {(bits & 1) != 0, (bits & 2) != 0}; }

EXPORT("[method]connection.create-function")
uint8_t* connection_create_function(Connection* self, const char* name, uint32_t name_len, uint32_t id,
                                    int32_t arity, int32_t flags) {
  Argument name_arg(name, name_len);
  Error error;
  return ok_or_fail(self->create_function(name_arg.view(), id, arity, function_flags(flags), error), error);
}

EXPORT("[method]connection.create-aggregate")
uint8_t* connection_create_aggregate(Connection* self, const char* name, uint32_t name_len, uint32_t id,
                                     int32_t arity, int32_t flags, int32_t window) {
  Argument name_arg(name, name_len);
  Error error;
  return ok_or_fail(
      self->create_aggregate(name_arg.view(), id, arity, function_flags(flags), window != 0, error), error);
}

EXPORT("[method]connection.create-module")
uint8_t* connection_create_module(Connection* self, const char* name, uint32_t name_len, uint32_t id,
                                  int32_t eponymous) {
  Argument name_arg(name, name_len);
  Error error;
  return ok_or_fail(self->create_module(name_arg.view(), id, eponymous != 0, error), error);
}

EXPORT("[method]connection.limit") int32_t connection_limit(Connection* self, int32_t id, int32_t value) {
  return self->limit(id, value);
}

EXPORT("[method]connection.db-config")
uint8_t* connection_db_config(Connection* self, int32_t op, int32_t has_on, int32_t on) {
  Error error;
  bool now = false;
  if (!self->db_config(op, has_on ? (on != 0 ? 1 : 0) : -1, now, error)) return fail(std::move(error));
  put<uint8_t>(4, now);
  return ok();
}

EXPORT("[method]connection.progress-handler")
void connection_progress_handler(Connection* self, uint32_t id, int32_t steps) {
  self->progress_handler(id, steps);
}

EXPORT("[dtor]connection") void connection_dtor(Connection* self) { delete self; }

EXPORT("[method]statement.expanded-sql")
uint8_t* statement_expanded_sql(Statement* self, int32_t has_parameters, uint8_t* parameters,
                                uint32_t parameters_len) {
  static std::string sql;  // what the return area points at, until the next call
  std::optional<HostBytes> bound;
  if (has_parameters) bound = take_bytes(parameters, parameters_len);
  Error error;
  if (!self->expanded_sql(std::move(bound), sql, error)) return fail(std::move(error));
  put(4, wit_string(sql));
  return ok();
}

EXPORT("[static]backup.start")
uint8_t* backup_start(Connection* source, const char* schema, uint32_t schema_len, const char* filename,
                      uint32_t filename_len, const char* vfs, uint32_t vfs_len) {
  Argument schema_arg(schema, schema_len), filename_arg(filename, filename_len), vfs_arg(vfs, vfs_len);
  Error error;
  auto* backup = sqlite_component::Backup::start(source, schema_arg.view(), filename_arg.view(), vfs_arg.view(), error);
  if (!backup) return fail(std::move(error));
  put<int32_t>(4, backup_new(backup));
  return ok();
}

EXPORT("[method]backup.step") uint8_t* backup_step(sqlite_component::Backup* self, int32_t pages) {
  Error error;
  sqlite_component::BackupProgress progress{};
  if (!self->step(pages, progress, error)) return fail(std::move(error));
  put<int32_t>(4, progress.total_pages);
  put<int32_t>(8, progress.remaining_pages);
  put<uint8_t>(12, progress.done);
  return ok();
}

EXPORT("[method]backup.finish") uint8_t* backup_finish(sqlite_component::Backup* self, int32_t discard) {
  Error error;
  return ok_or_fail(self->finish(discard != 0, error), error);
}

EXPORT("[dtor]backup") void backup_dtor(sqlite_component::Backup* self) { delete self; }

EXPORT("[method]statement.run")
uint8_t* statement_run(Statement* self, int32_t has_parameters, uint8_t* parameters,
                       uint32_t parameters_len) {
  std::optional<HostBytes> bound;
  if (has_parameters) bound = take_bytes(parameters, parameters_len);
  Error error;
  sqlite_component::RunResult result;
  if (!self->run(std::move(bound), result, error))
    return fail(std::move(error), 8);
  put<int64_t>(8, result.changes);
  put<int64_t>(16, result.last_insert_rowid);
  return ok();
}

EXPORT("[method]statement.step-many")
uint8_t* statement_step_many(Statement* self, int32_t has_parameters, uint8_t* parameters,
                             uint32_t parameters_len, uint32_t max_rows, uint32_t max_bytes,
                             int32_t reset) {
  std::optional<HostBytes> bound;
  if (has_parameters) bound = take_bytes(parameters, parameters_len);
  Error error;
  sqlite_component::Rows rows;
  if (!self->step_many(std::move(bound), max_rows, max_bytes, reset != 0, rows, error))
    return fail(std::move(error));
  put<uint32_t>(4, rows.column_count);
  put<uint32_t>(8, rows.row_count);
  put(12, WitList{rows.cells, static_cast<uint32_t>(rows.cells_size)});
  put<uint8_t>(20, rows.done);
  bool failed = rows.failure.code != 0;
  put<uint8_t>(24, failed);  // option<error>
  if (failed) put_error(28, std::move(rows.failure));
  return ok();
}

EXPORT("[method]statement.reset") void statement_reset(Statement* self) { self->reset(); }

EXPORT("[method]statement.columns") uint8_t* statement_columns(Statement* self) {
  columns.clear();
  for (const auto& c : self->columns()) {
    columns.push_back(WitColumn{wit_string(c.name), wit_option(c.origin_column),
                                wit_option(c.origin_table), wit_option(c.origin_database),
                                wit_option(c.declared_type)});
  }
  put(0, WitList{columns.data(), static_cast<uint32_t>(columns.size())});
  return ret;
}

EXPORT("[dtor]statement") void statement_dtor(Statement* self) { delete self; }

EXPORT("memory-limit") int64_t memory_limit(int64_t bytes) {
  heap::set_limit(uint64_t(bytes));
  return int64_t(heap::memory_size());
}

EXPORT("fail-allocation") int32_t fail_allocation(int32_t after) {
  return int32_t(heap::fail_allocation(uint32_t(after)));
}

}  // extern "C"
