// trust_cache_test.cpp: KeyringOpenPgpTrust keeps accepted verdicts for
// exactly as long as they hold. A returning peer is answered without
// validating again; the instant a key expires the verdict is recomputed
// (and the peer rejected); a revocation, sent by the peer or imported into
// the keyring, is never met by an old verdict. Keys made by gpg, the clock
// injected (it only moves when the test moves it).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
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
using namespace std::chrono_literals;

class TrustCacheTest : public ::testing::Test {
 protected:
  // signer certifies xmpp:c.example, whose authentication subkey expires
  // two days after it was made; the key is then revoked.
  static void SetUpTestSuite() {
    GpgHome gpg;
    const std::string signer = gpg.generate("Signer <signer@example.invalid>", "ed25519", "cert");
    const std::string c = gpg.generate("xmpp:c.example", "ed25519", "sign,cert");
    subkey_ = gpg.add_subkey(c, "ed25519", "auth", "2d");
    gpg.certify(signer, c, "xmpp:c.example");
    signer_ = bytes_of(gpg.export_cert(signer));
    before_ = bytes_of(gpg.export_cert(c));
    gpg.revoke_key(c);
    revoked_ = bytes_of(gpg.export_cert(c));
    const keyring::Cert cert = parse_exported_cert(before_);
    ASSERT_EQ(cert.subkeys.size(), 1U);
    created_ = base::Seconds(std::chrono::seconds(cert.subkeys[0].key.creation_time));
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

  std::shared_ptr<tls::KeyringOpenPgpTrust> trust(std::vector<keyring::Cert> known = {}) {
    tls::KeyringTrustConfig config;
    config.authorities.push_back(keyring::Authority{parse_exported_cert(signer_), {}});
    config.certificates = std::move(known);
    config.clock = clock_;
    return std::make_shared<tls::KeyringOpenPgpTrust>(std::move(config));
  }

  // One hour after the subkey was made: well inside its two days.
  std::shared_ptr<base::FixedClock> clock_ = std::make_shared<base::FixedClock>(created_ + 1h);

  static inline std::string subkey_;
  static inline Bytes signer_;
  static inline Bytes before_;
  static inline Bytes revoked_;
  static inline base::Seconds created_{};
};

TEST_F(TrustCacheTest, AReturningPeerIsAnsweredFromTheCache) {
  const auto checker = trust();
  const auto first = checker->verify(presented(before_), std::string("c.example"));
  ASSERT_TRUE(first.ok()) << first.error().message();
  clock_->advance(10min);
  const auto second = checker->verify(presented(before_), std::string("c.example"));
  ASSERT_TRUE(second.ok()) << second.error().message();
  EXPECT_EQ(checker->cache_misses(), 1U);
  EXPECT_EQ(checker->cache_hits(), 1U);
  EXPECT_EQ(second->domains, first->domains);
  EXPECT_EQ(second->accepted_by, first->accepted_by);
  ASSERT_NE(second->signing_key.get(), nullptr);
}

TEST_F(TrustCacheTest, AVerdictForOneDomainIsNotUsedForAnother) {
  const auto checker = trust();
  ASSERT_TRUE(checker->verify(presented(before_), std::string("c.example")).ok());
  const auto other = checker->verify(presented(before_), std::string("d.example"));
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, tls::Errc::peer_rejected);
  EXPECT_THAT(other.error().message(), HasSubstr("d.example"));
  EXPECT_EQ(checker->cache_hits(), 0U);
}

TEST_F(TrustCacheTest, AnExpiryIsNeverServedStale) {
  const auto checker = trust();
  ASSERT_TRUE(checker->verify(presented(before_), std::string("c.example")).ok());
  // The last second of the subkey's life: still the cached verdict.
  clock_->set(created_ + 48h - 1s);
  ASSERT_TRUE(checker->verify(presented(before_), std::string("c.example")).ok());
  EXPECT_EQ(checker->cache_hits(), 1U);
  // Its expiry: validated again, and rejected with the reason.
  clock_->set(created_ + 48h);
  const auto expired = checker->verify(presented(before_), std::string("c.example"));
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().code, tls::Errc::peer_rejected);
  EXPECT_THAT(expired.error().message(), HasSubstr("no valid key flagged for authentication"));
  EXPECT_EQ(checker->cache_hits(), 1U);
  EXPECT_EQ(checker->cache_misses(), 2U);
}

TEST_F(TrustCacheTest, AClockThatWentBackIsNotAnsweredFromTheCache) {
  const auto checker = trust();
  ASSERT_TRUE(checker->verify(presented(before_), std::string("c.example")).ok());
  // Before the subkey existed, it cannot authenticate.
  clock_->set(created_ - 1h);
  const auto early = checker->verify(presented(before_), std::string("c.example"));
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(checker->cache_hits(), 0U);
}

TEST_F(TrustCacheTest, ARevocationSentByThePeerIsNeverServedStale) {
  const auto checker = trust();
  ASSERT_TRUE(checker->verify(presented(before_), std::string("c.example")).ok());
  const auto revoked = checker->verify(presented(revoked_), std::string("c.example"));
  ASSERT_FALSE(revoked.ok());
  EXPECT_EQ(revoked.error().code, tls::Errc::peer_rejected);
  EXPECT_THAT(revoked.error().message(), HasSubstr("revoked"));
  EXPECT_EQ(checker->cache_hits(), 0U);
}

TEST_F(TrustCacheTest, ARevocationImportedIntoTheKeyringIsNeverServedStale) {
  // The keyring changed: the verifier is rebuilt (a trust object's keyring
  // never changes), and its cache starts empty.
  const auto old_keyring = trust();
  ASSERT_TRUE(old_keyring->verify(presented(before_), std::string("c.example")).ok());
  const auto new_keyring = trust({parse_exported_cert(revoked_)});
  const auto revoked = new_keyring->verify(presented(before_), std::string("c.example"));
  ASSERT_FALSE(revoked.ok());
  EXPECT_THAT(revoked.error().message(), HasSubstr("revoked"));
  EXPECT_EQ(new_keyring->cache_hits(), 0U);
}

}  // namespace
}  // namespace pgptls::test
