// The `functions` import (guest/abi/functions_import.h) for the fuzz targets: a few user
// functions and aggregates whose answers come back through the guest's packed cells, as a JS
// host's would. The arguments the guest packs are checked on the way in: they must split into
// cells, one per argument.

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <utility>
#include <vector>

#include "abi/functions_import.h"
#include "host/host.h"
#include "sqlite/packed.h"

using functions_import::Answer;
using sqlite_component::HostBytes;

namespace {

const uint8_t* answer_data = nullptr;
size_t answer_size = 0;
std::map<uint32_t, int64_t> counts;  // kCount's rows in frame, by group

// Memory the guest will free(), as cabi_realloc's would be.
HostBytes copy(const void* data, size_t size) {
  if (size == 0) return HostBytes();
  auto* bytes = static_cast<uint8_t*>(malloc(size));
  if (!bytes) abort();
  memcpy(bytes, data, size);
  return HostBytes(bytes, size);
}

Answer ok(const void* data, size_t size) { return {true, copy(data, size)}; }
Answer fail(const char* message) { return {false, copy(message, strlen(message))}; }

Answer integer(int64_t value) {
  uint8_t cell[9] = {sqlite_component::kInteger};
  memcpy(cell + 1, &value, 8);
  return ok(cell, sizeof cell);
}

std::vector<std::pair<const uint8_t*, size_t>> arguments_of(const uint8_t* args, size_t size) {
  std::vector<std::pair<const uint8_t*, size_t>> cells;
  if (!sqlite_component::split_cells(args, size, cells)) {
    fprintf(stderr, "fuzz: the guest packed a user function's arguments malformed\n");
    abort();
  }
  return cells;
}

}  // namespace

namespace functions_import {

Answer call(uint32_t id, const uint8_t* args, size_t size, bool) {
  auto cells = arguments_of(args, size);
  switch (id) {
    case fuzz_host::kEcho: {
      if (cells.empty()) {
        uint8_t null_cell = sqlite_component::kNull;
        return ok(&null_cell, 1);
      }
      return ok(cells[0].first, cells[0].second);
    }
    case fuzz_host::kAnswer:
      return ok(answer_data, answer_size);
    case fuzz_host::kAnswerCell: {
      std::vector<std::pair<const uint8_t*, size_t>> answer;
      int64_t index = -1;
      if (cells.size() == 1 && cells[0].first[0] == sqlite_component::kInteger) memcpy(&index, cells[0].first + 1, 8);
      if (!sqlite_component::split_cells(answer_data, answer_size, answer) || index < 0 ||
          static_cast<uint64_t>(index) >= answer.size()) {
        return fail("no such cell");
      }
      return ok(answer[index].first, answer[index].second);
    }
    default:
      return fail("fz_fail");
  }
}

Answer step(uint32_t id, uint32_t group, const uint8_t* args, size_t size, bool inverse, bool) {
  arguments_of(args, size);
  if (id != fuzz_host::kCount) return fail("fz_fail_step");
  counts[group] += inverse ? -1 : 1;
  return {true, HostBytes()};
}

Answer value(uint32_t id, uint32_t group, bool final, bool) {
  if (id != fuzz_host::kCount) return fail("fz_fail_step");
  int64_t count = counts[group];
  if (final) counts.erase(group);
  return integer(count);
}

}  // namespace functions_import

namespace fuzz_host {

void set_answer(const uint8_t* data, size_t size) {
  answer_data = data;
  answer_size = size;
}

// Groups whose final value SQLite never asked for (their statement failed) are forgotten here.
void reset_functions() {
  counts.clear();
  set_answer(nullptr, 0);
}

}  // namespace fuzz_host
