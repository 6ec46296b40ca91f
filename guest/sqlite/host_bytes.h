// Memory the host handed over through cabi_realloc: ours to keep, ours to free.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <utility>

namespace sqlite_component {

class HostBytes final {
 public:
  HostBytes() = default;
  HostBytes(uint8_t* data, size_t size) : data_(data), size_(size) {}
  HostBytes(HostBytes&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}
  HostBytes& operator=(HostBytes&& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    return *this;
  }
  HostBytes(const HostBytes&) = delete;
  HostBytes& operator=(const HostBytes&) = delete;
  // An empty list may arrive as a dangling non-null pointer: only a non-empty one was allocated.
  ~HostBytes() {
    if (size_ != 0) free(data_);
  }

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace sqlite_component
