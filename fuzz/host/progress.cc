// The `progress` import (guest/abi/progress_import.h) for the fuzz targets: a budget of
// progress-handler calls per input, after which the running statement is interrupted, so that
// a query that would run for minutes ends as SQLITE_INTERRUPT instead of a libFuzzer timeout.

#include <cstdio>
#include <cstdlib>

#include "abi/progress_import.h"
#include "host/host.h"

namespace {

uint32_t budget_id = 0;
int64_t budget = 0;

}  // namespace

namespace progress_import {

bool check(uint32_t id) {
  if (id != budget_id) {
    fprintf(stderr, "fuzz: progress handler %u called, %u registered\n", id, budget_id);
    abort();
  }
  return --budget < 0;
}

}  // namespace progress_import

namespace fuzz_host {

void set_progress_budget(uint32_t id, int64_t checks) {
  budget_id = id;
  budget = checks;
}

}  // namespace fuzz_host
