#include "tls/crypto/signature_scheme.h"

#include <array>
#include <string>

#include "tls/wire/errors.h"

namespace pgptls::tls {
namespace {

// Preference order: EdDSA, ECDSA, then RSA-PSS before PKCS#1 v1.5 (RFC 8446
// §4.2.3 recommends PSS; TLS 1.2 peers such as GnuTLS 3.5 only do PKCS#1).
constexpr std::array<SignatureScheme, 9> kSchemes{
    SignatureScheme::ed25519,
    SignatureScheme::ecdsa_secp256r1_sha256,
    SignatureScheme::ecdsa_secp384r1_sha384,
    SignatureScheme::rsa_pss_rsae_sha256,
    SignatureScheme::rsa_pss_rsae_sha384,
    SignatureScheme::rsa_pss_rsae_sha512,
    SignatureScheme::rsa_pkcs1_sha256,
    SignatureScheme::rsa_pkcs1_sha384,
    SignatureScheme::rsa_pkcs1_sha512,
};

// Smallest RSA modulus pgptls signs or verifies with (NIST SP 800-57: 112-bit
// security).
constexpr unsigned kMinRsaBits = 2048;

bool is_rsa(SignatureScheme scheme) {
  switch (scheme) {
    case SignatureScheme::rsa_pkcs1_sha256:
    case SignatureScheme::rsa_pkcs1_sha384:
    case SignatureScheme::rsa_pkcs1_sha512:
    case SignatureScheme::rsa_pss_rsae_sha256:
    case SignatureScheme::rsa_pss_rsae_sha384:
    case SignatureScheme::rsa_pss_rsae_sha512:
      return true;
    case SignatureScheme::ecdsa_secp256r1_sha256:
    case SignatureScheme::ecdsa_secp384r1_sha384:
    case SignatureScheme::ed25519:
      return false;
  }
  return false;
}

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
      return bits >= kMinRsaBits && is_rsa(scheme);
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
    if (static_cast<std::uint16_t>(scheme) == id) {
      return scheme;
    }
  }
  return std::nullopt;
}

std::string_view signature_scheme_name(SignatureScheme scheme) {
  switch (scheme) {
    case SignatureScheme::rsa_pkcs1_sha256:
      return "rsa_pkcs1_sha256";
    case SignatureScheme::rsa_pkcs1_sha384:
      return "rsa_pkcs1_sha384";
    case SignatureScheme::rsa_pkcs1_sha512:
      return "rsa_pkcs1_sha512";
    case SignatureScheme::ecdsa_secp256r1_sha256:
      return "ecdsa_secp256r1_sha256";
    case SignatureScheme::ecdsa_secp384r1_sha384:
      return "ecdsa_secp384r1_sha384";
    case SignatureScheme::rsa_pss_rsae_sha256:
      return "rsa_pss_rsae_sha256";
    case SignatureScheme::rsa_pss_rsae_sha384:
      return "rsa_pss_rsae_sha384";
    case SignatureScheme::rsa_pss_rsae_sha512:
      return "rsa_pss_rsae_sha512";
    case SignatureScheme::ed25519:
      return "ed25519";
  }
  return "unknown";
}

gnutls_sign_algorithm_t gnutls_sign_for(SignatureScheme scheme) {
  switch (scheme) {
    case SignatureScheme::rsa_pkcs1_sha256:
      return GNUTLS_SIGN_RSA_SHA256;
    case SignatureScheme::rsa_pkcs1_sha384:
      return GNUTLS_SIGN_RSA_SHA384;
    case SignatureScheme::rsa_pkcs1_sha512:
      return GNUTLS_SIGN_RSA_SHA512;
    case SignatureScheme::ecdsa_secp256r1_sha256:
      return GNUTLS_SIGN_ECDSA_SHA256;
    case SignatureScheme::ecdsa_secp384r1_sha384:
      return GNUTLS_SIGN_ECDSA_SHA384;
    case SignatureScheme::rsa_pss_rsae_sha256:
      return GNUTLS_SIGN_RSA_PSS_RSAE_SHA256;
    case SignatureScheme::rsa_pss_rsae_sha384:
      return GNUTLS_SIGN_RSA_PSS_RSAE_SHA384;
    case SignatureScheme::rsa_pss_rsae_sha512:
      return GNUTLS_SIGN_RSA_PSS_RSAE_SHA512;
    case SignatureScheme::ed25519:
      return GNUTLS_SIGN_EDDSA_ED25519;
  }
  return GNUTLS_SIGN_UNKNOWN;
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
  const gnutls_datum_t input = datum(data);
  const gnutls_datum_t sig = datum(signature);
  const int rc = gnutls_pubkey_verify_data2(key, gnutls_sign_for(scheme), 0, &input, &sig);
  if (rc < 0) {
    return make_error(
        Errc::decrypt_error,
        "the peer's " + name + " handshake signature does not verify with its certified key");
  }
  return {};
}

}  // namespace pgptls::tls
