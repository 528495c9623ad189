// signature_writer.h: making detached OpenPGP signatures over a document
// (signature type 0x00, RFC 9580 §5.2.1.1), for `pgptls pins
// sign-statement`. Signatures are version 4 (RFC 9580 §5.2.3), which every
// v4 key can make and GnuPG, Sequoia and pgptls all verify; v6 keys are
// refused (a v6 signature needs a salt and v6 trailer, not written here).
//
// Usage:
//   DetachedSigner signer{algorithm, fingerprint, private_key.get()};
//   PGPTLS_TRY(Bytes packet, make_detached_signature(document, signer, now));
#pragma once

#include <gnutls/abstract.h>

#include <cstdint>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/result.h"

namespace pgptls::openpgp {

// Public-key algorithm IDs that can sign (RFC 9580 §9.1).
enum class SigningAlgorithm : std::uint8_t {
  rsa = 1,
  ecdsa = 19,
  eddsa_legacy = 22,  // EdDSALegacy, Ed25519 keys made by GnuPG 2.2/2.4
  ed25519 = 27,
};

// DetachedSigner: the signing component key: its algorithm, its v4
// fingerprint (20 bytes; the issuer fingerprint and key ID derive from it)
// and the GnuTLS private key holding its secret.
struct DetachedSigner {
  SigningAlgorithm algorithm = SigningAlgorithm::ed25519;
  Bytes fingerprint;
  gnutls_privkey_t key = nullptr;
};

// make_detached_signature: a binary signature packet over `document` with
// SHA-512 (SHA-256 for P-256 keys, whose ECDSA takes a matching hash),
// hashed creation time and issuer fingerprint, unhashed issuer key ID.
// Fails when the fingerprint is not a v4 one or GnuTLS refuses to sign.
[[nodiscard]] Result<Bytes> make_detached_signature(ByteView document, const DetachedSigner& signer,
                                                    base::TimePoint created);

}  // namespace pgptls::openpgp
