// engine_support.h: credentials made by certtool in the test, and a test
// PeerVerifier that trusts X.509 keys by SPKI SHA-256 (the way pgptls pins
// work), for the RFC 6091 engine tests.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "base/gnutls_handles.h"
#include "tests/support/temp_dir.h"
#include "tls/engine/credentials.h"
#include "tls/engine/peer_verifier.h"

namespace pgptls::tls::test {

// KeyKind: the key types the tests use.
enum class KeyKind { ed25519, ecdsa_p256, ecdsa_p384, rsa2048, rsa_pss2048 };

// X509Identity: a self-signed certificate for `domain` and its key.
struct X509Identity {
  std::string domain;
  Bytes certificate_der;
  base::SharedPrivateKey key;
  Bytes spki_sha256;
  // The files certtool wrote (the key in PEM) and the certificate in PEM,
  // for real peers started by interop tests.
  std::filesystem::path key_pem;
  std::filesystem::path certificate_pem;
  [[nodiscard]] X509Credential credential() const { return {{certificate_der}, key}; }
};

// make_x509_identity: runs certtool in `dir` to make a key of `kind` and a
// self-signed certificate with CN and dNSName `domain`. Throws
// std::runtime_error when a tool fails.
X509Identity make_x509_identity(const pgptls::test::TempDir& dir, KeyKind kind,
                                const std::string& domain);

// spki_sha256_of_certificate: SHA-256 of the DER SubjectPublicKeyInfo of
// an X.509 certificate; empty when it does not parse.
Bytes spki_sha256_of_certificate(ByteView der);

// SpkiVerifier: accepts an X.509 leaf whose SPKI hash is trusted for the
// expected domain (any trusted domain when none is expected); refuses with
// an Error whose message names the domain, like the real verifier.
class SpkiVerifier final : public PeerVerifier {
 public:
  void trust(const Bytes& spki_sha256, const std::string& domain) {
    trusted_.emplace_back(spki_sha256, domain);
  }
  [[nodiscard]] Result<VerifiedPeer> verify(const PresentedCertificate& certificate,
                                            const VerifyRequest& request) override;
  int calls = 0;

 private:
  std::vector<std::pair<Bytes, std::string>> trusted_;
};

}  // namespace pgptls::tls::test
