#include "tests/tls/gnutls_test_pki.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "tests/support/process.h"
#include "tls/crypto/gnutls_keys.h"
#include "tls/gnutls/x509_credentials.h"
#include "tls/wire/errors.h"

namespace pgptls::test {

const char* key_kind_name(KeyKind kind) {
  switch (kind) {
    case KeyKind::ed25519:
      return "ed25519";
    case KeyKind::ecdsa:
      return "ecdsa";
    case KeyKind::rsa:
      return "rsa";
  }
  return "?";
}

namespace {

void make_identity_into(const std::filesystem::path& dir, const std::string& domain, KeyKind kind,
                        int days, Identity& identity) {
  identity.domain = domain;
  const std::string stem = domain + "-" + key_kind_name(kind) + (days < 0 ? "-expired" : "");
  identity.key_file = dir / (stem + ".key");
  identity.cert_file = dir / (stem + ".crt");
  const auto template_file = dir / (stem + ".cfg");
  {
    std::ofstream out(template_file);
    out << "cn = \"" << domain << "\"\n"
        << "dns_name = \"" << domain << "\"\n"
        << "tls_www_server\ntls_www_client\nsigning_key\n";
    if (days < 0) {
      // Valid for one day, long ago: already expired.
      out << "activation_date = \"2020-01-01 00:00:00\"\n"
          << "expiration_date = \"2020-01-02 00:00:00\"\n";
    } else {
      out << "expiration_days = " << days << "\n";
    }
  }
  std::vector<std::string> generate{
      "certtool",  "--generate-privkey",      "--no-text", "--key-type", key_kind_name(kind),
      "--outfile", identity.key_file.string()};
  if (kind == KeyKind::rsa) {
    generate.emplace_back("--bits=2048");
  }
  const auto key = run_tool(generate);
  ASSERT_TRUE(key.ok()) << key.describe();
  std::vector<std::string> self_sign{"certtool",
                                     "--generate-self-signed",
                                     "--no-text",
                                     "--load-privkey",
                                     identity.key_file.string(),
                                     "--template",
                                     template_file.string(),
                                     "--outfile",
                                     identity.cert_file.string()};
  const auto cert = run_tool(self_sign);
  ASSERT_TRUE(cert.ok()) << cert.describe();
  identity.public_key_file = dir / (stem + ".pub");
  const auto pub =
      run_tool({"certtool", "--load-privkey", identity.key_file.string(), "--pubkey-info",
                "--no-text", "--outfile", identity.public_key_file.string()});
  ASSERT_TRUE(pub.ok()) << pub.describe();
  auto credential = tls::load_x509_credential_files(identity.cert_file, identity.key_file);
  ASSERT_TRUE(credential.ok()) << credential.error().message();
  identity.credential = std::move(credential).value();
  auto raw = tls::load_raw_public_key_credential_file(identity.key_file);
  ASSERT_TRUE(raw.ok()) << raw.error().message();
  identity.raw_key = std::move(raw).value();
  identity.spki = identity.raw_key.subject_public_key_info;
}

}  // namespace

Identity make_identity(const std::filesystem::path& dir, const std::string& domain, KeyKind kind,
                       int days) {
  Identity identity;
  make_identity_into(dir, domain, kind, days, identity);
  return identity;
}

Result<tls::VerifiedPeer> SpkiVerifier::verify(const tls::PresentedCertificate& certificate,
                                               const tls::VerifyRequest& request) {
  ++calls;
  last = certificate;
  last_request = request;
  Bytes spki;
  if (certificate.type == tls::CertificateType::raw_public_key) {
    spki = certificate.raw_public_key;
  } else {
    PGPTLS_TRY(spki, tls::spki_of_x509(certificate.x509_chain.at(0)));
  }
  if (std::find(accepted.begin(), accepted.end(), spki) == accepted.end()) {
    return make_error(tls::Errc::peer_rejected, reject_message);
  }
  tls::VerifiedPeer peer;
  peer.type = certificate.type;
  peer.domains = {request.expected_domain.value_or("peer.example")};
  peer.accepted_by = "test pin";
  PGPTLS_TRY(peer.signing_key, tls::public_key_from_spki(substitute_key ? *substitute_key : spki));
  return peer;
}

tls::GnutlsEngineConfig engine_config(tls::Role role, const Identity* identity,
                                      std::shared_ptr<tls::PeerVerifier> verifier,
                                      tls::TlsVersion max_version) {
  tls::GnutlsEngineConfig config;
  config.role = role;
  if (identity != nullptr) {
    config.credentials.x509 = identity->credential;
  }
  config.verifier = std::move(verifier);
  config.max_version = max_version;
  return config;
}

}  // namespace pgptls::test
