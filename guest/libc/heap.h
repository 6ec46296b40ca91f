// The instance's heap: a memory limit, and allocation failures injected for tests. Both act on
// what SQLite and cabi_realloc allocate (malloc, realloc and calloc are wrapped at link time,
// see CMakeLists.txt); the C++ layer's operator new is exempt from both, since it has no way
// to fail but abort: its allocations are small (names, column lists) and trap only when the
// 4 GiB of wasm32 are gone.
#pragma once

#include <cstddef>
#include <cstdint>

namespace heap {

// The most linear memory the heap may grow into, in bytes (rounded down to 64 KiB pages); 0
// lifts the limit. Memory already grown stays: a wasm memory cannot shrink.
void set_limit(uint64_t bytes);
// The linear memory's size now, in bytes.
uint64_t memory_size();
// The `after`-th allocation from now (1: the next) fails, and only that one; 0: none. Answers
// what the previous setting still had to wait (0: it fired, or there was none).
uint32_t fail_allocation(uint32_t after);
// malloc for operator new: neither limited nor failed on purpose.
void* exempt_malloc(size_t size);

}  // namespace heap
