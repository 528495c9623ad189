// key_exchange.h: ephemeral ECDH for TLS 1.2 ECDHE (RFC 8422 §5.10):
// x25519 (RFC 7748) through Nettle's curve25519, secp256r1 and secp384r1
// through Nettle's ecc_point_mul. Keys come from the injected base::Rng.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"
#include "base/rng.h"
#include "base/secret.h"

namespace pgptls::tls {

// NamedGroup: the supported_groups values pgptls implements (RFC 8422 §5.1.1,
// RFC 8446 §4.2.7).
enum class NamedGroup : std::uint16_t {
  secp256r1 = 23,
  secp384r1 = 24,
  x25519 = 29,
};

// supported_groups: all three, in pgptls's preference order.
[[nodiscard]] std::span<const NamedGroup> supported_groups();

// find_group: the group with this wire number, or nullopt when pgptls does
// not implement it.
[[nodiscard]] std::optional<NamedGroup> find_group(std::uint16_t id);

// group_name: "x25519", "secp256r1", "secp384r1".
[[nodiscard]] std::string_view group_name(NamedGroup group);

// public_key_length: 32 for x25519; 1 + 2 * field size for the uncompressed
// NIST points (65, 97).
[[nodiscard]] std::size_t public_key_length(NamedGroup group);

// EcdheKeyPair: one ephemeral key pair. The private scalar is a
// base::SecretBytes, wiped when the pair is destroyed.
//
// Usage:
//   PGPTLS_TRY(auto mine, EcdheKeyPair::generate(NamedGroup::x25519, rng));
//   send(mine.public_key());
//   PGPTLS_TRY(base::SecretBytes pre_master, mine.shared_secret(peer_public));
class EcdheKeyPair {
 public:
  // generate: a fresh key pair from `rng` (RngLevel::key). Fails with the
  // RNG's error, or Errc::internal_error when Nettle fails.
  [[nodiscard]] static Result<EcdheKeyPair> generate(NamedGroup group, base::Rng& rng);

  // from_private: a key pair with a given private key (32 bytes for x25519;
  // a big-endian scalar 0 < d < n of the field size for the NIST curves).
  // For known-answer tests. Fails with Errc::illegal_parameter on a bad key.
  [[nodiscard]] static Result<EcdheKeyPair> from_private(NamedGroup group, ByteView private_key);

  [[nodiscard]] NamedGroup group() const { return group_; }
  // public_key: the wire form (x25519: 32 bytes, RFC 7748 §5; NIST curves:
  // 0x04 ‖ X ‖ Y, RFC 8422 §5.4.1 uncompressed).
  [[nodiscard]] ByteView public_key() const { return public_key_; }

  // shared_secret: the pre-master secret with the peer's public key
  // (RFC 8422 §5.10: x25519 output, or the X coordinate for the NIST curves,
  // padded to the field size). Fails with Errc::illegal_parameter when the
  // peer's key has the wrong length, is not an uncompressed point, is not on
  // the curve, or (x25519) yields the all-zero secret (RFC 7748 §6.1,
  // RFC 8422 §5.11).
  [[nodiscard]] Result<base::SecretBytes> shared_secret(ByteView peer_public_key) const;

 private:
  EcdheKeyPair(NamedGroup group, base::SecretBytes private_key, Bytes public_key)
      : group_(group), private_key_(std::move(private_key)), public_key_(std::move(public_key)) {}

  NamedGroup group_;
  base::SecretBytes private_key_;
  Bytes public_key_;
};

}  // namespace pgptls::tls
