// signature.h: OpenPGP signature packets v4 and v6 (RFC 9580 §5.2) and
// their subpackets (§5.2.3).
//
// Usage:
//   PGPTLS_TRY(Signature sig, openpgp::parse_signature(packet.body));
//   if (sig.type == SignatureType::positive_certification && sig.issued_by(key)) ...
//
// Only subpackets in the hashed area are trusted, except the issuer key ID,
// issuer fingerprint and embedded signature, which authenticate themselves
// (a wrong one just fails verification). An unknown subpacket with the
// critical bit set, or a critical notation, makes the signature unusable
// (RFC 9580 §5.2.3.7): it parses, with has_unknown_critical set.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "openpgp/key_material.h"

namespace pgptls::openpgp {

// SignatureType: RFC 9580 §5.2.1.
enum class SignatureType : std::uint8_t {
  binary = 0x00,
  text = 0x01,
  standalone = 0x02,
  generic_certification = 0x10,
  persona_certification = 0x11,
  casual_certification = 0x12,
  positive_certification = 0x13,
  subkey_binding = 0x18,
  primary_key_binding = 0x19,
  direct_key = 0x1F,
  key_revocation = 0x20,
  subkey_revocation = 0x28,
  certification_revocation = 0x30,
  timestamp = 0x40,
  third_party_confirmation = 0x50,
};

// is_certification: 0x10..0x13.
[[nodiscard]] constexpr bool is_certification(SignatureType type) {
  const auto v = static_cast<std::uint8_t>(type);
  return v >= 0x10 && v <= 0x13;
}

// KeyFlags: the first octet of the key flags subpacket (RFC 9580 §5.2.3.29).
namespace key_flags {
inline constexpr std::uint8_t certify = 0x01;
inline constexpr std::uint8_t sign = 0x02;
inline constexpr std::uint8_t encrypt_communications = 0x04;
inline constexpr std::uint8_t encrypt_storage = 0x08;
inline constexpr std::uint8_t authenticate = 0x20;
}  // namespace key_flags

// RevocationReason: RFC 9580 §5.2.3.31.
enum class RevocationReason : std::uint8_t {
  unspecified = 0,
  superseded = 1,
  compromised = 2,
  retired = 3,
  user_id_invalid = 32,
};

struct Signature;

// Signature: one parsed signature packet.
struct Signature {
  std::uint8_t version = 0;  // 4 or 6
  SignatureType type{};
  std::uint8_t public_key_algorithm = 0;
  std::uint8_t hash_algorithm = 0;
  Bytes hashed_area;                 // raw hashed subpackets (hashed in the trailer)
  std::uint8_t hash_prefix[2] = {};  // left 16 bits of the digest
  Bytes salt;                        // v6 only
  std::vector<Bytes> fields;         // signature material (MPIs or native)
  Bytes body;                        // whole packet body, for serialization

  // Hashed subpackets.
  std::optional<std::uint32_t> creation_time;
  std::optional<std::uint32_t> expiration;      // seconds after creation; 0 = never
  std::optional<std::uint32_t> key_expiration;  // seconds after key creation; 0 = never
  std::optional<std::uint8_t> key_flags;
  std::optional<bool> exportable;
  std::optional<bool> revocable;
  std::optional<bool> primary_user_id;
  std::optional<std::uint8_t> trust_level;
  std::optional<std::uint8_t> trust_amount;
  std::vector<std::string> regular_expressions;
  std::optional<std::uint8_t> features;
  std::optional<RevocationReason> revocation_reason;
  std::string revocation_text;
  // Hashed or unhashed.
  std::optional<Bytes> issuer_key_id;
  std::optional<Bytes> issuer_fingerprint;  // without the version octet
  std::shared_ptr<const Signature> embedded;
  bool has_unknown_critical = false;
  std::string unknown_critical_note;  // "subpacket 40" etc.

  // issuer_may_be: whether the issuer subpackets name this key, or there are
  // none at all (then only verification can tell).
  [[nodiscard]] bool issuer_may_be(const PublicKey& key) const;
  // names_issuer: whether an issuer subpacket names this key.
  [[nodiscard]] bool names_issuer(const PublicKey& key) const;
  // issuer_text: the issuer fingerprint or key ID in hex, or "unknown".
  [[nodiscard]] std::string issuer_text() const;
};

// parse_signature: a signature packet body. Errors: Errc::unsupported_version
// (v3, v5), Errc::malformed_packet naming what is wrong.
[[nodiscard]] Result<Signature> parse_signature(ByteView body);

}  // namespace pgptls::openpgp
