// trust_keyring_revocation_test.cpp: KeyringOpenPgpTrust combines the
// certificate a peer sends with the keyring's copy of it, so that a
// revocation the operator imported counts even when the peer keeps sending
// the copy from before (as a thief of the key would). Keys made by gpg.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "base/clock.h"
#include "keyring/authority_store.h"
#include "openpgp/cert.h"
#include "tests/keyring/exported_cert.h"
#include "tests/keyring/store_gpg.h"
#include "tls/trust/trust_verifier.h"
#include "tls/wire/errors.h"

namespace pgptls::test {
namespace {

using ::testing::HasSubstr;

class KeyringRevocationTest : public ::testing::Test {
 protected:
  // signer certifies xmpp:r.example; r.example's owner then revokes its key.
  static void SetUpTestSuite() {
    GpgHome gpg;
    const std::string signer = gpg.generate("Signer <signer@example.invalid>", "ed25519", "cert");
    const std::string r = gpg.generate("xmpp:r.example", "ed25519", "sign,cert");
    subkey_ = gpg.add_subkey(r, "ed25519", "auth");
    gpg.certify(signer, r, "xmpp:r.example");
    signer_ = bytes_of(gpg.export_cert(signer));
    before_ = bytes_of(gpg.export_cert(r));
    gpg.revoke_key(r);
    revoked_ = bytes_of(gpg.export_cert(r));
  }

  static tls::PresentedCertificate presented(const Bytes& transferable) {
    tls::PresentedCertificate p;
    p.type = tls::CertificateType::openpgp;
    // RFC 6091 §3.3: the key ID of the key that signs, the auth subkey.
    const Bytes id = keyring::parse_fingerprint_text(subkey_).value();
    p.openpgp_key_id = Bytes(id.end() - 8, id.end());
    p.openpgp_transferable_key = transferable;
    return p;
  }

  static std::shared_ptr<tls::KeyringOpenPgpTrust> trust(std::vector<openpgp::Cert> known) {
    tls::KeyringTrustConfig config;
    config.authorities.push_back(keyring::Authority{parse_exported_cert(signer_), {}});
    config.certificates = std::move(known);
    config.clock = std::make_shared<base::SystemClock>();
    return std::make_shared<tls::KeyringOpenPgpTrust>(std::move(config));
  }

  static inline std::string subkey_;
  static inline Bytes signer_;
  static inline Bytes before_;
  static inline Bytes revoked_;
};

TEST_F(KeyringRevocationTest, TheCopyFromBeforeIsAcceptedWhenNothingElseIsKnown) {
  const auto verdict = trust({})->verify(presented(before_), std::string("r.example"));
  ASSERT_TRUE(verdict.ok()) << verdict.error().message();
  EXPECT_EQ(verdict->domains, std::vector<std::string>{"r.example"});
}

TEST_F(KeyringRevocationTest, ARevocationInTheKeyringRejectsTheCopyFromBefore) {
  const auto verdict =
      trust({parse_exported_cert(revoked_)})->verify(presented(before_), std::string("r.example"));
  ASSERT_FALSE(verdict.ok());
  EXPECT_EQ(verdict.error().code, tls::Errc::peer_rejected);
  EXPECT_THAT(verdict.error().message(), HasSubstr("revoked"));
  // Also when the server does not know the domain yet.
  const auto any = trust({parse_exported_cert(revoked_)})->verify(presented(before_), std::nullopt);
  ASSERT_FALSE(any.ok());
  EXPECT_THAT(any.error().message(), HasSubstr("revoked"));
}

TEST_F(KeyringRevocationTest, ARevokedCopySentByThePeerIsRejectedWhateverTheKeyringHolds) {
  const auto verdict =
      trust({parse_exported_cert(before_)})->verify(presented(revoked_), std::string("r.example"));
  ASSERT_FALSE(verdict.ok());
  EXPECT_THAT(verdict.error().message(), HasSubstr("revoked"));
}

}  // namespace
}  // namespace pgptls::test
