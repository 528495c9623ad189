// keyring_secret_fuzz.cpp: secret key packet parsing and unlocking.
//
// Input layout: [mode][data...]. Mode bit 0 picks the packet type (5 or 7)
// when data is one packet body; mode bit 1 instead feeds data to
// load_secret_keys (armor and packet framing). Every parsed packet is then
// unlocked with a fixed passphrase under tight S2K limits, so the fuzzer
// reaches decryption, the checks and the GnuTLS import without spending its
// time in key derivation.
#include <cstddef>
#include <cstdint>
#include <span>

#include "openpgp/secret_key.h"

namespace {

using pgptls::ByteView;
using pgptls::openpgp::S2kLimits;
using pgptls::openpgp::SecretKeyPacket;

S2kLimits tight_limits() {
  S2kLimits limits;
  limits.max_iterated_octets = 65536;
  limits.max_argon2_encoded_memory = 6;  // 64 KiB
  limits.max_argon2_passes = 1;
  limits.max_argon2_parallelism = 1;
  return limits;
}

void unlock(const SecretKeyPacket& packet) {
  static const S2kLimits limits = tight_limits();
  static const std::uint8_t passphrase[] = {'f', 'u', 'z', 'z'};
  (void)pgptls::openpgp::unlock_secret_key(packet, ByteView(passphrase), limits);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  const std::uint8_t mode = data[0];
  const ByteView rest(data + 1, size - 1);
  if ((mode & 2U) != 0) {
    auto keys = pgptls::openpgp::load_secret_keys(rest);
    if (keys.ok()) {
      for (const SecretKeyPacket& packet : *keys) {
        unlock(packet);
      }
    }
    return 0;
  }
  const std::uint8_t tag = (mode & 1U) != 0 ? 7 : 5;
  auto packet = pgptls::openpgp::parse_secret_key_packet(tag, rest);
  if (packet.ok()) {
    unlock(*packet);
  }
  return 0;
}
