// KeyringOpenPgpTrust on the GnuTLS 3.5 reference keys (made by GnuPG):
// authority certification, scopes, fingerprint-only certificates, and the
// TrustVerifier recording OpenPGP acceptance as sticky.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "base/clock.h"
#include "base/encoding.h"
#include "base/file.h"
#include "openpgp/armor.h"
#include "openpgp/cert.h"
#include "pins/pin_store.h"
#include "tests/support/temp_dir.h"
#include "tls/trust/trust_verifier.h"
#include "tls/wire/errors.h"

namespace pgptls::test {
namespace {

// raw: the binary transferable public key of a reference key (every key
// there has an armored export; not every one a binary one).
Bytes raw(const std::string& name) {
  const auto armored =
      base::read_file(std::string(PGPTLS_TEST_DATA_DIR) + "/gnutls-3.5/keys/" + name + ".pub.asc");
  EXPECT_TRUE(armored.ok()) << name;
  if (!armored.ok()) {
    return {};
  }
  auto blocks = openpgp::decode_armor_or_binary(*armored);
  EXPECT_TRUE(blocks.ok() && blocks->size() == 1) << name;
  return blocks.ok() && !blocks->empty() ? blocks->front().data : Bytes{};
}

openpgp::Cert load(const std::string& name) {
  auto cert = openpgp::parse_certificate(raw(name));
  EXPECT_TRUE(cert.ok()) << name << ": " << cert.error().message();
  return cert.ok() ? std::move(cert).value() : openpgp::Cert{};
}

tls::PresentedCertificate presented(const openpgp::Cert& cert, Bytes transferable) {
  tls::PresentedCertificate p;
  p.type = tls::CertificateType::openpgp;
  p.openpgp_key_id = Bytes(cert.fingerprint().end() - 8, cert.fingerprint().end());
  if (transferable.empty()) {
    p.openpgp_fingerprint = cert.fingerprint();
  } else {
    p.openpgp_transferable_key = std::move(transferable);
  }
  return p;
}

class OpenPgpTrustTest : public ::testing::Test {
 protected:
  std::shared_ptr<tls::KeyringOpenPgpTrust> trust(std::vector<std::string> scopes = {}) {
    tls::KeyringTrustConfig config;
    config.authorities.push_back(keyring::Authority{load("signer"), std::move(scopes)});
    config.certificates = {load("b")};
    config.clock = clock_;
    return std::make_shared<tls::KeyringOpenPgpTrust>(std::move(config));
  }
  std::shared_ptr<const base::Clock> clock_ = std::make_shared<base::SystemClock>();
};

TEST_F(OpenPgpTrustTest, CertifiedKeyIsAcceptedForItsDomain) {
  const auto verdict = trust()->verify(presented(load("a"), raw("a")), std::string("a.example"));
  ASSERT_TRUE(verdict.ok()) << verdict.error().message();
  EXPECT_EQ(verdict->domains, std::vector<std::string>{"a.example"});
  EXPECT_NE(verdict->accepted_by.find("55FD06606D652C8FC252D9A60E8DFFE12011AF66"),
            std::string::npos);
  EXPECT_TRUE(verdict->signing_key);
  // Without an expected domain: the domains it is certified for.
  const auto any = trust()->verify(presented(load("a"), raw("a")), std::nullopt);
  ASSERT_TRUE(any.ok()) << any.error().message();
  EXPECT_EQ(any->domains, std::vector<std::string>{"a.example"});
}

TEST_F(OpenPgpTrustTest, RejectionsNameTheReason) {
  const auto wrong_domain =
      trust()->verify(presented(load("a"), raw("a")), std::string("b.example"));
  ASSERT_FALSE(wrong_domain.ok());
  EXPECT_EQ(wrong_domain.error().code, tls::Errc::peer_rejected);
  const auto uncertified = trust()->verify(presented(load("unsigned"), raw("unsigned")),
                                           std::string("unsigned.example"));
  ASSERT_FALSE(uncertified.ok());
  EXPECT_NE(uncertified.error().message().find(
                "is not certified by any configured authority; ask an authority to certify it"),
            std::string::npos)
      << uncertified.error().message();
  const auto out_of_scope =
      trust({"*.example.org"})->verify(presented(load("a"), raw("a")), std::string("a.example"));
  ASSERT_FALSE(out_of_scope.ok());
  EXPECT_NE(out_of_scope.error().message().find("outside its scope"), std::string::npos)
      << out_of_scope.error().message();
  // A server that does not know the domain yet: a certificate without any
  // xmpp: user ID is refused with the fix.
  const auto no_xmpp_id =
      trust()->verify(presented(load("stranger"), raw("stranger")), std::nullopt);
  ASSERT_FALSE(no_xmpp_id.ok());
  EXPECT_EQ(no_xmpp_id.error().code, tls::Errc::peer_rejected);
  EXPECT_NE(no_xmpp_id.error().message().find(
                "has no xmpp: user ID; the peer's operator must add one (xmpp:DOMAIN) and get it "
                "certified by a configured authority"),
            std::string::npos)
      << no_xmpp_id.error().message();
  // Refusals for a domain carry check_peer's own fix, once.
  EXPECT_NE(wrong_domain.error().message().find("the peer presented a key for another domain"),
            std::string::npos)
      << wrong_domain.error().message();
  EXPECT_EQ(uncertified.error().message().find("must add one"), std::string::npos);
}

TEST_F(OpenPgpTrustTest, FingerprintOnlyIsResolvedThroughTheKeyring) {
  const auto known = trust()->verify(presented(load("b"), {}), std::string("b.example"));
  ASSERT_TRUE(known.ok()) << known.error().message();
  const auto unknown = trust()->verify(presented(load("a"), {}), std::string("a.example"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, tls::Errc::certificate_unobtainable);
  EXPECT_TRUE(trust()->domain_is_certified("b.example").value());
  EXPECT_FALSE(trust()->domain_is_certified("a.example").value());
}

TEST_F(OpenPgpTrustTest, TrustVerifierRecordsOpenPgpDomainsAsSticky) {
  TempDir dir;
  auto pins =
      std::make_shared<pins::PinStore>(pins::PinStore::open(dir.file("pins.sqlite")).value());
  tls::TrustVerifier verifier(tls::TrustVerifierConfig{pins, trust(), tls::TrustPolicy{}, clock_});
  const auto verdict =
      verifier.verify(presented(load("a"), raw("a")), tls::VerifyRequest{std::string("a.example")});
  ASSERT_TRUE(verdict.ok()) << verdict.error().message();
  EXPECT_TRUE(pins->openpgp_auth("a.example").value().has_value());
}

}  // namespace
}  // namespace pgptls::test
