// cipher_suite.h: the six ECDHE AEAD cipher suites of pgptls's TLS 1.2
// engine (RFC 5289, RFC 7905, RFC 8422) and the hashes of its PRF.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace pgptls::tls {

// HashAlgorithm: the hash of the PRF and of the handshake transcript
// (RFC 5246 §5: the suite names it; SHA-256 unless it says SHA-384).
enum class HashAlgorithm : std::uint8_t { sha256, sha384 };

// hash_length: 32 for SHA-256, 48 for SHA-384.
constexpr std::size_t hash_length(HashAlgorithm hash) {
  return hash == HashAlgorithm::sha384 ? 48 : 32;
}

// AeadAlgorithm: the record protection of a suite.
enum class AeadAlgorithm : std::uint8_t { aes_128_gcm, aes_256_gcm, chacha20_poly1305 };

// AuthAlgorithm: who signs the ServerKeyExchange. `ecdsa` suites also carry
// Ed25519 signatures (RFC 8422 §5.1.1: ECDHE_ECDSA covers EdDSA keys).
enum class AuthAlgorithm : std::uint8_t { ecdsa, rsa };

// CipherSuite: everything the record layer and key schedule need to know.
struct CipherSuite {
  std::uint16_t id;
  std::string_view name;  // IANA name
  AeadAlgorithm aead;
  HashAlgorithm prf_hash;
  AuthAlgorithm auth;
  std::size_t key_length;        // enc_key_length, bytes
  std::size_t fixed_iv_length;   // implicit part of the nonce: 4 (GCM) or 12 (ChaCha)
  std::size_t record_iv_length;  // explicit nonce sent per record: 8 (GCM) or 0 (ChaCha)
  std::size_t tag_length;        // 16 for all three AEADs
};

// Cipher suite numbers (IANA TLS Cipher Suites registry).
inline constexpr std::uint16_t kEcdheEcdsaAes128GcmSha256 = 0xC02B;
inline constexpr std::uint16_t kEcdheEcdsaAes256GcmSha384 = 0xC02C;
inline constexpr std::uint16_t kEcdheRsaAes128GcmSha256 = 0xC02F;
inline constexpr std::uint16_t kEcdheRsaAes256GcmSha384 = 0xC030;
inline constexpr std::uint16_t kEcdheRsaChacha20Poly1305Sha256 = 0xCCA8;
inline constexpr std::uint16_t kEcdheEcdsaChacha20Poly1305Sha256 = 0xCCA9;

// supported_cipher_suites: all six, in pgptls's preference order (AES-GCM
// first: it has hardware support on the machines we target).
[[nodiscard]] std::span<const CipherSuite> supported_cipher_suites();

// find_cipher_suite: the suite with this wire number, or nullptr when
// pgptls does not implement it (the caller skips it while negotiating).
[[nodiscard]] const CipherSuite* find_cipher_suite(std::uint16_t id);

}  // namespace pgptls::tls
