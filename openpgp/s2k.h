// s2k.h: OpenPGP String-to-Key specifiers (RFC 9580 §3.7) and the key
// derivation they describe, through libgcrypt.
//
// Usage:
//   base::ByteReader reader(specifier_bytes);
//   PGPTLS_TRY(S2kSpecifier s2k, openpgp::read_s2k(reader));
//   PGPTLS_TRY(base::SecretBytes key,
//              openpgp::derive_s2k_key(s2k, passphrase, 32, S2kLimits{}));
//
// Every work factor an attacker controls (iterated octet count, Argon2
// memory, passes and lanes) is capped by S2kLimits before any work is done,
// so a hostile key file cannot make us hash gigabytes or allocate terabytes.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/byte_reader.h"
#include "base/bytes.h"
#include "base/result.h"
#include "base/secret.h"

namespace pgptls::openpgp {

// S2kType: RFC 9580 §3.7.1 specifier types, plus GnuPG's private type 101.
enum class S2kType : std::uint8_t {
  simple = 0,
  salted = 1,
  iterated_salted = 3,
  argon2 = 4,
  gnu_extension = 101,
};

// GnuS2kMode: what a GnuPG type-101 specifier says about the secret: it is
// absent (gnu-dummy, the secret was not exported) or it lives on a
// smartcard (divert-to-card).
enum class GnuS2kMode : std::uint8_t { none = 0, dummy = 1, divert_to_card = 2 };

// S2kSpecifier: one parsed specifier.
struct S2kSpecifier {
  S2kType type = S2kType::simple;
  std::uint8_t hash_algorithm = 0;  // RFC 9580 §9.5 ID; unused for Argon2
  Bytes salt;                       // 8 octets (salted, iterated), 16 (Argon2)
  std::uint8_t coded_count = 0;     // iterated: RFC 9580 §3.7.1.3 coded octet count
  std::uint8_t argon2_passes = 0;
  std::uint8_t argon2_parallelism = 0;
  std::uint8_t argon2_encoded_memory = 0;  // memory is 2^this KiB
  GnuS2kMode gnu_mode = GnuS2kMode::none;
  Bytes card_serial;  // divert-to-card: the card's serial number

  // iterated_octets: the decoded octet count of an iterated+salted S2K.
  [[nodiscard]] std::uint32_t iterated_octets() const;
  // argon2_memory_kib: the decoded Argon2 memory size in KiB.
  [[nodiscard]] std::uint64_t argon2_memory_kib() const;
};

// S2kLimits: the policy caps on S2K work factors. The defaults admit every
// iterated count RFC 9580 can encode (GnuPG calibrates up to the largest) and
// Argon2 up to RFC 9106 §4's first recommended option (t=1, p=4, 2 GiB),
// which is what the RFC 9580 §A.5 sample uses.
struct S2kLimits {
  std::uint32_t max_iterated_octets = 65'011'712;  // coded count 255
  std::uint8_t max_argon2_encoded_memory = 21;     // 2 GiB
  std::uint8_t max_argon2_passes = 16;
  std::uint8_t max_argon2_parallelism = 16;
};

// read_s2k: reads one specifier from the reader, leaving it after the
// specifier. Errors: Errc::malformed_packet (truncated, Argon2 parameters
// outside RFC 9580 §3.7.1.4, unknown GnuPG mode), Errc::unsupported_algorithm
// (unknown specifier type or hash).
[[nodiscard]] Result<S2kSpecifier> read_s2k(base::ByteReader& reader);

// derive_s2k_key: the key_size-octet key that the specifier derives from the
// passphrase. Errors: Errc::rejected_by_policy when a work factor exceeds the
// limits, Errc::unsupported_algorithm for an unknown hash or a GnuPG stub
// (which has no key to derive), Errc::bad_passphrase for an empty passphrase.
[[nodiscard]] Result<base::SecretBytes> derive_s2k_key(const S2kSpecifier& s2k, ByteView passphrase,
                                                       std::size_t key_size,
                                                       const S2kLimits& limits);

// gcrypt_hash_algorithm: libgcrypt's ID for an RFC 9580 §9.5 hash ID, or 0.
[[nodiscard]] int gcrypt_hash_algorithm(std::uint8_t openpgp_hash);

// ensure_libgcrypt: initialises libgcrypt once per process (version check,
// no secure-memory pool: our secrets live in wiped SecretBytes instead). Safe
// to call from any thread, any number of times.
void ensure_libgcrypt();

}  // namespace pgptls::openpgp
