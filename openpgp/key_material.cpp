#include "openpgp/key_material.h"

#include <algorithm>
#include <array>
#include <optional>
#include <string_view>

#include "base/byte_writer.h"
#include "base/encoding.h"
#include "base/gnutls_datum.h"
#include "openpgp/errors.h"
#include "openpgp/hash.h"

namespace pgptls::openpgp {
namespace {

struct CurveOid {
  Curve curve;
  std::array<std::uint8_t, 10> oid;
  std::size_t length;
  unsigned bits;
};

// RFC 9580 §9.2, the DER OID bodies without tag and length.
constexpr CurveOid kCurves[] = {
    {Curve::nist_p256, {0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07}, 8, 256},
    {Curve::nist_p384, {0x2B, 0x81, 0x04, 0x00, 0x22}, 5, 384},
    {Curve::nist_p521, {0x2B, 0x81, 0x04, 0x00, 0x23}, 5, 521},
    {Curve::brainpool_p256, {0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x07}, 9, 256},
    {Curve::brainpool_p384, {0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0B}, 9, 384},
    {Curve::brainpool_p512, {0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0D}, 9, 512},
    {Curve::ed25519_legacy, {0x2B, 0x06, 0x01, 0x04, 0x01, 0xDA, 0x47, 0x0F, 0x01}, 9, 255},
    {Curve::curve25519_legacy,
     {0x2B, 0x06, 0x01, 0x04, 0x01, 0x97, 0x55, 0x01, 0x05, 0x01},
     10,
     255},
};

Error malformed(std::string what) {
  return make_error(Errc::malformed_packet, "public key packet: " + std::move(what));
}

Result<Bytes> read_mpi(base::ByteReader& reader) {
  const auto value = read_mpi_octets(reader);
  if (!value) {
    return malformed("truncated MPI");
  }
  return to_bytes(*value);
}

Result<Bytes> read_fixed(base::ByteReader& reader, std::size_t length) {
  auto bytes = reader.bytes(length);
  if (!bytes) {
    return malformed("truncated native key of " + std::to_string(length) + " octets");
  }
  return to_bytes(*bytes);
}

Result<Curve> read_curve(base::ByteReader& reader) {
  auto oid = reader.prefixed_bytes(base::LengthPrefix::u8);
  if (!oid) {
    return malformed("truncated curve OID");
  }
  // RFC 9580 §5.5.5.6: lengths 0 and 0xFF are reserved.
  if (oid->empty() || oid->size() == 0xFF) {
    return malformed("reserved curve OID length");
  }
  for (const auto& known : kCurves) {
    if (oid->size() == known.length && std::equal(oid->begin(), oid->end(), known.oid.begin())) {
      return known.curve;
    }
  }
  return Curve::unknown;
}

unsigned curve_bits(Curve curve) {
  for (const auto& known : kCurves) {
    if (known.curve == curve) {
      return known.bits;
    }
  }
  return 0;
}

unsigned mpi_bits(const Bytes& value) {
  std::size_t i = 0;
  while (i < value.size() && value[i] == 0) {
    ++i;
  }
  if (i == value.size()) {
    return 0;
  }
  unsigned bits = static_cast<unsigned>((value.size() - i) * 8);
  for (std::uint8_t top = value[i]; (top & 0x80) == 0; top = static_cast<std::uint8_t>(top << 1)) {
    --bits;
  }
  return bits;
}

Status read_material(base::ByteReader& reader, PublicKey& key) {
  auto mpis = [&](int count) -> Status {
    for (int i = 0; i < count; ++i) {
      PGPTLS_TRY(auto value, read_mpi(reader));
      key.fields.push_back(std::move(value));
    }
    return {};
  };
  switch (key.algorithm) {
    case PublicKeyAlgorithm::rsa:
    case PublicKeyAlgorithm::rsa_encrypt_only:
    case PublicKeyAlgorithm::rsa_sign_only:
      return mpis(2);
    case PublicKeyAlgorithm::dsa:
      return mpis(4);
    case PublicKeyAlgorithm::elgamal:
      return mpis(3);
    case PublicKeyAlgorithm::ecdsa:
    case PublicKeyAlgorithm::eddsa_legacy: {
      PGPTLS_TRY(key.curve, read_curve(reader));
      return mpis(1);
    }
    case PublicKeyAlgorithm::ecdh: {
      PGPTLS_TRY(key.curve, read_curve(reader));
      PGPTLS_CHECK(mpis(1));
      // RFC 9580 §5.5.5.6: KDF parameters, a length-prefixed field.
      auto kdf = reader.prefixed_bytes(base::LengthPrefix::u8, 3, 254);
      if (!kdf) {
        return malformed("bad ECDH KDF parameters");
      }
      key.fields.push_back(to_bytes(*kdf));
      return {};
    }
    case PublicKeyAlgorithm::x25519:
    case PublicKeyAlgorithm::ed25519: {
      PGPTLS_TRY(auto value, read_fixed(reader, 32));
      key.fields.push_back(std::move(value));
      return {};
    }
    case PublicKeyAlgorithm::x448: {
      PGPTLS_TRY(auto value, read_fixed(reader, 56));
      key.fields.push_back(std::move(value));
      return {};
    }
    case PublicKeyAlgorithm::ed448: {
      PGPTLS_TRY(auto value, read_fixed(reader, 57));
      key.fields.push_back(std::move(value));
      return {};
    }
  }
  return make_error(Errc::unsupported_algorithm,
                    "public key algorithm " + std::to_string(static_cast<int>(key.algorithm)));
}

// known_name: the name in messages of an algorithm pgptls reads (RFC 9580
// §9.1), or nullopt for any other value.
std::optional<std::string_view> known_name(std::uint8_t algorithm) {
  switch (static_cast<PublicKeyAlgorithm>(algorithm)) {
    case PublicKeyAlgorithm::rsa:
    case PublicKeyAlgorithm::rsa_encrypt_only:
    case PublicKeyAlgorithm::rsa_sign_only:
      return "RSA";
    case PublicKeyAlgorithm::elgamal:
      return "ElGamal";
    case PublicKeyAlgorithm::dsa:
      return "DSA";
    case PublicKeyAlgorithm::ecdh:
      return "ECDH";
    case PublicKeyAlgorithm::ecdsa:
      return "ECDSA";
    case PublicKeyAlgorithm::eddsa_legacy:
      return "EdDSA";
    case PublicKeyAlgorithm::x25519:
      return "X25519";
    case PublicKeyAlgorithm::x448:
      return "X448";
    case PublicKeyAlgorithm::ed25519:
      return "Ed25519";
    case PublicKeyAlgorithm::ed448:
      return "Ed448";
  }
  return std::nullopt;
}

Status compute_fingerprint(PublicKey& key) {
  PGPTLS_TRY(Bytes data, key_hash_prefix(key));
  data.insert(data.end(), key.body.begin(), key.body.end());
  // RFC 9580 §5.5.4.2: v4, SHA-1 over 0x99, 2-octet length, body;
  // §5.5.4.3: v6, SHA-256 over 0x9B, 4-octet length, body.
  const HashAlgorithm hash =
      key.version == kKeyVersion4 ? HashAlgorithm::sha1 : HashAlgorithm::sha256;
  PGPTLS_TRY(key.fingerprint, digest(static_cast<std::uint8_t>(hash), data));
  key.key_id = key_id_of(key.version, key.fingerprint);
  return {};
}

}  // namespace

Result<EcdsaPoint> ecdsa_point(const PublicKey& key) {
  EcdsaPoint point;
  if (key.curve == Curve::nist_p256) {
    point = {GNUTLS_ECC_CURVE_SECP256R1, 32, {}, {}};
  } else if (key.curve == Curve::nist_p384) {
    point = {GNUTLS_ECC_CURVE_SECP384R1, 48, {}, {}};
  } else if (key.curve == Curve::nist_p521) {
    point = {GNUTLS_ECC_CURVE_SECP521R1, 66, {}, {}};
  } else {
    return make_error(Errc::unsupported_algorithm,
                      "ECDSA key 0x" + key.key_id_hex() +
                          " is on a curve GnuTLS cannot verify or sign with; use a key on NIST "
                          "P-256/384/521 or an Ed25519 key");
  }
  const ByteView encoded = key.fields.empty() ? ByteView() : ByteView(key.fields[0]);
  if (encoded.size() != 1 + 2 * point.width || encoded[0] != 0x04) {
    return malformed("ECDSA point is not an uncompressed point of its curve");
  }
  const ByteView coordinates = ByteView(encoded).subspan(1);
  point.x = coordinates.first(point.width);
  point.y = coordinates.subspan(point.width);
  return point;
}

std::optional<ByteView> read_mpi_octets(base::ByteReader& reader) {
  auto bits = reader.u16();
  if (!bits) {
    return std::nullopt;
  }
  auto octets = reader.bytes((std::size_t{*bits} + 7) / 8);
  if (!octets) {
    return std::nullopt;
  }
  return *octets;
}

std::string algorithm_name(std::uint8_t algorithm) {
  if (const auto name = known_name(algorithm)) {
    return std::string(*name);
  }
  return "algorithm " + std::to_string(algorithm);
}

unsigned PublicKey::bits() const {
  switch (algorithm) {
    case PublicKeyAlgorithm::rsa:
    case PublicKeyAlgorithm::rsa_encrypt_only:
    case PublicKeyAlgorithm::rsa_sign_only:
    case PublicKeyAlgorithm::dsa:
    case PublicKeyAlgorithm::elgamal:
      return fields.empty() ? 0 : mpi_bits(fields[0]);
    case PublicKeyAlgorithm::ecdh:
    case PublicKeyAlgorithm::ecdsa:
    case PublicKeyAlgorithm::eddsa_legacy:
      return curve_bits(curve);
    case PublicKeyAlgorithm::x25519:
    case PublicKeyAlgorithm::ed25519:
      return 255;
    case PublicKeyAlgorithm::x448:
    case PublicKeyAlgorithm::ed448:
      return 448;
  }
  return 0;
}

bool PublicKey::can_sign() const {
  switch (algorithm) {
    case PublicKeyAlgorithm::rsa:
    case PublicKeyAlgorithm::rsa_sign_only:
    case PublicKeyAlgorithm::dsa:
    case PublicKeyAlgorithm::ecdsa:
    case PublicKeyAlgorithm::eddsa_legacy:
    case PublicKeyAlgorithm::ed25519:
    case PublicKeyAlgorithm::ed448:
      return true;
    default:
      return false;
  }
}

Bytes key_id_of(std::uint8_t version, ByteView fingerprint) {
  const ByteView id =
      version == kKeyVersion4 ? fingerprint.last(kKeyIdSize) : fingerprint.first(kKeyIdSize);
  return to_bytes(id);
}

std::string PublicKey::fingerprint_hex() const {
  return base::hex_encode_upper(fingerprint);
}
std::string PublicKey::key_id_hex() const {
  return base::hex_encode_upper(key_id);
}

Result<Bytes> key_hash_prefix(const PublicKey& key) {
  const std::size_t n = key.body.size();
  const base::LengthPrefix width =
      key.version == kKeyVersion6 ? base::LengthPrefix::u32 : base::LengthPrefix::u16;
  if (n > base::max_length(width)) {
    return malformed("public key body of " + std::to_string(n) +
                     " octets does not fit the length its hash needs (RFC 9580 §5.2.4)");
  }
  base::ByteWriter writer;
  if (key.version == kKeyVersion6) {
    writer.u8(0x9B);
    writer.u32(static_cast<std::uint32_t>(n));
  } else {
    writer.u8(0x99);
    writer.u16(static_cast<std::uint16_t>(n));
  }
  return std::move(writer).finish();
}

Result<PublicKey> read_public_key(base::ByteReader& reader) {
  const ByteView start = reader.rest();
  const std::size_t start_offset = reader.offset();
  PublicKey key;
  auto version = reader.u8();
  if (!version) {
    return malformed("empty body");
  }
  key.version = *version;
  if (key.version != kKeyVersion4 && key.version != kKeyVersion6) {
    return make_error(Errc::unsupported_version,
                      "public key version " + std::to_string(key.version) +
                          " (only v4 and v6 keys are read; regenerate the key with a current "
                          "OpenPGP tool)");
  }
  auto created = reader.u32();
  auto algorithm = created ? reader.u8() : Result<std::uint8_t>(created.error());
  if (!algorithm) {
    return malformed("truncated header");
  }
  key.creation_time = *created;
  if (!known_name(*algorithm)) {
    return make_error(Errc::unsupported_algorithm,
                      "public key algorithm " + std::to_string(*algorithm));
  }
  key.algorithm = static_cast<PublicKeyAlgorithm>(*algorithm);
  if (key.version == kKeyVersion6) {
    // RFC 9580 §5.5.2.3: a 4-octet length of the key material follows.
    auto material = reader.prefixed(base::LengthPrefix::u32);
    if (!material) {
      return malformed("truncated v6 key material");
    }
    PGPTLS_CHECK(read_material(*material, key));
    if (!material->empty()) {
      return malformed("v6 key material longer than its fields");
    }
  } else {
    PGPTLS_CHECK(read_material(reader, key));
  }
  // RFC 9580 §5.5.5.5, §5.5.5.6: the legacy Curve25519 forms must not
  // appear in v6 keys.
  if (key.version == kKeyVersion6 &&
      (key.algorithm == PublicKeyAlgorithm::eddsa_legacy ||
       (key.algorithm == PublicKeyAlgorithm::ecdh && key.curve == Curve::curve25519_legacy))) {
    return malformed("v6 key uses a legacy Curve25519 algorithm (RFC 9580 forbids it)");
  }
  key.body = to_bytes(start.first(reader.offset() - start_offset));
  PGPTLS_CHECK(compute_fingerprint(key));
  return key;
}

Result<PublicKey> parse_public_key(ByteView body) {
  base::ByteReader reader(body);
  PGPTLS_TRY(auto key, read_public_key(reader));
  if (!reader.empty()) {
    return malformed(std::to_string(reader.remaining()) + " trailing octets");
  }
  return key;
}

Result<base::PublicKeyHandle> to_gnutls_pubkey(const PublicKey& key) {
  gnutls_pubkey_t raw = nullptr;
  if (gnutls_pubkey_init(&raw) < 0) {
    return make_error(Errc::unsupported_algorithm, "GnuTLS could not allocate a public key");
  }
  base::PublicKeyHandle handle(raw);
  int rc = GNUTLS_E_INVALID_REQUEST;
  const std::string what = algorithm_name(static_cast<std::uint8_t>(key.algorithm));
  switch (key.algorithm) {
    case PublicKeyAlgorithm::rsa:
    case PublicKeyAlgorithm::rsa_sign_only: {
      const auto n = base::datum_of(key.fields[0]);
      const auto e = base::datum_of(key.fields[1]);
      rc = gnutls_pubkey_import_rsa_raw(raw, &n, &e);
      break;
    }
    case PublicKeyAlgorithm::dsa: {
      const auto p = base::datum_of(key.fields[0]);
      const auto q = base::datum_of(key.fields[1]);
      const auto g = base::datum_of(key.fields[2]);
      const auto y = base::datum_of(key.fields[3]);
      rc = gnutls_pubkey_import_dsa_raw(raw, &p, &q, &g, &y);
      break;
    }
    case PublicKeyAlgorithm::ecdsa: {
      PGPTLS_TRY(const EcdsaPoint point, ecdsa_point(key));
      const auto dx = base::datum_of(point.x);
      const auto dy = base::datum_of(point.y);
      rc = gnutls_pubkey_import_ecc_raw(raw, point.curve, &dx, &dy);
      break;
    }
    case PublicKeyAlgorithm::eddsa_legacy:
    case PublicKeyAlgorithm::ed25519: {
      PGPTLS_TRY(const Bytes x, ed25519_point(key));
      const auto dx = base::datum_of(x);
      rc = gnutls_pubkey_import_ecc_raw(raw, GNUTLS_ECC_CURVE_ED25519, &dx, nullptr);
      break;
    }
    case PublicKeyAlgorithm::ed448: {
      const auto dx = base::datum_of(key.fields[0]);
      rc = gnutls_pubkey_import_ecc_raw(raw, GNUTLS_ECC_CURVE_ED448, &dx, nullptr);
      break;
    }
    default:
      return make_error(Errc::unsupported_algorithm,
                        what + " keys cannot verify signatures (encryption-only algorithm)");
  }
  if (rc < 0) {
    return make_error(Errc::malformed_packet, "GnuTLS rejected the " + what + " key " +
                                                  key.fingerprint_hex() + ": " +
                                                  gnutls_strerror(rc));
  }
  return handle;
}

Result<Bytes> ed25519_point(const PublicKey& key) {
  if (key.algorithm == PublicKeyAlgorithm::ed25519) {
    // RFC 9580 §5.5.5.9: 32 octets, native.
    if (key.fields.empty() || key.fields[0].size() != 32) {
      return malformed("Ed25519 key is not 32 octets");
    }
    return key.fields[0];
  }
  if (key.algorithm != PublicKeyAlgorithm::eddsa_legacy || key.curve != Curve::ed25519_legacy) {
    return make_error(
        Errc::unsupported_algorithm,
        key.algorithm == PublicKeyAlgorithm::eddsa_legacy
            ? "legacy EdDSA on a curve other than Ed25519"
            : algorithm_name(static_cast<std::uint8_t>(key.algorithm)) + " is not an Ed25519 key");
  }
  // RFC 9580 §11.2.2: the native point prefixed with 0x40.
  if (key.fields.empty() || key.fields[0].size() != 33 || key.fields[0][0] != 0x40) {
    return malformed("legacy EdDSA point is not 0x40 followed by 32 octets");
  }
  return Bytes(key.fields[0].begin() + 1, key.fields[0].end());
}

}  // namespace pgptls::openpgp
