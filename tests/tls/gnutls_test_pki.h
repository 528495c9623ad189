// gnutls_test_pki.h: X.509 certificates and raw keys made by certtool for
// the GnuTLS engine and trust verifier tests, and a verifier test double
// that accepts a set of SubjectPublicKeyInfos (standing in for pins).
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "tests/support/temp_dir.h"
#include "tls/engine/credentials.h"
#include "tls/engine/peer_verifier.h"
#include "tls/gnutls/gnutls_engine.h"

namespace pgptls::test {

// KeyKind: the key algorithms the tests cover.
enum class KeyKind { ed25519, ecdsa, rsa };
const char* key_kind_name(KeyKind kind);

// Identity: one self-signed certificate made by certtool, its files and
// the loaded credential.
struct Identity {
  std::string domain;
  std::filesystem::path cert_file;
  std::filesystem::path key_file;
  std::filesystem::path public_key_file;  // PEM SubjectPublicKeyInfo (raw key)
  tls::X509Credential credential;
  tls::RawPublicKeyCredential raw_key;
  Bytes spki;  // DER SubjectPublicKeyInfo of the key
};

// make_identity: runs certtool in `dir` to make a key of `kind` and a
// self-signed certificate for `domain` valid for `days` (negative: already
// expired). Fails the calling test (gtest fatal assertion) on any error.
Identity make_identity(const std::filesystem::path& dir, const std::string& domain, KeyKind kind,
                       int days = 30);

// SpkiVerifier: accepts exactly the keys in `accepted`, otherwise rejects
// with Errc::peer_rejected and `reject_message`. Records what it saw.
class SpkiVerifier final : public tls::PeerVerifier {
 public:
  std::vector<Bytes> accepted;
  std::string reject_message = "x509 key matches no pin; add it with 'pgptls pin add'";
  // When set, accepts but claims this key instead of the presented one.
  std::optional<Bytes> substitute_key;

  int calls = 0;
  tls::PresentedCertificate last;
  tls::VerifyRequest last_request;

  Result<tls::VerifiedPeer> verify(const tls::PresentedCertificate& certificate,
                                   const tls::VerifyRequest& request) override;
};

// engine_config: a client or server config over `identity` (nullptr: no
// credential) with `verifier`.
tls::GnutlsEngineConfig engine_config(tls::Role role, const Identity* identity,
                                      std::shared_ptr<tls::PeerVerifier> verifier,
                                      tls::TlsVersion max_version = tls::TlsVersion::tls13);

}  // namespace pgptls::test
