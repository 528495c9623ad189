// cert.h: the OpenPGP certificate (transferable public key, RFC 9580
// §10.1): a primary key, its direct signatures, user IDs and user
// attributes with their signatures, and subkeys with theirs.
//
// Usage:
//   PGPTLS_TRY(std::vector<Cert> certs, openpgp::parse_certificates(file_bytes));
//   const Cert& c = certs[0];
//   c.fingerprint(); c.primary.key_id; c.user_ids[0].text(); c.subkeys[0].key;
//   PGPTLS_TRY(Bytes binary, c.serialize());
//   PGPTLS_TRY(Cert both, openpgp::merge(c, other_copy));  // union of packets
//
//   // Lenient keyring reading: one bad certificate does not hide the rest.
//   KeyringParse all = openpgp::parse_keyring(file_bytes);  // all.certs, all.errors
//
// Parsing does not validate: see validate.h. Input may be armored or
// binary; secret key exports are read as their public certificates.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "openpgp/key_material.h"
#include "openpgp/packet.h"
#include "openpgp/signature.h"

namespace pgptls::openpgp {

// UnknownPacket: a packet of a certificate we could not parse (unsupported
// version or algorithm, malformed body): kept with its error so that one
// bad component does not hide the rest. Signatures that followed an
// unparseable subkey or user ID are kept here too.
struct UnknownPacket {
  std::uint8_t tag = 0;
  std::size_t offset = 0;
  Bytes body;
  Error error;
};

// UserId: a user ID (or, with is_attribute, an opaque user attribute) and
// the signatures over it.
struct UserId {
  Bytes value;
  bool is_attribute = false;
  std::vector<Signature> signatures;
  // text: the user ID as a string (attributes: "[user attribute]").
  [[nodiscard]] std::string text() const;
};

// Subkey: a subkey and its binding and revocation signatures.
struct Subkey {
  PublicKey key;
  std::vector<Signature> signatures;
};

// CertLimits: policy caps applied while parsing.
struct CertLimits {
  std::size_t max_packet_size = kDefaultMaxPacketSize;
  std::size_t max_certificate_size = 4U << 20;
  std::size_t max_certificates = 1'000'000;
};

// Cert: one certificate.
struct Cert {
  PublicKey primary;
  std::vector<Signature> direct_signatures;  // 0x1F and 0x20 over the primary key
  std::vector<UserId> user_ids;
  std::vector<Subkey> subkeys;
  std::vector<UnknownPacket> unknown;

  [[nodiscard]] const Bytes& fingerprint() const { return primary.fingerprint; }
  [[nodiscard]] std::string fingerprint_hex() const { return primary.fingerprint_hex(); }
  // serialize: the binary transferable public key, packets in RFC 9580
  // §10.1 order. Unknown packets are not written.
  [[nodiscard]] Result<Bytes> serialize() const;
  // find_key: the primary key or subkey with this key ID (8 octets) or
  // fingerprint, or nullptr.
  [[nodiscard]] const PublicKey* find_key(ByteView id) const;
};

// parse_certificates: every certificate in the input (armored or binary,
// any number of blocks). Fails on the first malformed certificate, with
// Errc::malformed_certificate naming its offset.
[[nodiscard]] Result<std::vector<Cert>> parse_certificates(ByteView input,
                                                           const CertLimits& limits = {});

// parse_certificate: exactly one certificate.
[[nodiscard]] Result<Cert> parse_certificate(ByteView input, const CertLimits& limits = {});

// KeyringParse: the lenient result of reading a keyring file.
struct KeyringParse {
  std::vector<Cert> certs;
  std::vector<Error> errors;
};

// parse_keyring: like parse_certificates, but a malformed certificate is
// reported in errors and the next one is read.
[[nodiscard]] KeyringParse parse_keyring(ByteView input, const CertLimits& limits = {});

// merge: the union of two copies of one certificate (as gpg --import does):
// same primary key required (Errc::invalid_argument otherwise); identical
// signatures, user IDs and subkeys are kept once.
[[nodiscard]] Result<Cert> merge(const Cert& a, const Cert& b);

}  // namespace pgptls::openpgp
