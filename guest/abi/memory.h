// Guest memory as the canonical ABI sees it: cabi_realloc, and a one-shot landing buffer.
#pragma once

#include <cstddef>

namespace abi {

// The next cabi_realloc(nullptr, 0, _, n) with n <= capacity returns `buffer` instead of
// allocating: a list the host returns from an import then lands where the caller wants it.
void land_next_list_in(void* buffer, size_t capacity);
// Forgets an unused landing buffer. Every import that arms one clears it when the import
// returns, success or failure. An import that never returns (the host threw through the
// guest's frames, or a trap) leaves the instance dead: the host makes no further call into it,
// cabi_realloc included (src/component.js), so a stale landing buffer is never used.
void clear_landing();

// Frees memory the host allocated through cabi_realloc (empty lists were never allocated).
void release(void* data, size_t size);

}  // namespace abi
