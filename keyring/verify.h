// verify.h: computing what an OpenPGP signature over a key, subkey or user
// ID hashes (RFC 9580 §5.2.4), and checking it cryptographically through
// GnuTLS abstract keys.
//
// Usage:
//   // A certification of `uid` on `cert`, made by `signer`:
//   PGPTLS_CHECK(keyring::verify_signature(sig, signer, {&cert.primary, nullptr, &uid}));
//   // A subkey binding:
//   PGPTLS_CHECK(keyring::verify_signature(sig, cert.primary, {&cert.primary, &sub.key, nullptr}));
//
// No policy is applied here (see policy.h and validate.h): only "does this
// key's signature verify over these components".
#pragma once

#include "base/bytes.h"
#include "base/result.h"
#include "keyring/cert.h"
#include "keyring/key_material.h"
#include "keyring/signature.h"

namespace pgptls::keyring {

// SignedComponents: the certificate parts a signature is over.
struct SignedComponents {
  const PublicKey* primary = nullptr;  // always
  const PublicKey* subkey = nullptr;   // bindings, back-signatures, subkey revocations
  const UserId* user_id = nullptr;     // certifications and their revocations
};

// signature_digest: the hash a signature of this type covers. Errors:
// Errc::unsupported_algorithm (hash), Errc::invalid_argument (a component
// missing for this signature type, or a signature type not over keys).
[[nodiscard]] Result<Bytes> signature_digest(const Signature& sig, const SignedComponents& over);

// verify_digest: checks the signature material against a digest with the
// signer's key. Errc::bad_signature if it does not verify.
[[nodiscard]] Status verify_digest(const Signature& sig, const PublicKey& signer,
                                   ByteView digest_value);

// verify_signature: signature_digest + hash-prefix check + verify_digest.
[[nodiscard]] Status verify_signature(const Signature& sig, const PublicKey& signer,
                                      const SignedComponents& over);

}  // namespace pgptls::keyring
