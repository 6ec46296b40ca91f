// The stand-in host the fuzz targets link in place of the canonical-ABI glue: it serves the
// imports of guest/abi/*_import.h natively (files in memory, a few user functions, two virtual
// table modules, a progress budget), and lets a target set it up and check it between inputs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace fuzz_host {

// --- vfs (memory_vfs.cc) ---

// Stores `size` bytes as the file `name`, replacing any file of that name.
void put_file(const std::string& name, const uint8_t* data, size_t size);
bool file_exists(const std::string& name);
// Files opened and not yet closed, whichever connection opened them.
size_t open_file_count();
// The `after`-th call from now that can fail (1: the next; 0: none) answers `code` instead of
// doing its work — close and shm-unmap do it still — and with `sticky`, every call after it too.
void fail_vfs_call(uint32_t after, int code, bool sticky);
// Forgets every file and restarts the random bytes, so that each input runs alike.
void reset_files();

// --- functions (functions.cc) ---

// Ids of the user functions the host serves; harness.cc registers them under SQL names.
enum FunctionId : uint32_t {
  kEcho = 1,        // its first argument, or NULL
  kFail = 2,        // always an error
  kAnswer = 3,      // the bytes of set_answer, as they are (well-formed or not)
  kAnswerCell = 4,  // cell N of set_answer's bytes, N its integer argument
  kCount = 10,      // an aggregate and window function: how many rows are in the frame
  kFailStep = 11,   // an aggregate whose step fails
};
// What kAnswer and kAnswerCell answer from; the bytes must outlive the calls.
void set_answer(const uint8_t* data, size_t size);
void reset_functions();

// --- tables (tables.cc) ---

enum ModuleId : uint32_t {
  kSeries = 1,  // eponymous: (start HIDDEN, stop HIDDEN, value), rows start..stop, at most 100
  kBroken = 2,  // CREATE VIRTUAL TABLE … USING: its argument picks how its host misbehaves
};
// Tables connected and scans open; both must be 0 once every connection is closed.
size_t live_tables();
size_t live_scans();

// --- progress (progress.cc) ---

// Progress handler `id` lets the running statement go on for `checks` more calls, then asks
// SQLite to interrupt it; any other id is a bug in the guest.
void set_progress_budget(uint32_t id, int64_t checks);

}  // namespace fuzz_host
