// Where an import's result comes back (the canonical ABI's return pointer): the discriminant
// byte at 0, the payload from its alignment on.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace abi {

template <size_t Size>
struct alignas(8) ReturnArea {
  uint8_t bytes[Size] = {};

  bool ok() const { return bytes[0] == 0; }
  template <typename T>
  T at(size_t offset) const {
    T value;
    memcpy(&value, bytes + offset, sizeof(T));
    return value;
  }
  // result<_, s32> and friends: the error code sits at 4.
  int code() const { return ok() ? 0 : at<int32_t>(4); }
};

}  // namespace abi
