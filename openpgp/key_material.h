// key_material.h: OpenPGP public key packets v4 and v6 (RFC 9580 §5.5.2),
// their fingerprints and key IDs (§5.5.4), and their conversion into GnuTLS
// abstract public keys for verification.
//
// Usage:
//   PGPTLS_TRY(PublicKey key, openpgp::parse_public_key(packet.body));
//   key.fingerprint;  key.key_id;  key.bits();
//   PGPTLS_TRY(base::PublicKeyHandle gk, openpgp::to_gnutls_pubkey(key));
//
//   // Secret key packets start with the public part:
//   base::ByteReader r(secret_body);
//   PGPTLS_TRY(PublicKey key, openpgp::read_public_key(r));  // r now at the secret part
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/byte_reader.h"
#include "base/bytes.h"
#include "base/gnutls_handles.h"
#include "base/result.h"

namespace pgptls::openpgp {

// PublicKeyAlgorithm: RFC 9580 §9.1.
enum class PublicKeyAlgorithm : std::uint8_t {
  rsa = 1,
  rsa_encrypt_only = 2,
  rsa_sign_only = 3,
  elgamal = 16,
  dsa = 17,
  ecdh = 18,
  ecdsa = 19,
  eddsa_legacy = 22,
  x25519 = 25,
  x448 = 26,
  ed25519 = 27,
  ed448 = 28,
};

// Curve: the elliptic curves named by OID in ECDSA/ECDH/EdDSA keys
// (RFC 9580 §9.2).
enum class Curve : std::uint8_t {
  none,
  nist_p256,
  nist_p384,
  nist_p521,
  brainpool_p256,
  brainpool_p384,
  brainpool_p512,
  ed25519_legacy,
  curve25519_legacy,
  unknown,
};

// algorithm_name: "RSA", "Ed25519", "ECDSA", ... for messages.
[[nodiscard]] std::string algorithm_name(std::uint8_t algorithm);

// PublicKey: one parsed primary key or subkey.
struct PublicKey {
  std::uint8_t version = 0;  // 4 or 6
  std::uint32_t creation_time = 0;
  PublicKeyAlgorithm algorithm{};
  Curve curve = Curve::none;
  // Algorithm-specific fields in wire order, without MPI length prefixes
  // (RFC 9580 §5.5.5): RSA n,e; DSA p,q,g,y; ElGamal p,g,y; ECDSA/EdDSA/ECDH
  // the point; ECDH also the KDF parameters; X25519/X448/Ed25519/Ed448 the
  // native key octets.
  std::vector<Bytes> fields;
  Bytes body;         // the whole public packet body (what signatures hash)
  Bytes fingerprint;  // 20 octets (v4) or 32 octets (v6)
  Bytes key_id;       // 8 octets

  // bits: the modulus size (RSA, DSA, ElGamal) or the curve size.
  [[nodiscard]] unsigned bits() const;
  // can_sign: whether the algorithm can make signatures at all.
  [[nodiscard]] bool can_sign() const;
  // fingerprint_hex: uppercase hex of the fingerprint.
  [[nodiscard]] std::string fingerprint_hex() const;
  // key_id_hex: uppercase hex of the key ID.
  [[nodiscard]] std::string key_id_hex() const;
};

// EcdsaPoint: an ECDSA key's public point in GnuTLS's terms (RFC 9580
// §5.5.5.4 and §11.2.1: an uncompressed SEC1 point 0x04 || x || y).
struct EcdsaPoint {
  gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
  std::size_t width = 0;  // octets of each coordinate and of the secret scalar
  ByteView x;             // views into the key's field
  ByteView y;
};

// ecdsa_point: the point of an ECDSA key on NIST P-256, P-384 or P-521
// (the curves GnuTLS verifies and signs with); unsupported_algorithm for
// another curve, malformed_packet for a point that is not an uncompressed
// point of its curve.
[[nodiscard]] Result<EcdsaPoint> ecdsa_point(const PublicKey& key);

// read_mpi_octets: the value octets of an MPI (RFC 9580 §3.2: a 2-octet
// bit count, then the octets those bits need), or nullopt when the input
// ends first. Callers name the packet in their error.
[[nodiscard]] std::optional<ByteView> read_mpi_octets(base::ByteReader& reader);

// read_public_key: reads the public part of a key packet from the reader
// (public key, public subkey, or the front of a secret key packet), leaving
// the reader after it. Errors: Errc::unsupported_version (v2, v3, v5),
// Errc::unsupported_algorithm, Errc::malformed_packet.
[[nodiscard]] Result<PublicKey> read_public_key(base::ByteReader& reader);

// parse_public_key: a whole public key packet body; trailing bytes are an
// error.
[[nodiscard]] Result<PublicKey> parse_public_key(ByteView body);

// to_gnutls_pubkey: a GnuTLS verification key for RSA, DSA, ECDSA (NIST
// curves), EdDSA (legacy and RFC 9580), Ed448. Encryption-only algorithms
// and curves GnuTLS lacks fail with Errc::unsupported_algorithm.
[[nodiscard]] Result<base::PublicKeyHandle> to_gnutls_pubkey(const PublicKey& key);

// ed25519_point: the native 32-octet public key of an Ed25519 key or a
// legacy EdDSA key on Ed25519 (RFC 9580 §11.2.2: stored as 0x40 || point).
// Errc::unsupported_algorithm for any other key, Errc::malformed_packet
// when the point has the wrong form.
[[nodiscard]] Result<Bytes> ed25519_point(const PublicKey& key);

// write_key_for_hash: the prefix and body that signatures hash over a key
// (RFC 9580 §5.2.4): 0x99 + 2-octet length for v4, 0x9B + 4-octet length
// for v6, then the body. Fails with Errc::malformed_packet when a v4 body
// does not fit its 2-octet length.
[[nodiscard]] Result<Bytes> key_hash_prefix(const PublicKey& key);

}  // namespace pgptls::openpgp
