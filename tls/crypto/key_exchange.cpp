#include "tls/crypto/key_exchange.h"

#include <gmp.h>
#include <nettle/bignum.h>
#include <nettle/curve25519.h>
#include <nettle/ecc-curve.h>
#include <nettle/ecc.h>

#include <array>
#include <string>

#include "base/byte_reader.h"
#include "base/byte_writer.h"
#include "base/name_table.h"
#include "tls/wire/errors.h"

namespace pgptls::tls {
namespace {

constexpr std::array<NamedGroup, 3> kGroups{NamedGroup::x25519, NamedGroup::secp256r1,
                                            NamedGroup::secp384r1};

// kGroupNames: the names of RFC 8422 §5.1.1 and RFC 8446 §4.2.7.
constexpr base::NameTable<NamedGroup, 3> kGroupNames{{
    {NamedGroup::secp256r1, "secp256r1"},
    {NamedGroup::secp384r1, "secp384r1"},
    {NamedGroup::x25519, "x25519"},
}};

// Attempts at drawing a NIST scalar below the group order; for P-256 and
// P-384 one draw in 2^32 or fewer is rejected, so 64 failures mean a broken RNG.
constexpr int kScalarAttempts = 64;

const ecc_curve* nist_curve(NamedGroup group) {
  return group == NamedGroup::secp384r1 ? nettle_get_secp_384r1() : nettle_get_secp_256r1();
}

// SEC 1 §2.3.3: the first byte of an uncompressed point.
constexpr std::uint8_t kUncompressedPoint = 0x04;

std::size_t field_length(NamedGroup group) {
  return group == NamedGroup::secp384r1 ? 48 : 32;
}

// Mpz: an mpz_t that is wiped (its limbs overwritten) and freed on scope exit.
class Mpz {
 public:
  Mpz() { mpz_init(value_); }
  ~Mpz() {
    const std::size_t limbs = mpz_size(value_);
    if (limbs != 0) {
      base::secure_wipe(mpz_limbs_modify(value_, static_cast<mp_size_t>(limbs)),
                        limbs * sizeof(mp_limb_t));
    }
    mpz_clear(value_);
  }
  Mpz(const Mpz&) = delete;
  Mpz& operator=(const Mpz&) = delete;
  mpz_ptr get() { return value_; }
  mpz_srcptr get() const { return value_; }

 private:
  mpz_t value_;
};

// Scalar / Point: Nettle's ecc objects with RAII; the scalar's limbs are
// wiped before they are freed.
class Scalar {
 public:
  explicit Scalar(const ecc_curve* curve) { ecc_scalar_init(&value_, curve); }
  ~Scalar() {
    base::secure_wipe(value_.p, static_cast<std::size_t>(ecc_size(value_.ecc)) * sizeof(mp_limb_t));
    ecc_scalar_clear(&value_);
  }
  Scalar(const Scalar&) = delete;
  Scalar& operator=(const Scalar&) = delete;
  ecc_scalar* get() { return &value_; }

 private:
  ecc_scalar value_;
};

class Point {
 public:
  explicit Point(const ecc_curve* curve) { ecc_point_init(&value_, curve); }
  ~Point() { ecc_point_clear(&value_); }
  Point(const Point&) = delete;
  Point& operator=(const Point&) = delete;
  ecc_point* get() { return &value_; }
  const ecc_point* get() const { return &value_; }

 private:
  ecc_point value_;
};

// set_scalar: loads a big-endian private scalar; false unless 0 < d < n.
bool set_scalar(Scalar& scalar, ByteView private_key) {
  Mpz value;
  nettle_mpz_set_str_256_u(value.get(), private_key.size(), private_key.data());
  return ecc_scalar_set(scalar.get(), value.get()) == 1;
}

// encode_point: 0x04 ‖ X ‖ Y, each padded to the field length (RFC 8422
// §5.4.1, SEC 1 §2.3.3 uncompressed form).
Result<Bytes> encode_point(NamedGroup group, const Point& point) {
  const std::size_t length = field_length(group);
  Mpz x;
  Mpz y;
  ecc_point_get(point.get(), x.get(), y.get());
  Bytes coordinate(length);
  base::ByteWriter writer;
  writer.u8(kUncompressedPoint);
  nettle_mpz_get_str_256(length, coordinate.data(), x.get());
  writer.bytes(coordinate);
  nettle_mpz_get_str_256(length, coordinate.data(), y.get());
  writer.bytes(coordinate);
  return std::move(writer).finish();
}

Result<Bytes> nist_public_key(NamedGroup group, ByteView private_key) {
  Scalar scalar(nist_curve(group));
  if (!set_scalar(scalar, private_key)) {
    return make_error(Errc::illegal_parameter,
                      std::string(group_name(group)) + " private key out of range");
  }
  Point point(nist_curve(group));
  ecc_point_mul_g(point.get(), scalar.get());
  return encode_point(group, point);
}

Result<base::SecretBytes> nist_shared_secret(NamedGroup group, ByteView private_key,
                                             ByteView peer) {
  const std::size_t length = field_length(group);
  const std::string name(group_name(group));
  if (peer.size() != 1 + 2 * length) {
    return make_error(Errc::illegal_parameter,
                      "peer's " + name + " key share has " + std::to_string(peer.size()) +
                          " bytes; an uncompressed point has " + std::to_string(1 + 2 * length));
  }
  base::ByteReader reader(peer);
  PGPTLS_TRY(const std::uint8_t form, reader.u8());
  // RFC 8422 §5.1.2: only the uncompressed format is allowed.
  if (form != kUncompressedPoint) {
    return make_error(Errc::illegal_parameter,
                      "peer's " + name + " key share is not an uncompressed point");
  }
  PGPTLS_TRY(const ByteView x_bytes, reader.bytes(length));
  PGPTLS_TRY(const ByteView y_bytes, reader.bytes(length));
  PGPTLS_CHECK(reader.expect_empty());
  Mpz x;
  Mpz y;
  nettle_mpz_set_str_256_u(x.get(), x_bytes.size(), x_bytes.data());
  nettle_mpz_set_str_256_u(y.get(), y_bytes.size(), y_bytes.data());
  Point point(nist_curve(group));
  // ecc_point_set checks that (x, y) satisfies the curve equation with both
  // coordinates reduced; this is the public-key validation of RFC 8422
  // §5.11 (the curves have cofactor 1, so on-curve means in the group).
  if (ecc_point_set(point.get(), x.get(), y.get()) != 1) {
    return make_error(Errc::illegal_parameter,
                      "peer's " + name + " key share is not a point on the curve");
  }
  Scalar scalar(nist_curve(group));
  if (!set_scalar(scalar, private_key)) {
    return make_error(Errc::internal_error, name + " private key out of range");
  }
  Point product(nist_curve(group));
  ecc_point_mul(product.get(), scalar.get(), point.get());
  Mpz shared_x;
  Mpz shared_y;
  ecc_point_get(product.get(), shared_x.get(), shared_y.get());
  // RFC 8422 §5.10: the premaster secret is the X coordinate, as an
  // octet string of the field size.
  base::SecretBytes secret(length);
  nettle_mpz_get_str_256(length, secret.data(), shared_x.get());
  return secret;
}

Result<base::SecretBytes> x25519_shared_secret(ByteView private_key, ByteView peer) {
  if (peer.size() != CURVE25519_SIZE) {
    return make_error(
        Errc::illegal_parameter,
        "peer's x25519 key share has " + std::to_string(peer.size()) + " bytes instead of 32");
  }
  base::SecretBytes secret(CURVE25519_SIZE);
  curve25519_mul(secret.data(), private_key.data(), peer.data());
  // RFC 7748 §6.1 / RFC 8422 §5.11: a low-order peer key makes the all-zero
  // secret; refuse it. The check ORs all bytes so it takes the same time
  // for every secret.
  std::uint8_t any = 0;
  for (const std::uint8_t byte : secret) {
    any = static_cast<std::uint8_t>(any | byte);
  }
  if (any == 0) {
    return make_error(Errc::illegal_parameter,
                      "peer's x25519 key share is a low-order point (all-zero shared secret)");
  }
  return secret;
}

}  // namespace

Result<Bytes> server_key_exchange_signed_data(ByteView client_random, ByteView server_random,
                                              ByteView params) {
  base::ByteWriter writer;
  writer.bytes(client_random);
  writer.bytes(server_random);
  writer.bytes(params);
  return std::move(writer).finish();
}

std::span<const NamedGroup> supported_groups() {
  return kGroups;
}

std::optional<NamedGroup> find_group(std::uint16_t id) {
  for (const NamedGroup group : kGroups) {
    if (static_cast<std::uint16_t>(group) == id) {
      return group;
    }
  }
  return std::nullopt;
}

std::string_view group_name(NamedGroup group) {
  return base::name_of(kGroupNames, group).value_or("unknown");
}

std::size_t public_key_length(NamedGroup group) {
  return group == NamedGroup::x25519 ? CURVE25519_SIZE : 1 + 2 * field_length(group);
}

Result<EcdheKeyPair> EcdheKeyPair::generate(NamedGroup group, base::Rng& rng) {
  const std::size_t length = group == NamedGroup::x25519 ? CURVE25519_SIZE : field_length(group);
  base::SecretBytes private_key(length);
  if (group == NamedGroup::x25519) {
    // RFC 7748 §5: any 32 random bytes; curve25519_mul clamps them.
    PGPTLS_CHECK(rng.fill(private_key, base::RngLevel::key));
    return from_private(group, private_key);
  }
  Scalar probe(nist_curve(group));
  for (int attempt = 0; attempt < kScalarAttempts; ++attempt) {
    PGPTLS_CHECK(rng.fill(private_key, base::RngLevel::key));
    if (set_scalar(probe, private_key)) {
      return from_private(group, private_key);
    }
  }
  return make_error(Errc::internal_error, "the random generator keeps producing invalid " +
                                              std::string(group_name(group)) + " keys");
}

Result<EcdheKeyPair> EcdheKeyPair::from_private(NamedGroup group, ByteView private_key) {
  if (group == NamedGroup::x25519) {
    if (private_key.size() != CURVE25519_SIZE) {
      return make_error(Errc::illegal_parameter, "x25519 private key must be 32 bytes");
    }
    Bytes public_key(CURVE25519_SIZE);
    curve25519_mul_g(public_key.data(), private_key.data());
    return EcdheKeyPair(group, base::to_secret(private_key), std::move(public_key));
  }
  if (private_key.size() != field_length(group)) {
    return make_error(Errc::illegal_parameter, std::string(group_name(group)) +
                                                   " private key must be " +
                                                   std::to_string(field_length(group)) + " bytes");
  }
  PGPTLS_TRY(Bytes public_key, nist_public_key(group, private_key));
  return EcdheKeyPair(group, base::to_secret(private_key), std::move(public_key));
}

Result<base::SecretBytes> EcdheKeyPair::shared_secret(ByteView peer_public_key) const {
  if (group_ == NamedGroup::x25519) {
    return x25519_shared_secret(private_key_, peer_public_key);
  }
  return nist_shared_secret(group_, private_key_, peer_public_key);
}

}  // namespace pgptls::tls
