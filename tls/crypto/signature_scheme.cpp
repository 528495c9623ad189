#include "tls/crypto/signature_scheme.h"

#include <algorithm>
#include <array>
#include <optional>
#include <string>

#include "base/ed25519.h"
#include "tls/wire/errors.h"

namespace pgptls::tls {
namespace {

// ed25519_point: the 32-octet public point of an Ed25519 key (RFC 8032
// §5.1.5), nullopt for any other key.
std::optional<Bytes> ed25519_point(gnutls_pubkey_t key) {
  gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
  gnutls_datum_t x{};
  gnutls_datum_t y{};
  if (gnutls_pubkey_export_ecc_raw2(key, &curve, &x, &y, 0) < 0) {
    return std::nullopt;
  }
  std::optional<Bytes> point;
  if (curve == GNUTLS_ECC_CURVE_ED25519) {
    point = Bytes(x.data, x.data + x.size);
  }
  gnutls_free(x.data);
  gnutls_free(y.data);
  return point;
}

// SchemeFacts: what pgptls knows of a scheme: its name, the GnuTLS
// algorithm that makes and checks it, and the suites it serves.
struct SchemeFacts {
  SignatureScheme scheme;
  std::string_view name;
  gnutls_sign_algorithm_t gnutls_sign;
  AuthAlgorithm auth;
};

// kFacts, in preference order: EdDSA, ECDSA, then RSA-PSS before PKCS#1
// v1.5 (RFC 8446 §4.2.3 recommends PSS; TLS 1.2 peers such as GnuTLS 3.5
// only do PKCS#1). In TLS 1.2 an ECDSA code point names a hash, not a curve
// (RFC 5246 §7.4.1.4.1), so the ECDSA schemes map to GnuTLS's curve-agnostic
// ECDSA-SHA256/SHA384. RSA schemes serve ECDHE_RSA, ECDSA and Ed25519 schemes
// ECDHE_ECDSA (RFC 8422 §5.1.1).
constexpr std::array<SchemeFacts, 9> kFacts{{
    {SignatureScheme::ed25519, "ed25519", GNUTLS_SIGN_EDDSA_ED25519, AuthAlgorithm::ecdsa},
    {SignatureScheme::ecdsa_secp256r1_sha256, "ecdsa_secp256r1_sha256", GNUTLS_SIGN_ECDSA_SHA256,
     AuthAlgorithm::ecdsa},
    {SignatureScheme::ecdsa_secp384r1_sha384, "ecdsa_secp384r1_sha384", GNUTLS_SIGN_ECDSA_SHA384,
     AuthAlgorithm::ecdsa},
    {SignatureScheme::rsa_pss_rsae_sha256, "rsa_pss_rsae_sha256", GNUTLS_SIGN_RSA_PSS_RSAE_SHA256,
     AuthAlgorithm::rsa},
    {SignatureScheme::rsa_pss_rsae_sha384, "rsa_pss_rsae_sha384", GNUTLS_SIGN_RSA_PSS_RSAE_SHA384,
     AuthAlgorithm::rsa},
    {SignatureScheme::rsa_pss_rsae_sha512, "rsa_pss_rsae_sha512", GNUTLS_SIGN_RSA_PSS_RSAE_SHA512,
     AuthAlgorithm::rsa},
    {SignatureScheme::rsa_pkcs1_sha256, "rsa_pkcs1_sha256", GNUTLS_SIGN_RSA_SHA256,
     AuthAlgorithm::rsa},
    {SignatureScheme::rsa_pkcs1_sha384, "rsa_pkcs1_sha384", GNUTLS_SIGN_RSA_SHA384,
     AuthAlgorithm::rsa},
    {SignatureScheme::rsa_pkcs1_sha512, "rsa_pkcs1_sha512", GNUTLS_SIGN_RSA_SHA512,
     AuthAlgorithm::rsa},
}};

constexpr std::array<SignatureScheme, kFacts.size()> kSchemes = [] {
  std::array<SignatureScheme, kFacts.size()> schemes{};
  for (std::size_t i = 0; i < kFacts.size(); ++i) {
    schemes[i] = kFacts[i].scheme;
  }
  return schemes;
}();

// facts: the row of a scheme; every SignatureScheme value has one.
const SchemeFacts* facts(SignatureScheme scheme) {
  for (const SchemeFacts& row : kFacts) {
    if (row.scheme == scheme) {
      return &row;
    }
  }
  return nullptr;
}

// Smallest RSA modulus pgptls signs or verifies with (NIST SP 800-57: 112-bit
// security).
constexpr unsigned kMinRsaBits = 2048;

// fits: whether a key of this algorithm and size makes the scheme. ECDSA key
// sizes are the curve size in bits (GnuTLS reports 256 for P-256).
bool fits(gnutls_pk_algorithm_t algorithm, unsigned bits, SignatureScheme scheme) {
  switch (algorithm) {
    case GNUTLS_PK_EDDSA_ED25519:
      return scheme == SignatureScheme::ed25519;
    case GNUTLS_PK_ECDSA:
      return (bits == 256 && scheme == SignatureScheme::ecdsa_secp256r1_sha256) ||
             (bits == 384 && scheme == SignatureScheme::ecdsa_secp384r1_sha384);
    case GNUTLS_PK_RSA:
      return bits >= kMinRsaBits && auth_algorithm_of(scheme) == AuthAlgorithm::rsa;
    default:
      return false;
  }
}

gnutls_datum_t datum(ByteView data) {
  return gnutls_datum_t{const_cast<std::uint8_t*>(data.data()), static_cast<unsigned>(data.size())};
}

}  // namespace

std::span<const SignatureScheme> supported_signature_schemes() {
  return kSchemes;
}

std::optional<SignatureScheme> find_signature_scheme(std::uint16_t id) {
  for (const SignatureScheme scheme : kSchemes) {
    if (wire_value(scheme) == id) {
      return scheme;
    }
  }
  return std::nullopt;
}

std::vector<std::uint16_t> wire_values(std::span<const SignatureScheme> schemes) {
  std::vector<std::uint16_t> wire;
  wire.reserve(schemes.size());
  for (const SignatureScheme scheme : schemes) {
    wire.push_back(wire_value(scheme));
  }
  return wire;
}

AuthAlgorithm auth_algorithm_of(SignatureScheme scheme) {
  const SchemeFacts* row = facts(scheme);
  return row != nullptr ? row->auth : AuthAlgorithm::ecdsa;
}

std::string_view signature_scheme_name(SignatureScheme scheme) {
  const SchemeFacts* row = facts(scheme);
  return row != nullptr ? row->name : "unknown";
}

gnutls_sign_algorithm_t gnutls_sign_for(SignatureScheme scheme) {
  const SchemeFacts* row = facts(scheme);
  return row != nullptr ? row->gnutls_sign : GNUTLS_SIGN_UNKNOWN;
}

std::vector<SignatureScheme> schemes_for_key(gnutls_privkey_t key) {
  std::vector<SignatureScheme> schemes;
  if (key == nullptr) {
    return schemes;
  }
  unsigned bits = 0;
  const int algorithm = gnutls_privkey_get_pk_algorithm(key, &bits);
  if (algorithm < 0) {
    return schemes;
  }
  for (const SignatureScheme scheme : kSchemes) {
    if (fits(static_cast<gnutls_pk_algorithm_t>(algorithm), bits, scheme)) {
      schemes.push_back(scheme);
    }
  }
  return schemes;
}

std::optional<SignatureScheme> choose_signature_scheme(
    gnutls_privkey_t key, std::span<const SignatureScheme> allowed,
    std::span<const std::uint16_t> peer_accepts) {
  for (const SignatureScheme scheme : schemes_for_key(key)) {
    if (std::find(allowed.begin(), allowed.end(), scheme) != allowed.end() &&
        std::find(peer_accepts.begin(), peer_accepts.end(), wire_value(scheme)) !=
            peer_accepts.end()) {
      return scheme;
    }
  }
  return std::nullopt;
}

bool scheme_fits_public_key(gnutls_pubkey_t key, SignatureScheme scheme) {
  if (key == nullptr) {
    return false;
  }
  unsigned bits = 0;
  const int algorithm = gnutls_pubkey_get_pk_algorithm(key, &bits);
  return algorithm >= 0 && fits(static_cast<gnutls_pk_algorithm_t>(algorithm), bits, scheme);
}

Result<Bytes> sign(gnutls_privkey_t key, SignatureScheme scheme, ByteView data) {
  const std::string name(signature_scheme_name(scheme));
  unsigned bits = 0;
  const int algorithm = key == nullptr ? -1 : gnutls_privkey_get_pk_algorithm(key, &bits);
  if (algorithm < 0 || !fits(static_cast<gnutls_pk_algorithm_t>(algorithm), bits, scheme)) {
    return make_error(Errc::internal_error, "the signing key cannot make " + name + " signatures");
  }
  const gnutls_datum_t input = datum(data);
  gnutls_datum_t signature{nullptr, 0};
  const int rc = gnutls_privkey_sign_data2(key, gnutls_sign_for(scheme), 0, &input, &signature);
  if (rc < 0) {
    return make_error(Errc::internal_error,
                      "signing with " + name + " failed: " + gnutls_strerror(rc));
  }
  Bytes out(signature.data, signature.data + signature.size);
  gnutls_free(signature.data);
  return out;
}

Status verify(gnutls_pubkey_t key, SignatureScheme scheme, ByteView data, ByteView signature) {
  const std::string name(signature_scheme_name(scheme));
  if (!scheme_fits_public_key(key, scheme)) {
    return make_error(Errc::decrypt_error,
                      "the peer signed with " + name + ", which its certified key cannot make");
  }
  bool verified = false;
  if (const auto point = scheme == SignatureScheme::ed25519 ? ed25519_point(key) : std::nullopt) {
    // Public data only: libsodium's variable-time check (base/ed25519.h).
    verified = base::ed25519_verify(*point, data, signature);
  } else {
    const gnutls_datum_t input = datum(data);
    const gnutls_datum_t sig = datum(signature);
    verified = gnutls_pubkey_verify_data2(key, gnutls_sign_for(scheme), 0, &input, &sig) >= 0;
  }
  if (!verified) {
    return make_error(
        Errc::decrypt_error,
        "the peer's " + name + " handshake signature does not verify with its certified key");
  }
  return {};
}

}  // namespace pgptls::tls
