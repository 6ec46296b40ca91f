// Lowers functions_import calls to the imported `sqlite:component/functions@0.1.0` functions.
// Each result comes back through a return area: discriminant byte at 0; the list<u8> or the
// string at 4 (pointer) and 8 (length), allocated by our cabi_realloc.

#include "abi/functions_import.h"

#include "abi/return_area.h"

#include <cstdint>
#include <cstring>

#define FUNCTIONS_IMPORT(name) \
  __attribute__((import_module("sqlite:component/functions@0.1.0"), import_name(name)))

extern "C" {
FUNCTIONS_IMPORT("call") void functions_call(uint32_t, const uint8_t*, size_t, int32_t, uint8_t* ret);
FUNCTIONS_IMPORT("step")
void functions_step(uint32_t, uint32_t, const uint8_t*, size_t, int32_t, int32_t, uint8_t* ret);
FUNCTIONS_IMPORT("value") void functions_value(uint32_t, uint32_t, int32_t, int32_t, uint8_t* ret);
}

namespace functions_import {

namespace {

struct ReturnArea : abi::ReturnArea<12> {
  // A result<_, string> leaves the payload unset on success: nothing is taken then.
  Answer take(bool payload_on_ok) const {
    if (ok() && !payload_on_ok) return {true, {}};
    return {ok(), sqlite_component::HostBytes(at<uint8_t*>(4), at<uint32_t>(8))};
  }
};

}  // namespace

Answer call(uint32_t id, const uint8_t* args, size_t size, bool in_transaction) {
  ReturnArea r;
  functions_call(id, args, size, in_transaction, r.bytes);
  return r.take(true);
}

Answer step(uint32_t id, uint32_t group, const uint8_t* args, size_t size, bool inverse, bool in_transaction) {
  ReturnArea r;
  functions_step(id, group, args, size, inverse, in_transaction, r.bytes);
  return r.take(false);
}

Answer value(uint32_t id, uint32_t group, bool final, bool in_transaction) {
  ReturnArea r;
  functions_value(id, group, final, in_transaction, r.bytes);
  return r.take(true);
}

}  // namespace functions_import
