#include "abi/memory.h"

#include "libc/heap.h"

#include <cstdint>
#include <cstdlib>

namespace abi {

namespace {

void* landing_buffer = nullptr;
size_t landing_capacity = 0;
// What a zero-byte request gets: a valid, never-freed address.
alignas(16) uint8_t empty_allocation[16];

}  // namespace

void land_next_list_in(void* buffer, size_t capacity) {
  landing_buffer = buffer;
  landing_capacity = capacity;
}

void clear_landing() { landing_buffer = nullptr; }

void release(void* data, size_t size) {
  if (size != 0 && data != empty_allocation) free(data);
}

}  // namespace abi

extern "C" __attribute__((export_name("cabi_realloc"))) void* cabi_realloc(void* old, size_t old_size,
                                                                            size_t align,
                                                                            size_t new_size) {
  (void)old_size;
  if (!old && abi::landing_buffer && new_size <= abi::landing_capacity) {
    void* buffer = abi::landing_buffer;
    abi::landing_buffer = nullptr;
    return buffer;
  }
  if (new_size == 0) return abi::empty_allocation;
  // malloc aligns to 16, enough for every canonical ABI type.
  (void)align;
  // The canonical ABI has no way to report a failure; 0 is never a valid allocation, so the
  // host checks for it and reports SQLITE_NOMEM before writing anything (src/component.js).
  return realloc(old == abi::empty_allocation ? nullptr : old, new_size);
}

// Our own operator new/delete: libc++'s pull in the new-handler machinery, which reports
// failures through stdio and so would import WASI. Running out of memory aborts either way,
// so these allocations are exempt from the memory limit and from injected failures (heap.h).
void* operator new(size_t size) {
  void* p = heap::exempt_malloc(size ? size : 1);
  if (!p) abort();
  return p;
}
void* operator new[](size_t size) { return operator new(size); }
void operator delete(void* p) noexcept { free(p); }
void operator delete[](void* p) noexcept { free(p); }
void operator delete(void* p, size_t) noexcept { free(p); }
void operator delete[](void* p, size_t) noexcept { free(p); }

// libc++'s assertion and length-error path; its own version prints through stdio (WASI).
namespace std {
inline namespace __2 {
[[noreturn]] void __libcpp_verbose_abort(const char*, ...) noexcept { abort(); }
}  // namespace __2
}  // namespace std
