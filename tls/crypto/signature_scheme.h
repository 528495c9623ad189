// signature_scheme.h: the TLS 1.2 signature schemes pgptls accepts (RFC 5246
// §7.4.1.4.1 as renamed by RFC 8446 §4.2.3), mapped to GnuTLS signature
// algorithms; signing with gnutls_privkey_t, verifying with gnutls_pubkey_t.
// SHA-1 and MD5 schemes are not implemented at all.
#pragma once

#include <gnutls/abstract.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "tls/wire/cipher_suite.h"

namespace pgptls::tls {

// SignatureScheme: wire values of the signature_algorithms extension and of
// the signature's algorithm field.
enum class SignatureScheme : std::uint16_t {
  rsa_pkcs1_sha256 = 0x0401,
  ecdsa_secp256r1_sha256 = 0x0403,
  rsa_pkcs1_sha384 = 0x0501,
  ecdsa_secp384r1_sha384 = 0x0503,
  rsa_pkcs1_sha512 = 0x0601,
  rsa_pss_rsae_sha256 = 0x0804,
  rsa_pss_rsae_sha384 = 0x0805,
  rsa_pss_rsae_sha512 = 0x0806,
  ed25519 = 0x0807,
};

// supported_signature_schemes: all nine, in pgptls's preference order (what
// a ClientHello's signature_algorithms lists).
[[nodiscard]] std::span<const SignatureScheme> supported_signature_schemes();

// find_signature_scheme: the scheme with this wire number, or nullopt when
// pgptls does not implement it (skip it in a list; refuse it in a signature).
[[nodiscard]] std::optional<SignatureScheme> find_signature_scheme(std::uint16_t id);

// signature_scheme_name: "ed25519", "rsa_pss_rsae_sha256", ...
[[nodiscard]] std::string_view signature_scheme_name(SignatureScheme scheme);

// wire_value: the scheme's number on the wire (RFC 5246 §7.4.1.4.1).
[[nodiscard]] constexpr std::uint16_t wire_value(SignatureScheme scheme) {
  return static_cast<std::uint16_t>(scheme);
}
// wire_values: a list of schemes as wire numbers, in the same order (a
// signature_algorithms extension, a CertificateRequest's list).
[[nodiscard]] std::vector<std::uint16_t> wire_values(std::span<const SignatureScheme> schemes);

// auth_algorithm_of: the suites a scheme's signatures serve: RSA schemes
// ECDHE_RSA, ECDSA and Ed25519 schemes ECDHE_ECDSA (RFC 8422 §5.1.1). A
// ServerKeyExchange signature must be of its suite's algorithm (RFC 5246
// §7.4.3).
[[nodiscard]] AuthAlgorithm auth_algorithm_of(SignatureScheme scheme);

// gnutls_sign_for: the GnuTLS algorithm that makes and checks the scheme.
// In TLS 1.2 an ECDSA code point names a hash, not a curve (RFC 5246
// §7.4.1.4.1), so the ECDSA schemes map to GnuTLS's curve-agnostic
// ECDSA-SHA256/SHA384.
[[nodiscard]] gnutls_sign_algorithm_t gnutls_sign_for(SignatureScheme scheme);

// schemes_for_key: the schemes, in preference order, that this private key
// can make: Ed25519 keys ed25519; ECDSA P-256 / P-384 keys the scheme of
// their curve; RSA (rsaEncryption) keys of at least 2048 bits PSS then
// PKCS#1 v1.5. Other keys (RSA-PSS-only, DSA, other curves) get none.
[[nodiscard]] std::vector<SignatureScheme> schemes_for_key(gnutls_privkey_t key);

// choose_signature_scheme: the scheme a side signs its handshake with: the
// first of `key`'s schemes (schemes_for_key order) that this side's policy
// `allowed` and the peer accepts (`peer_accepts`, wire numbers from its
// signature_algorithms or CertificateRequest, RFC 5246 §7.4.1.4.1,
// §7.4.4). nullopt when there is none. Both the server's ServerKeyExchange
// and the client's CertificateVerify choose this way.
[[nodiscard]] std::optional<SignatureScheme> choose_signature_scheme(
    gnutls_privkey_t key, std::span<const SignatureScheme> allowed,
    std::span<const std::uint16_t> peer_accepts);

// scheme_fits_public_key: whether a peer's key can have made a signature of
// this scheme (key type, and curve for ECDSA).
[[nodiscard]] bool scheme_fits_public_key(gnutls_pubkey_t key, SignatureScheme scheme);

// sign: signs `data` (the whole message: the scheme's hash is applied by
// GnuTLS) with gnutls_privkey_sign_data2. Fails with Errc::internal_error
// when the key cannot make this scheme or GnuTLS fails.
[[nodiscard]] Result<Bytes> sign(gnutls_privkey_t key, SignatureScheme scheme, ByteView data);

// verify: checks a peer's signature over `data`: Ed25519 through libsodium
// (base/ed25519.h), every other scheme with gnutls_pubkey_verify_data2. Fails with
// Errc::decrypt_error (RFC 5246 §7.2.2) when the key does not fit the scheme or the signature is
// wrong.
[[nodiscard]] Status verify(gnutls_pubkey_t key, SignatureScheme scheme, ByteView data,
                            ByteView signature);

}  // namespace pgptls::tls
