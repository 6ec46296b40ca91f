// The heap's break, in place of wasi-libc's sbrk, and the limits of heap.h.
//
// malloc (dlmalloc) asks sbrk for memory in 64 KiB steps, and wasi-libc grows the linear
// memory by exactly that much each time. Every memory.grow costs the engine about 0.4 ms (V8:
// new protections, a new ArrayBuffer, external memory accounting that provokes collections),
// so a fresh instance filling 128 MiB spent most of its time growing. Here the memory grows
// ahead of the break, geometrically, and the break moves through what is already there. Pages
// grown but not yet used cost address space only: nothing touches them.

#include "libc/heap.h"

#include <cerrno>
#include <cstddef>
#include <cstdint>

extern "C" {
void* __real_malloc(size_t size);
void* __real_realloc(void* old, size_t size);
void* __real_calloc(size_t count, size_t size);
}

namespace {

constexpr uintptr_t kPageSize = 65536;
// Ahead of what is asked, grow by as much as the memory already has, at most this much.
constexpr uintptr_t kMaxAhead = 64u << 20;

uintptr_t break_address = 0;
uintptr_t limit = 0;  // bytes of linear memory, a multiple of kPageSize; 0: none
bool exempt = false;  // inside heap::exempt_malloc
uint32_t fail_countdown = 0;

uintptr_t memory_end() { return __builtin_wasm_memory_size(0) * kPageSize; }

bool grow_pages(uintptr_t pages) { return __builtin_wasm_memory_grow(0, pages) != SIZE_MAX; }

// Whether this allocation is the one to fail.
bool injected_failure() { return fail_countdown != 0 && --fail_countdown == 0; }

}  // namespace

namespace heap {

void set_limit(uint64_t bytes) {
  limit = bytes >= (uint64_t(1) << 32) ? 0 : uintptr_t(bytes) / kPageSize * kPageSize;
}

uint64_t memory_size() { return memory_end(); }

uint32_t fail_allocation(uint32_t after) {
  uint32_t left = fail_countdown;
  fail_countdown = after;
  return left;
}

void* exempt_malloc(size_t size) {
  exempt = true;
  void* p = __real_malloc(size);
  exempt = false;
  return p;
}

}  // namespace heap

extern "C" void* __wrap_malloc(size_t size) { return injected_failure() ? nullptr : __real_malloc(size); }
extern "C" void* __wrap_realloc(void* old, size_t size) {
  return injected_failure() ? nullptr : __real_realloc(old, size);
}
extern "C" void* __wrap_calloc(size_t count, size_t size) {
  return injected_failure() ? nullptr : __real_calloc(count, size);
}

extern "C" void* sbrk(intptr_t increment) {
  // dlmalloc starts with what lies between __heap_base and the memory's initial end, which
  // sbrk(0) reports, then asks for more.
  if (break_address == 0) break_address = memory_end();
  uintptr_t old_break = break_address;
  if (increment == 0) return reinterpret_cast<void*>(old_break);
  // dlmalloc never gives memory back (a wasm memory cannot shrink).
  if (increment < 0 || uintptr_t(increment) > UINTPTR_MAX - old_break) {
    errno = ENOMEM;
    return reinterpret_cast<void*>(-1);
  }
  uintptr_t new_break = old_break + uintptr_t(increment);
  uintptr_t ceiling = limit && !exempt ? limit : 0;
  if (ceiling && new_break > ceiling) {
    errno = ENOMEM;
    return reinterpret_cast<void*>(-1);
  }
  uintptr_t end = memory_end();
  if (new_break > end) {
    uintptr_t needed = (new_break - end + kPageSize - 1) / kPageSize;
    uintptr_t ahead = (end < kMaxAhead ? end : kMaxAhead) / kPageSize;
    // Growing ahead stops at the limit (new_break is within it, so `needed` fits).
    if (ceiling && end + (needed + ahead) * kPageSize > ceiling) ahead = (ceiling - end) / kPageSize - needed;
    // Near the engine's limit the larger step can fail where the exact one still fits.
    if (!grow_pages(needed + ahead) && !grow_pages(needed)) {
      errno = ENOMEM;
      return reinterpret_cast<void*>(-1);
    }
  }
  break_address = new_break;
  return reinterpret_cast<void*>(old_break);
}
