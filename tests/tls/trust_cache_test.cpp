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
    const openpgp::Cert cert = parse_exported_cert(before_);
    ASSERT_EQ(cert.subkeys.size(), 1U);
    created_ = base::Seconds(std::chrono::seconds(cert.subkeys[0].key.creation_time));
    // The expiry as the binding signature states it (RFC 9580 §5.2.3.13:
    // key expiration time, seconds after the key's creation).
    ASSERT_EQ(cert.subkeys[0].signatures.size(), 1U);
    const auto lifetime = cert.subkeys[0].signatures[0].key_expiration;
    ASSERT_TRUE(lifetime.has_value());
    expires_ = created_ + std::chrono::seconds(*lifetime);

    // short_lived, an authority whose key expires a day after it was made,
    // certifies xmpp:d.example, whose keys never expire.
    const std::string short_lived =
        gpg.generate("Short <short@example.invalid>", "ed25519", "cert", "1d");
    const std::string d = gpg.generate("xmpp:d.example", "ed25519", "sign,cert");
    d_subkey_ = gpg.add_subkey(d, "ed25519", "auth");
    gpg.certify(short_lived, d, "xmpp:d.example");
    short_lived_ = bytes_of(gpg.export_cert(short_lived));
    d_ = bytes_of(gpg.export_cert(d));
    d_fingerprint_ = keyring::parse_fingerprint_text(d).value();
    short_lived_created_ = base::Seconds(
        std::chrono::seconds(parse_exported_cert(short_lived_).primary.creation_time));
  }

  // presented_d: d's certificate, whole or (fingerprint_only) by its
  // fingerprint, signing with its authentication subkey.
  static tls::PresentedCertificate presented_d(bool fingerprint_only) {
    tls::PresentedCertificate p;
    p.type = tls::CertificateType::openpgp;
    const Bytes id = keyring::parse_fingerprint_text(d_subkey_).value();
    p.openpgp_key_id = Bytes(id.end() - 8, id.end());
    if (fingerprint_only) {
      p.openpgp_fingerprint = d_fingerprint_;
    } else {
      p.openpgp_transferable_key = d_;
    }
    return p;
  }

  // trust_in: a trust object over these authorities (certificates as
  // exported) and keyring.
  std::shared_ptr<tls::KeyringOpenPgpTrust> trust_in(const std::vector<Bytes>& authorities,
                                                     std::vector<openpgp::Cert> known = {}) {
    tls::KeyringTrustConfig config;
    for (const Bytes& authority : authorities) {
      config.authorities.push_back(keyring::Authority{parse_exported_cert(authority), {}});
    }
    config.certificates = std::move(known);
    config.clock = clock_;
    return std::make_shared<tls::KeyringOpenPgpTrust>(std::move(config));
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

  std::shared_ptr<tls::KeyringOpenPgpTrust> trust(std::vector<openpgp::Cert> known = {}) {
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
  static inline base::Seconds expires_{};  // the subkey's
  static inline std::string d_subkey_;
  static inline Bytes d_;
  static inline Bytes d_fingerprint_;
  static inline Bytes short_lived_;
  static inline base::Seconds short_lived_created_{};
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
  clock_->set(expires_ - 1s);
  ASSERT_TRUE(checker->verify(presented(before_), std::string("c.example")).ok());
  EXPECT_EQ(checker->cache_hits(), 1U);
  // Its expiry: validated again, and rejected with the reason.
  clock_->set(expires_);
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

TEST_F(TrustCacheTest, ARefusedCertificateSentAgainIsAnsweredFromTheCacheWithItsReason) {
  const auto checker = trust();
  const auto first = checker->verify(presented(before_), std::string("d.example"));
  ASSERT_FALSE(first.ok());
  EXPECT_THAT(first.error().message(), HasSubstr("has no user ID xmpp:d.example"));
  clock_->advance(10min);
  const auto again = checker->verify(presented(before_), std::string("d.example"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(checker->refusal_hits(), 1U);
  EXPECT_EQ(again.error().code, first.error().code);
  EXPECT_EQ(again.error().message(), first.error().message());
}

TEST_F(TrustCacheTest, ACachedRefusalIsNotUsedOnceTheAuthoritiesChange) {
  // No authority: c is not certified by any configured authority.
  const auto without = trust_in({});
  const auto refused = without->verify(presented(before_), std::string("c.example"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, tls::Errc::peer_rejected);
  EXPECT_THAT(refused.error().message(), HasSubstr("not certified by any configured authority"));
  // The same object keeps its refusal...
  ASSERT_FALSE(without->verify(presented(before_), std::string("c.example")).ok());
  EXPECT_EQ(without->refusal_hits(), 1U);
  // ...and an authority added means a new object, which accepts.
  const auto with = trust_in({signer_});
  const auto accepted = with->verify(presented(before_), std::string("c.example"));
  ASSERT_TRUE(accepted.ok()) << accepted.error().message();
  EXPECT_EQ(with->refusal_hits(), 0U);
}

TEST_F(TrustCacheTest, ACachedRefusalIsNotUsedOnceTheKeyringChanges) {
  // Only the fingerprint, and the keyring does not hold the certificate.
  const auto empty = trust_in({short_lived_});
  clock_->set(short_lived_created_ + 1h);
  const auto unknown = empty->verify(presented_d(true), std::string("d.example"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, tls::Errc::certificate_unobtainable);
  const auto again = empty->verify(presented_d(true), std::string("d.example"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, tls::Errc::certificate_unobtainable);
  EXPECT_EQ(again.error().message(), unknown.error().message());
  EXPECT_EQ(empty->refusal_hits(), 1U);
  // The certificate imported: a new object, which finds and accepts it.
  const auto imported = trust_in({short_lived_}, {parse_exported_cert(d_)});
  const auto accepted = imported->verify(presented_d(true), std::string("d.example"));
  ASSERT_TRUE(accepted.ok()) << accepted.error().message();
}

TEST_F(TrustCacheTest, ARefusalIsNotServedOnceTheTimeReachesAChange) {
  const auto checker = trust();
  // Before the subkey existed: refused, and the refusal cached.
  clock_->set(created_ - 1h);
  ASSERT_FALSE(checker->verify(presented(before_), std::string("c.example")).ok());
  ASSERT_FALSE(checker->verify(presented(before_), std::string("c.example")).ok());
  EXPECT_EQ(checker->refusal_hits(), 1U);
  // Once the subkey is there, the refusal no longer holds.
  clock_->set(created_ + 1h);
  const auto accepted = checker->verify(presented(before_), std::string("c.example"));
  ASSERT_TRUE(accepted.ok()) << accepted.error().message();
  EXPECT_EQ(checker->refusal_hits(), 1U);
}

TEST_F(TrustCacheTest, TheAuthoritiesAreValidatedOncePerWindow) {
  const auto checker = trust_in({signer_, short_lived_}, {parse_exported_cert(d_)});
  clock_->set(std::max(created_, short_lived_created_) + 1h);
  ASSERT_TRUE(checker->verify(presented(before_), std::string("c.example")).ok());
  ASSERT_TRUE(checker->verify(presented_d(false), std::string("d.example")).ok());
  ASSERT_TRUE(checker->verify(presented_d(true), std::string("d.example")).ok());
  EXPECT_EQ(checker->cache_misses(), 3U);
  EXPECT_EQ(checker->authority_validations(), 1U);
}

TEST_F(TrustCacheTest, AnAuthorityExpiryIsNeverServedStale) {
  const auto checker = trust_in({short_lived_}, {parse_exported_cert(d_)});
  clock_->set(short_lived_created_ + 1h);
  ASSERT_TRUE(checker->verify(presented_d(false), std::string("d.example")).ok());
  EXPECT_EQ(checker->authority_validations(), 1U);
  // The authority's key has expired. d itself is unchanged and asked for
  // in a form never seen before (no verdict cached): only the authorities'
  // standing could be stale, and it is not.
  clock_->set(short_lived_created_ + 25h);
  const auto refused = checker->verify(presented_d(true), std::string("d.example"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, tls::Errc::peer_rejected);
  EXPECT_THAT(refused.error().message(), HasSubstr("which is not valid now"));
  EXPECT_THAT(refused.error().message(), HasSubstr("expired"));
  EXPECT_EQ(checker->authority_validations(), 2U);
}

TEST_F(TrustCacheTest, TheAuthoritiesAreValidatedAgainWhenTheClockGoesBack) {
  const auto checker = trust_in({short_lived_}, {parse_exported_cert(d_)});
  clock_->set(short_lived_created_ + 1h);
  ASSERT_TRUE(checker->verify(presented_d(false), std::string("d.example")).ok());
  // Before the authority's key (and d's) existed: decided afresh, with the
  // authorities' standing of that time, not the one of an hour after.
  clock_->set(short_lived_created_ - 1h);
  const auto refused = checker->verify(presented_d(true), std::string("d.example"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, tls::Errc::peer_rejected);
  EXPECT_EQ(checker->authority_validations(), 2U);
}

}  // namespace
}  // namespace pgptls::test
