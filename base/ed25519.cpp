#include "base/ed25519.h"

#include <sodium.h>

namespace pgptls::base {
namespace {

// libsodium_ready: sodium_init once (it picks the implementations; thread
// safe, and a second call is harmless). A failure leaves every
// verification refused.
bool libsodium_ready() {
  static const bool ready = sodium_init() >= 0;
  return ready;
}

}  // namespace

bool ed25519_verify(ByteView point, ByteView message, ByteView signature) {
  if (point.size() != crypto_sign_PUBLICKEYBYTES || signature.size() != crypto_sign_BYTES ||
      !libsodium_ready()) {
    return false;
  }
  return crypto_sign_verify_detached(signature.data(), message.data(), message.size(),
                                     point.data()) == 0;
}

}  // namespace pgptls::base
