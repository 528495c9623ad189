// secret.h: buffers for key material that are wiped when freed, and
// constant-time comparison.
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <span>
#include <vector>

#include "base/bytes.h"

namespace pgptls::base {

// secure_wipe: overwrites memory in a way the compiler may not elide.
void secure_wipe(std::span<std::uint8_t> memory) noexcept;
void secure_wipe(void* memory, std::size_t size) noexcept;

// WipingAllocator: an allocator that wipes every block before freeing it,
// so a growing vector leaves no copy of a secret behind.
template <class T>
struct WipingAllocator {
  using value_type = T;
  WipingAllocator() noexcept = default;
  template <class U>
  WipingAllocator(const WipingAllocator<U>& /*other*/) noexcept {}  // NOLINT implicit

  [[nodiscard]] T* allocate(std::size_t count) {
    return static_cast<T*>(::operator new(count * sizeof(T)));
  }
  void deallocate(T* pointer, std::size_t count) noexcept {
    secure_wipe(pointer, count * sizeof(T));
    ::operator delete(pointer);
  }
  friend bool operator==(const WipingAllocator&, const WipingAllocator&) noexcept { return true; }
};

// SecretBytes: a byte vector for secrets (keys, master secrets, passphrases).
using SecretBytes = std::vector<std::uint8_t, WipingAllocator<std::uint8_t>>;

// to_secret: copies bytes into a SecretBytes.
inline SecretBytes to_secret(ByteView data) {
  return {data.begin(), data.end()};
}

// constant_time_equal: true when both spans hold the same bytes. The time
// taken depends on the lengths only, never on the contents (use it for MACs
// and Finished values).
[[nodiscard]] bool constant_time_equal(ByteView a, ByteView b) noexcept;

}  // namespace pgptls::base
