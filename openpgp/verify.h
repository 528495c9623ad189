// verify.h: computing what an OpenPGP signature over a key, subkey or user
// ID hashes (RFC 9580 §5.2.4), and checking it cryptographically through
// GnuTLS abstract keys (Ed25519 through libsodium, base/ed25519.h).
//
// Usage:
//   // A certification of `uid` on `cert`, made by `signer`:
//   PGPTLS_CHECK(openpgp::verify_signature(sig, signer, {&cert.primary, nullptr, &uid}));
//   // A subkey binding:
//   PGPTLS_CHECK(openpgp::verify_signature(sig, cert.primary, {&cert.primary, &sub.key, nullptr}));
//
// No policy is applied here (see policy.h and validate.h): only "does this
// key's signature verify over these components".
#pragma once

#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "openpgp/cert.h"
#include "openpgp/key_material.h"
#include "openpgp/signature.h"

namespace pgptls::openpgp {

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

// canonical_text: the document with every line end (CR LF, lone LF, lone
// CR) written as CR LF, which is what a text signature (0x01) covers
// (RFC 9580 §5.2.1.2), so that a text signature survives LF <-> CRLF.
[[nodiscard]] Bytes canonical_text(ByteView document);

// document_digest: the hash a document signature covers (RFC 9580 §5.2.4):
// the v6 salt, the document (0x00 binary: as is; 0x01 text: canonical_text),
// the trailer. Errc::invalid_argument for any other signature type.
[[nodiscard]] Result<Bytes> document_digest(const Signature& sig, ByteView document);

// verify_document_signature: document_digest + verify_digest.
[[nodiscard]] Status verify_document_signature(const Signature& sig, const PublicKey& signer,
                                               ByteView document);

// kMaxDetachedSignatures: a detached signature file holding more
// signatures than this is refused (each costs a public-key operation).
inline constexpr std::size_t kMaxDetachedSignatures = 16;
// kMaxDetachedSignatureBytes: the size cap of a detached signature file.
inline constexpr std::size_t kMaxDetachedSignatureBytes = 64 * 1024;

// parse_detached_signatures: the document signatures (0x00 / 0x01) of a
// detached signature file, binary or armored ("PGP SIGNATURE", several
// blocks allowed). Marker and padding packets are skipped; signatures of
// versions we do not read (v3, v5) are skipped when another one parses.
// Fails with Errc::malformed_packet / bad_armor naming the problem, or
// Errc::invalid_argument when the file holds other packets, no document
// signature, or more than kMaxDetachedSignatures.
[[nodiscard]] Result<std::vector<Signature>> parse_detached_signatures(ByteView input);

}  // namespace pgptls::openpgp
