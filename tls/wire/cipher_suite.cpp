#include "tls/wire/cipher_suite.h"

#include <array>

namespace pgptls::tls {
namespace {

// Key and nonce sizes: RFC 5288 §3 (AES-GCM: 4-byte salt, 8-byte explicit
// nonce), RFC 7905 §2 (ChaCha20-Poly1305: 12-byte IV, no explicit nonce).
constexpr CipherSuite make_gcm(std::uint16_t id, std::string_view name, AeadAlgorithm aead,
                               HashAlgorithm hash, AuthAlgorithm auth, std::size_t key_length) {
  return CipherSuite{id, name, aead, hash, auth, key_length, 4, 8, 16};
}

constexpr CipherSuite make_chacha(std::uint16_t id, std::string_view name, AuthAlgorithm auth) {
  return CipherSuite{
      id, name, AeadAlgorithm::chacha20_poly1305, HashAlgorithm::sha256, auth, 32, 12, 0, 16};
}

constexpr std::array<CipherSuite, 6> kSuites{
    make_gcm(kEcdheEcdsaAes128GcmSha256, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
             AeadAlgorithm::aes_128_gcm, HashAlgorithm::sha256, AuthAlgorithm::ecdsa, 16),
    make_gcm(kEcdheRsaAes128GcmSha256, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
             AeadAlgorithm::aes_128_gcm, HashAlgorithm::sha256, AuthAlgorithm::rsa, 16),
    make_gcm(kEcdheEcdsaAes256GcmSha384, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
             AeadAlgorithm::aes_256_gcm, HashAlgorithm::sha384, AuthAlgorithm::ecdsa, 32),
    make_gcm(kEcdheRsaAes256GcmSha384, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
             AeadAlgorithm::aes_256_gcm, HashAlgorithm::sha384, AuthAlgorithm::rsa, 32),
    make_chacha(kEcdheEcdsaChacha20Poly1305Sha256, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
                AuthAlgorithm::ecdsa),
    make_chacha(kEcdheRsaChacha20Poly1305Sha256, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
                AuthAlgorithm::rsa),
};

}  // namespace

std::span<const CipherSuite> supported_cipher_suites() {
  return kSuites;
}

const CipherSuite* find_cipher_suite(std::uint16_t id) {
  for (const CipherSuite& suite : kSuites) {
    if (suite.id == id) {
      return &suite;
    }
  }
  return nullptr;
}

}  // namespace pgptls::tls
