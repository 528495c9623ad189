#include "bench/keyring/store_certgen.h"

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "base/byte_writer.h"
#include "base/errors.h"
#include "base/gnutls_handles.h"

namespace pgptls::bench {
namespace {

constexpr std::uint8_t kEdDsaLegacy = 22;  // RFC 9580 §9.1 (EdDSALegacy)
constexpr std::uint8_t kSha256 = 8;        // RFC 9580 §9.5
// RFC 9580 §9.2: OID 1.3.6.1.4.1.11591.15.1 (Ed25519Legacy), DER body.
constexpr std::uint8_t kEd25519Oid[] = {0x2B, 0x06, 0x01, 0x04, 0x01, 0xDA, 0x47, 0x0F, 0x01};
constexpr std::uint32_t kBaseTime = 1'700'000'000;  // 2023-11-14

Error gnutls_failure(std::string_view what, int code) {
  return make_error(base::Errc::io_error, std::string(what) + ": " + gnutls_strerror(code));
}

struct Key {
  base::PrivateKeyHandle private_key;
  Bytes public_point;  // 32 bytes
};

Result<Key> generate_key() {
  gnutls_privkey_t raw = nullptr;
  if (const int rc = gnutls_privkey_init(&raw); rc < 0) {
    return gnutls_failure("gnutls_privkey_init", rc);
  }
  Key key{base::PrivateKeyHandle(raw), {}};
  if (const int rc =
          gnutls_privkey_generate2(raw, GNUTLS_PK_EDDSA_ED25519,
                                   GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_ED25519), 0, nullptr, 0);
      rc < 0) {
    return gnutls_failure("gnutls_privkey_generate2", rc);
  }
  gnutls_ecc_curve_t curve{};
  gnutls_datum_t x{};
  if (const int rc = gnutls_privkey_export_ecc_raw2(raw, &curve, &x, nullptr, nullptr,
                                                    GNUTLS_EXPORT_FLAG_NO_LZ);
      rc < 0) {
    return gnutls_failure("gnutls_privkey_export_ecc_raw2", rc);
  }
  key.public_point.assign(x.data, x.data + x.size);
  gnutls_free(x.data);
  return key;
}

// key_body: a v4 public key packet body (RFC 9580 §5.5.2, §5.5.5.5).
Bytes key_body(const Key& key, std::uint32_t created) {
  base::ByteWriter out;
  out.u8(4);
  out.u32(created);
  out.u8(kEdDsaLegacy);
  out.u8(sizeof kEd25519Oid);
  out.bytes(kEd25519Oid);
  // The point is a native (0x40-prefixed) MPI of 263 bits.
  out.u16(263);
  out.u8(0x40);
  out.bytes(key.public_point);
  return *std::move(out).finish();
}

// packet: a new-format packet (RFC 9580 §4.2.1).
void packet(base::ByteWriter& out, std::uint8_t tag, ByteView body) {
  out.u8(static_cast<std::uint8_t>(0xC0 | tag));
  if (body.size() < 192) {
    out.u8(static_cast<std::uint8_t>(body.size()));
  } else if (body.size() < 8384) {
    const std::size_t value = body.size() - 192;
    out.u8(static_cast<std::uint8_t>((value >> 8) + 192));
    out.u8(static_cast<std::uint8_t>(value & 0xFF));
  } else {
    out.u8(0xFF);
    out.u32(static_cast<std::uint32_t>(body.size()));
  }
  out.bytes(body);
}

Bytes fingerprint_of(ByteView body) {
  // RFC 9580 §5.5.4.2: SHA-1 over 0x99, a two-octet length, and the body.
  Bytes framed{0x99, static_cast<std::uint8_t>(body.size() >> 8),
               static_cast<std::uint8_t>(body.size() & 0xFF)};
  framed.insert(framed.end(), body.begin(), body.end());
  Bytes digest(20);
  gnutls_hash_fast(GNUTLS_DIG_SHA1, framed.data(), framed.size(), digest.data());
  return digest;
}

void mpi(base::ByteWriter& out, ByteView value) {
  std::size_t skip = 0;
  while (skip < value.size() && value[skip] == 0) {
    ++skip;
  }
  const ByteView digits = value.subspan(skip);
  std::uint16_t bits = 0;
  if (!digits.empty()) {
    std::uint8_t top = digits[0];
    int top_bits = 0;
    while (top != 0) {
      ++top_bits;
      top >>= 1;
    }
    bits = static_cast<std::uint16_t>((digits.size() - 1) * 8 + static_cast<std::size_t>(top_bits));
  }
  out.u16(bits);
  out.bytes(digits);
}

// signature: a v4 signature packet body (RFC 9580 §5.2.3) of `type` over
// `signed_prefix` (the key/user ID framing of §5.2.4) made by `signer`.
// key_flags 0 writes no key flags subpacket (a third-party certification).
Result<Bytes> signature(gnutls_privkey_t signer, ByteView signer_fingerprint, std::uint8_t type,
                        std::uint8_t key_flags, std::uint32_t created, ByteView signed_prefix) {
  base::ByteWriter hashed;
  hashed.u8(4);
  hashed.u8(type);
  hashed.u8(kEdDsaLegacy);
  hashed.u8(kSha256);
  {
    auto area = hashed.prefixed(base::LengthPrefix::u16);
    // Signature creation time (§5.2.3.11).
    hashed.u8(5);
    hashed.u8(2);
    hashed.u32(created);
    // Issuer fingerprint (§5.2.3.35).
    hashed.u8(22);
    hashed.u8(33);
    hashed.u8(4);
    hashed.bytes(signer_fingerprint);
    if (key_flags != 0) {
      // Key flags (§5.2.3.29).
      hashed.u8(2);
      hashed.u8(27);
      hashed.u8(key_flags);
    }
  }
  PGPTLS_TRY(const Bytes hashed_part, std::move(hashed).finish());

  // §5.2.4: the hash covers the prefix, the hashed part and a trailer.
  Bytes to_hash(signed_prefix.begin(), signed_prefix.end());
  to_hash.insert(to_hash.end(), hashed_part.begin(), hashed_part.end());
  const auto length = static_cast<std::uint32_t>(hashed_part.size());
  to_hash.insert(
      to_hash.end(),
      {0x04, 0xFF, static_cast<std::uint8_t>(length >> 24), static_cast<std::uint8_t>(length >> 16),
       static_cast<std::uint8_t>(length >> 8), static_cast<std::uint8_t>(length)});
  Bytes digest(32);
  gnutls_hash_fast(GNUTLS_DIG_SHA256, to_hash.data(), to_hash.size(), digest.data());

  // EdDSA signs the digest itself as its message (§5.2.3.3).
  const gnutls_datum_t message{digest.data(), static_cast<unsigned>(digest.size())};
  gnutls_datum_t raw_signature{};
  if (const int rc =
          gnutls_privkey_sign_data2(signer, GNUTLS_SIGN_EDDSA_ED25519, 0, &message, &raw_signature);
      rc < 0) {
    return gnutls_failure("gnutls_privkey_sign_data2", rc);
  }
  const Bytes sig_bytes(raw_signature.data, raw_signature.data + raw_signature.size);
  gnutls_free(raw_signature.data);
  if (sig_bytes.size() != 64) {
    return make_error(base::Errc::value_too_large, "Ed25519 signature is not 64 bytes");
  }

  base::ByteWriter out;
  out.bytes(hashed_part);
  {
    auto area = out.prefixed(base::LengthPrefix::u16);
    // Issuer key ID (§5.2.3.12), unhashed as gpg writes it.
    out.u8(9);
    out.u8(16);
    out.bytes(ByteView(signer_fingerprint).subspan(12));
  }
  out.u8(digest[0]);
  out.u8(digest[1]);
  mpi(out, ByteView(sig_bytes).first(32));
  mpi(out, ByteView(sig_bytes).subspan(32));
  return std::move(out).finish();
}

void append_key_framing(Bytes& out, ByteView body) {
  out.push_back(0x99);
  out.push_back(static_cast<std::uint8_t>(body.size() >> 8));
  out.push_back(static_cast<std::uint8_t>(body.size() & 0xFF));
  out.insert(out.end(), body.begin(), body.end());
}

// make: certificate number n for `domain`, certified by `authority` when
// given; hands back the subkey's secret in `subkey_secret`.
Result<BenchCertificate> make(std::uint32_t n, const std::string& domain,
                              const BenchAuthority* authority,
                              base::PrivateKeyHandle* subkey_secret) {
  const std::uint32_t created = kBaseTime + n;
  PGPTLS_TRY(Key primary, generate_key());
  PGPTLS_TRY(Key subkey, generate_key());
  const Bytes primary_body = key_body(primary, created);
  const Bytes subkey_body = key_body(subkey, created);
  const Bytes primary_fingerprint = fingerprint_of(primary_body);
  const std::string user_id = "xmpp:" + domain;

  // §5.2.4: a certification hashes the key, then 0xB4, a four-octet length
  // and the user ID.
  Bytes uid_prefix;
  append_key_framing(uid_prefix, primary_body);
  uid_prefix.push_back(0xB4);
  const auto uid_length = static_cast<std::uint32_t>(user_id.size());
  uid_prefix.insert(
      uid_prefix.end(),
      {static_cast<std::uint8_t>(uid_length >> 24), static_cast<std::uint8_t>(uid_length >> 16),
       static_cast<std::uint8_t>(uid_length >> 8), static_cast<std::uint8_t>(uid_length)});
  uid_prefix.insert(uid_prefix.end(), user_id.begin(), user_id.end());
  // Key flags 0x03: certify and sign; 0x20: authenticate (§5.2.3.29).
  PGPTLS_TRY(const Bytes certification, signature(primary.private_key.get(), primary_fingerprint,
                                                  0x13, 0x03, created, uid_prefix));
  Bytes authority_certification;
  if (authority != nullptr) {
    // §5.2.1 (0x10): the authority's generic certification of the user ID.
    PGPTLS_TRY(authority_certification,
               signature(authority->key, authority->fingerprint, 0x10, 0, created, uid_prefix));
  }

  // A subkey binding hashes the primary key, then the subkey.
  Bytes binding_prefix;
  append_key_framing(binding_prefix, primary_body);
  append_key_framing(binding_prefix, subkey_body);
  PGPTLS_TRY(const Bytes binding, signature(primary.private_key.get(), primary_fingerprint, 0x18,
                                            0x20, created, binding_prefix));

  base::ByteWriter out;
  packet(out, 6, primary_body);
  packet(out, 13, as_bytes_view(user_id));
  packet(out, 2, certification);
  if (!authority_certification.empty()) {
    packet(out, 2, authority_certification);
  }
  packet(out, 14, subkey_body);
  packet(out, 2, binding);
  PGPTLS_TRY(Bytes binary, std::move(out).finish());
  if (subkey_secret != nullptr) {
    *subkey_secret = std::move(subkey.private_key);
  }
  return BenchCertificate{std::move(binary), primary_fingerprint, fingerprint_of(subkey_body),
                          domain};
}

}  // namespace

Result<BenchCertificate> make_bench_certificate(std::uint32_t n) {
  return make(n, "c" + std::to_string(n) + ".bench.example", nullptr, nullptr);
}

Result<BenchPeer> make_certified_peer(std::uint32_t n, const std::string& domain,
                                      const BenchAuthority& authority) {
  BenchPeer peer;
  PGPTLS_TRY(peer.certificate, make(n, domain, &authority, &peer.subkey_secret));
  return peer;
}

}  // namespace pgptls::bench
