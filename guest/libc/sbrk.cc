// The heap's break, in place of wasi-libc's sbrk: malloc (dlmalloc) asks for memory in 64 KiB
// steps, and wasi-libc grows the linear memory by exactly that much each time. Every
// memory.grow costs the engine about 0.4 ms (V8: new protections, a new ArrayBuffer, external
// memory accounting that provokes collections), so a fresh instance filling 128 MiB spent
// most of its time growing. Here the memory grows ahead of the break, geometrically, and the
// break moves through what is already there. Pages grown but not yet used cost address space
// only: nothing touches them.

#include <cerrno>
#include <cstddef>
#include <cstdint>

namespace {

constexpr uintptr_t kPageSize = 65536;
// Ahead of what is asked, grow by as much as the memory already has, at most this much.
constexpr uintptr_t kMaxAhead = 64u << 20;

uintptr_t break_address = 0;

uintptr_t memory_end() { return __builtin_wasm_memory_size(0) * kPageSize; }

bool grow_pages(uintptr_t pages) { return __builtin_wasm_memory_grow(0, pages) != SIZE_MAX; }

}  // namespace

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
  uintptr_t end = memory_end();
  if (new_break > end) {
    uintptr_t needed = (new_break - end + kPageSize - 1) / kPageSize;
    uintptr_t ahead = (end < kMaxAhead ? end : kMaxAhead) / kPageSize;
    // Near the engine's limit the larger step can fail where the exact one still fits.
    if (!grow_pages(needed + ahead) && !grow_pages(needed)) {
      errno = ENOMEM;
      return reinterpret_cast<void*>(-1);
    }
  }
  break_address = new_break;
  return reinterpret_cast<void*>(old_break);
}
