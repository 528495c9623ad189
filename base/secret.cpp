#include "base/secret.h"

#include <gnutls/gnutls.h>
#include <nettle/memops.h>

namespace pgptls::base {

void secure_wipe(void* memory, std::size_t size) noexcept {
  if (memory != nullptr && size != 0) {
    gnutls_memset(memory, 0, size);
  }
}

void secure_wipe(std::span<std::uint8_t> memory) noexcept {
  secure_wipe(memory.data(), memory.size());
}

bool constant_time_equal(ByteView a, ByteView b) noexcept {
  if (a.size() != b.size()) {
    return false;
  }
  return memeql_sec(a.data(), b.data(), a.size()) != 0;
}

}  // namespace pgptls::base
