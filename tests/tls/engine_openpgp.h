// engine_openpgp.h: OpenPGP credentials made by gpg in the test (a
// throwaway GNUPGHOME), and a test PeerVerifier that trusts OpenPGP keys by
// fingerprint, for the RFC 6091 engine tests. The signing key's secret is
// read from gpg's unprotected export (RFC 4880 §5.5.3) only far enough to
// load it into GnuTLS; the keyring library owns real OpenPGP parsing.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/gnutls_handles.h"
#include "keyring/authority.h"
#include "keyring/policy.h"
#include "openpgp/cert.h"
#include "tests/support/temp_dir.h"
#include "tls/engine/credentials.h"
#include "tls/engine/peer_verifier.h"

namespace pgptls::tls::test {

// OpenPgpKind: the OpenPGP keys the tests make with gpg.
enum class OpenPgpKind {
  ed25519,         // Ed25519 primary [SC]
  ed25519_subkey,  // Ed25519 primary [C] with an Ed25519 signing subkey [S]
  nistp256,        // ECDSA P-256 primary [SC]
  rsa2048,         // RSA-2048 primary [SC]
};

// OpenPgpIdentity: a gpg-made certificate for xmpp:<domain>.
struct OpenPgpIdentity {
  std::string domain;
  Bytes transferable_key;  // gpg --export
  Bytes fingerprint;       // of the primary key
  Bytes signing_key_id;    // of the component key that signs
  base::SharedPrivateKey signer;
  // signing_spki: the DER SubjectPublicKeyInfo built from the OpenPGP
  // public key packet of the signing key (checked against `signer`).
  Bytes signing_spki;
  [[nodiscard]] OpenPgpCredential credential(bool fingerprint_only = false) const {
    return {transferable_key, signing_key_id, fingerprint, fingerprint_only, signer};
  }
};

// make_openpgp_identity: runs gpg in `home` (a TempDir used as GNUPGHOME)
// to make a key of `kind` for xmpp:<domain>. Throws std::runtime_error
// when a tool fails or the export cannot be read.
OpenPgpIdentity make_openpgp_identity(const pgptls::test::TempDir& home, OpenPgpKind kind,
                                      const std::string& domain);

// load_reference_identity: the GnuTLS 3.5 reference key NAME
// (tests/data/gnutls-3.5/keys/NAME.pub.gpg and NAME.sec.asc, read with the
// keyring library) for xmpp:<domain>, signing with the component key whose
// key ID is `signing_key_id_hex`. Throws std::runtime_error on failure.
OpenPgpIdentity load_reference_identity(const std::string& name, const std::string& domain,
                                        const std::string& signing_key_id_hex);

// OpenPgpTrustVerifier: accepts an OpenPGP certificate whose primary
// fingerprint is trusted for the expected domain, sent either whole (it
// must be the exported key) or as subkey_cert_fingerprint (resolved in the
// trusted list, like a keyring), naming the trusted signing key ID.
class OpenPgpTrustVerifier final : public PeerVerifier {
 public:
  void trust(const OpenPgpIdentity& identity) { trusted_.push_back(&identity); }
  [[nodiscard]] Result<VerifiedPeer> verify(const PresentedCertificate& certificate,
                                            const VerifyRequest& request) override;

 private:
  std::vector<const OpenPgpIdentity*> trusted_;
};

// AuthorityVerifier: the OpenPGP decision the way pgptls makes it, on
// keyring::check_peer: the certificate (sent whole, or resolved by
// fingerprint in `keyring`) must be certified for the expected domain by
// one of `authorities` at `now`, and the key ID must name a usable
// authentication key, whose GnuTLS key is returned.
class AuthorityVerifier final : public PeerVerifier {
 public:
  AuthorityVerifier(std::vector<keyring::Authority> authorities, std::vector<openpgp::Cert> keyring,
                    keyring::Policy policy, base::Seconds now)
      : authorities_(std::move(authorities)),
        keyring_(std::move(keyring)),
        policy_(std::move(policy)),
        now_(now) {}
  [[nodiscard]] Result<VerifiedPeer> verify(const PresentedCertificate& certificate,
                                            const VerifyRequest& request) override;

 private:
  std::vector<keyring::Authority> authorities_;
  std::vector<openpgp::Cert> keyring_;
  keyring::Policy policy_;
  base::Seconds now_;
};

// load_reference_cert: tests/data/gnutls-3.5/keys/NAME.pub.gpg, parsed.
openpgp::Cert load_reference_cert(const std::string& name);

}  // namespace pgptls::tls::test
