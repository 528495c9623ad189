// policy.h: which algorithms, hashes and key sizes the keyring accepts, and
// the size caps of parsing, as a plain struct with named presets (in the
// manner of Sequoia's StandardPolicy).
//
// Usage:
//   const Policy policy = Policy::standard();   // or gnutls35_compatible(), strict()
//   PGPTLS_CHECK(policy.check_key(key));
//   PGPTLS_CHECK(policy.check_hash(sig.hash_algorithm, SignatureRole::certification, created));
#pragma once

#include <cstdint>
#include <string>

#include "base/result.h"
#include "openpgp/cert.h"
#include "openpgp/key_material.h"

namespace pgptls::keyring {

// SignatureRole: what a signature does, because SHA-1 is judged per role.
enum class SignatureRole : std::uint8_t {
  self_signature,  // user ID self-signatures, direct-key signatures, bindings, revocations
  certification,   // third-party certifications (an authority's)
};

struct Policy {
  std::string name = "standard";
  bool allow_md5 = false;
  bool allow_ripemd160 = false;
  // SHA-1 is broken for collisions: never for third-party certifications
  // (the certified party chooses the data), and for self-signatures only
  // when made before the cutoff (seconds since the epoch; 0 = never).
  bool allow_sha1_certifications = false;
  std::uint32_t sha1_self_signature_cutoff = 1675209600;  // 2023-02-01T00:00:00Z
  unsigned min_rsa_bits = 2048;
  // Caps so that a hostile key cannot make verification slow: the RSA
  // modulus and DSA p, the RSA public exponent and DSA q.
  unsigned max_rsa_bits = 16384;
  unsigned max_exponent_bits = 512;
  unsigned min_dsa_bits = 2048;
  bool allow_dsa = true;
  // GnuTLS 3.5 signs TLS handshakes with keys flagged only for signing
  // (0x02): accept those for authentication too when set.
  bool accept_sign_only_for_authentication = false;
  openpgp::CertLimits limits;

  // standard: the default described above.
  [[nodiscard]] static Policy standard();
  // gnutls35_compatible: standard plus [S]-only keys for authentication.
  [[nodiscard]] static Policy gnutls35_compatible();
  // strict: no SHA-1 at all, no DSA, RSA of at least 3072 bits.
  [[nodiscard]] static Policy strict();

  // check_hash: Errc::rejected_by_policy naming the hash and the rule.
  [[nodiscard]] Status check_hash(std::uint8_t hash, SignatureRole role,
                                  std::uint32_t signature_time) const;
  // check_key: Errc::rejected_by_policy for too small RSA/DSA keys or
  // disallowed algorithms; Errc::unsupported_algorithm for unknown curves.
  [[nodiscard]] Status check_key(const openpgp::PublicKey& key) const;
};

}  // namespace pgptls::keyring
