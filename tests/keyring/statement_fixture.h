// statement_fixture.h: real keys and signatures for the signed pin
// statement tests, made once per build tree by gpg and openssl (see
// cached_fixture): an authority for "*.example", a narrow authority for
// "*.other.test", three authorities for "*.example" whose keys cannot sign
// (expired, revoked, certify-only), the certificate of xmpp:a.example certified by the
// authority, an uncertified xmpp:c.example, two [SC]-only certificates
// without an authentication key (xmpp:d.example certified, xmpp:e.example
// not), and a key nobody knows; a
// statement for a.example signed by gpg with a.example's key (binary,
// armored, text mode); two self-signed X.509 certificates sharing one key.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/gnutls_handles.h"
#include "keyring/authority.h"
#include "keyring/statement_trust.h"
#include "openpgp/cert.h"
#include "openpgp/secret_key.h"
#include "openpgp/signature_writer.h"

namespace pgptls::test {

// SigningKey: a fixture key whose secret we unlocked, ready to sign.
struct SigningKey {
  openpgp::SecretKeyPacket packet;
  base::PrivateKeyHandle key;
  [[nodiscard]] openpgp::DetachedSigner signer() const;
};

class StatementWorld {
 public:
  // get: the fixture, loaded once per process.
  static const StatementWorld& get();

  std::filesystem::path dir;
  openpgp::Cert authority;  // scope *.example
  openpgp::Cert narrow;     // scope *.other.test
  openpgp::Cert domain_a;   // xmpp:a.example, certified by authority
  openpgp::Cert stranger;   // xmpp:c.example, certified by nobody
  openpgp::Cert domain_d;   // xmpp:d.example, [SC] only, certified by authority
  openpgp::Cert lone;       // xmpp:e.example, [SC] only, certified by nobody
  std::vector<keyring::Authority> authorities;
  std::vector<openpgp::Cert> keyring_certs;  // domain_a, stranger, domain_d, lone

  // The gpg-signed statement for a.example and its signatures.
  std::string a_document;      // a.json (LF line ends)
  Bytes a_signature;           // gpg --detach-sign
  std::string a_armored;       // gpg --armor --detach-sign
  std::string a_text_armored;  // gpg --textmode --armor --detach-sign
  Bytes a_sha1_signature;      // gpg --digest-algo SHA1 --detach-sign
  base::Seconds fixture_time{};

  // Two DER certificates for a.example with the same Ed25519 key.
  Bytes x509_first;
  Bytes x509_second;

  [[nodiscard]] keyring::StatementSigners signers() const;
  // sign: a detached signature by the named key ("authority", "narrow",
  // "domain_a", "stranger", "unknown", "expired", "revoked", "certonly",
  // "domain_d", "lone")
  // made by openpgp::make_detached_signature.
  [[nodiscard]] Bytes sign(const std::string& who, const std::string& document,
                           base::TimePoint when) const;
};

// view: the bytes of a string.
ByteView view(const std::string& text);

}  // namespace pgptls::test
