// The trust decision end to end: real handshakes over the GnuTLS engine in
// memory, with the TrustVerifier on a real pin store (SQLite in a temporary
// directory) and certificates made by certtool: pinned / unpinned / TOFU /
// sticky / expired pin / backup pin / require-openpgp, raw public keys
// (pinned, and bound to an authority-certified OpenPGP key), no expected
// domain, and the optional PKIX path with XMPP names.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <future>
#include <memory>
#include <string>
#include <utility>

#include "base/encoding.h"
#include "base/file.h"
#include "pins/pin_cache.h"
#include "pins/pin_store.h"
#include "pins/pin_types.h"
#include "tests/pins/write_gate.h"
#include "tests/support/engine_pump.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/tls/gnutls_test_pki.h"
#include "tls/crypto/gnutls_keys.h"
#include "tls/gnutls/gnutls_engine.h"
#include "tls/gnutls/x509_credentials.h"
#include "tls/trust/pkix_verify.h"
#include "tls/trust/trust_verifier.h"
#include "tls/wire/errors.h"

namespace pgptls::test {
namespace {

using namespace std::chrono_literals;
using tls::CertificateType;
using tls::Role;
using tls::TlsVersion;

// KeyringStandIn: answers for the keyring side of the decision, standing in
// for the OpenPGP keyring (authorities, certificate store) in these tests,
// which are about the X.509 / raw key side and its interplay with it.
class KeyringStandIn final : public tls::OpenPgpTrust {
 public:
  std::vector<std::string> certified_domains;
  // SPKI -> domains whose certified certificate has it as authentication key.
  std::vector<std::pair<Bytes, std::vector<std::string>>> authentication_keys;

  Result<tls::VerifiedPeer> verify(const tls::PresentedCertificate& /*certificate*/,
                                   const std::optional<std::string>& /*domain*/) override {
    return make_error(tls::Errc::peer_rejected, "not used in these tests");
  }
  Result<bool> domain_is_certified(std::string_view domain) override {
    return std::find(certified_domains.begin(), certified_domains.end(), domain) !=
           certified_domains.end();
  }
  Result<std::vector<std::string>> domains_for_authentication_key(ByteView spki) override {
    for (const auto& [key, domains] : authentication_keys) {
      if (std::equal(key.begin(), key.end(), spki.begin(), spki.end())) {
        return domains;
      }
    }
    return std::vector<std::string>{};
  }
};

// Accepted: what the client's verifier accepted (VerifiedPeer minus its key).
struct Accepted {
  CertificateType type = CertificateType::x509;
  std::vector<std::string> domains;
  std::string accepted_by;
};

struct Outcome {
  std::optional<Accepted> peer;
  std::optional<Error> error;
  [[nodiscard]] std::string message() const { return error ? error->message() : "accepted"; }
};

class TrustVerifierTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    current_ = make_identity(dir_->path(), "server.example", KeyKind::ed25519);
    backup_ = make_identity(dir_->path(), "server.example", KeyKind::ecdsa);
    other_ = make_identity(dir_->path(), "other.example", KeyKind::rsa);
    make_pkix_fixtures();
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  // A CA and two leaves it issued (certtool): one naming server.example by
  // DNS-ID, one by XmppAddr only.
  static void make_pkix_fixtures() {
    const auto& d = dir_->path();
    std::ofstream(d / "ca.cfg") << "cn = \"Test XMPP CA\"\nca\ncert_signing_key\n"
                                   "expiration_days = 30\n";
    std::ofstream(d / "dns.cfg") << "cn = \"ignored.example\"\ndns_name = \"server.example\"\n"
                                    "tls_www_server\ntls_www_client\nsigning_key\n"
                                    "expiration_days = 30\n";
    std::ofstream(d / "xmpp.cfg") << "cn = \"server.example\"\nxmpp_name = \"server.example\"\n"
                                     "tls_www_server\ntls_www_client\nsigning_key\n"
                                     "expiration_days = 30\n";
    const std::vector<std::vector<std::string>> steps{
        {"certtool", "--generate-privkey", "--key-type", "ed25519", "--no-text", "--outfile",
         (d / "ca.key").string()},
        {"certtool", "--generate-self-signed", "--no-text", "--load-privkey",
         (d / "ca.key").string(), "--template", (d / "ca.cfg").string(), "--outfile",
         (d / "ca.crt").string()},
        {"certtool", "--generate-privkey", "--key-type", "ed25519", "--no-text", "--outfile",
         (d / "leaf.key").string()},
        {"certtool", "--generate-certificate", "--no-text", "--load-privkey",
         (d / "leaf.key").string(), "--load-ca-certificate", (d / "ca.crt").string(),
         "--load-ca-privkey", (d / "ca.key").string(), "--template", (d / "dns.cfg").string(),
         "--outfile", (d / "dns.crt").string()},
        {"certtool", "--generate-certificate", "--no-text", "--load-privkey",
         (d / "leaf.key").string(), "--load-ca-certificate", (d / "ca.crt").string(),
         "--load-ca-privkey", (d / "ca.key").string(), "--template", (d / "xmpp.cfg").string(),
         "--outfile", (d / "xmpp.crt").string()},
    };
    for (const auto& step : steps) {
      const auto result = run_tool(step);
      ASSERT_TRUE(result.ok()) << result.describe();
    }
  }

  void SetUp() override {
    ASSERT_FALSE(current_.spki.empty()) << "fixtures were not made";
    store_dir_ = std::make_unique<TempDir>();
    auto store = pins::PinStore::open(store_dir_->file("pins.sqlite"));
    ASSERT_TRUE(store.ok()) << store.error().message();
    pins_ = std::make_shared<pins::PinStore>(std::move(store).value());
    clock_ = std::make_shared<base::FixedClock>(std::chrono::system_clock::now());
    keyring_ = std::make_shared<KeyringStandIn>();
  }

  std::shared_ptr<tls::TrustVerifier> verifier(tls::TrustPolicy policy = {}) {
    return std::make_shared<tls::TrustVerifier>(
        tls::TrustVerifierConfig{pins_, keyring_, std::move(policy), clock_});
  }
  // verifier_over_cache: a verifier over a pins::PinCache of the test's
  // store (as `pgptls serve` runs it), opened into `cache`. The cache's own
  // timer is an hour, so nothing but the test refreshes it.
  std::shared_ptr<tls::TrustVerifier> verifier_over_cache(std::shared_ptr<pins::PinCache>& cache) {
    auto opened = pins::PinCache::open(store_dir_->file("pins.sqlite"),
                                       {.refresh_interval = 1h, .repeat_interval = 60s});
    EXPECT_TRUE(opened.ok()) << opened.error().message();
    if (!opened.ok()) {
      return nullptr;
    }
    cache = std::move(opened).value();
    return std::make_shared<tls::TrustVerifier>(
        tls::TrustVerifierConfig{cache, keyring_, tls::TrustPolicy{}, clock_});
  }

  void pin(const std::string& domain, const Identity& identity,
           pins::PinSource source = pins::PinSource::manual,
           std::optional<base::Seconds> expires = std::nullopt) {
    pins::Pin entry;
    entry.domain = domain;
    auto value = pins::pin_from_spki(identity.spki);
    ASSERT_TRUE(value.ok());
    entry.pin_sha256 = *value;
    entry.source = source;
    entry.created = std::chrono::time_point_cast<std::chrono::seconds>(clock_->now() - 24h);
    entry.expires = expires;
    ASSERT_TRUE(pins_->add_pin(entry).ok());
  }

  // connect: our client (verifying with `client_verifier`, expecting
  // `domain`) against our server presenting `server_config`'s credential.
  Outcome connect(std::shared_ptr<tls::PeerVerifier> client_verifier,
                  std::optional<std::string> domain, tls::GnutlsEngineConfig server_config,
                  TlsVersion version = TlsVersion::tls13,
                  std::vector<CertificateType> types = {CertificateType::x509}) {
    auto client_config = engine_config(Role::client, nullptr, std::move(client_verifier), version);
    client_config.expected_domain = std::move(domain);
    client_config.certificate_types = types;
    server_config.role = Role::server;
    server_config.max_version = version;
    server_config.certificate_types = types;
    auto client = tls::make_gnutls_engine(std::move(client_config));
    auto server = tls::make_gnutls_engine(std::move(server_config));
    EXPECT_TRUE(client.ok() && server.ok());
    const auto result = pump_engines_in_memory(**client, **server);
    Outcome outcome;
    // A provisional verdict (the pin cache's disk work) settled as the
    // transport would: a refusal then fails the client engine.
    if (result.both_established() && !settle_blocking(**client).ok()) {
      transfer(**client, **server);  // its alert
    } else if (result.both_established()) {
      const auto& peer = (*client)->session().peer;
      EXPECT_TRUE(peer.has_value());
      if (peer) {
        outcome.peer = Accepted{peer->type, peer->domains, peer->accepted_by};
      }
    } else {
      EXPECT_TRUE((*client)->failure().has_value()) << result.describe(**client, **server);
      if ((*client)->failure()) {
        outcome.error = *(*client)->failure();
      }
    }
    return outcome;
  }

  Outcome connect_x509(std::optional<std::string> domain, const Identity& identity,
                       TlsVersion version = TlsVersion::tls13, tls::TrustPolicy policy = {}) {
    return connect(verifier(std::move(policy)), std::move(domain),
                   engine_config(Role::server, &identity, nullptr), version);
  }

  Outcome connect_raw(std::optional<std::string> domain, const Identity& identity) {
    tls::GnutlsEngineConfig server_config;
    server_config.credentials.raw_public_key = identity.raw_key;
    return connect(verifier(), std::move(domain), std::move(server_config), TlsVersion::tls13,
                   {CertificateType::raw_public_key});
  }

  static inline TempDir* dir_ = nullptr;
  static inline Identity current_;
  static inline Identity backup_;
  static inline Identity other_;
  std::unique_ptr<TempDir> store_dir_;
  std::shared_ptr<pins::PinStore> pins_;
  std::shared_ptr<base::FixedClock> clock_;
  std::shared_ptr<KeyringStandIn> keyring_;
};

TEST_F(TrustVerifierTest, PinnedX509IsAcceptedOverTls13And12) {
  pin("server.example", current_);
  for (const TlsVersion version : {TlsVersion::tls13, TlsVersion::tls12}) {
    const auto outcome = connect_x509("server.example", current_, version);
    ASSERT_TRUE(outcome.peer) << outcome.message();
    EXPECT_EQ(outcome.peer->domains, std::vector<std::string>{"server.example"});
    EXPECT_NE(outcome.peer->accepted_by.find("pin sha256/"), std::string::npos);
    EXPECT_NE(outcome.peer->accepted_by.find("(manual)"), std::string::npos);
  }
}

TEST_F(TrustVerifierTest, UnpinnedX509IsRejectedWithTheCommandToPinIt) {
  const auto outcome = connect_x509("server.example", current_);
  ASSERT_TRUE(outcome.error);
  EXPECT_EQ(outcome.error->code, tls::Errc::peer_rejected);
  const std::string pin_value = pins::pin_from_spki(current_.spki).value();
  EXPECT_NE(outcome.message().find("x509 key for server.example matches no pin (pin-sha256=\"" +
                                   pin_value + "\"); add it with 'pgptls pin add server.example " +
                                   pin_value + "'"),
            std::string::npos)
      << outcome.message();
}

// Over pins::PinCache (as `pgptls serve` runs it) the pins come from a
// snapshot; a pin another process adds counts for the very next
// connection: a rejection is final only after the cache caught up. The
// cache's own timer is an hour here, so nothing else refreshes it.
TEST_F(TrustVerifierTest, OverThePinCacheAPinAddedByAnotherProcessCountsAtOnce) {
  std::shared_ptr<pins::PinCache> cache;
  const auto over_cache = verifier_over_cache(cache);
  ASSERT_TRUE(over_cache);
  const auto before =
      connect(over_cache, "server.example", engine_config(Role::server, &current_, nullptr));
  ASSERT_FALSE(before.peer);
  EXPECT_NE(before.message().find("matches no pin"), std::string::npos) << before.message();
  pin("server.example", current_);  // another connection: "pgptls pin add"
  const auto after =
      connect(over_cache, "server.example", engine_config(Role::server, &current_, nullptr));
  ASSERT_TRUE(after.peer) << after.message();
  EXPECT_NE(after.peer->accepted_by.find("pin sha256/"), std::string::npos);
}

// A flood of rejected peers over the cache: each rejection catches up, but
// with nothing committed since, none of them reads the store (the event
// loop never waits for SQLite); the one `pgptls pin add` after them costs
// one read, and the next connection is accepted.
TEST_F(TrustVerifierTest, OverThePinCacheAFloodOfRejectedPeersReadsTheStoreAtMostOnce) {
  std::shared_ptr<pins::PinCache> cache;
  const auto over_cache = verifier_over_cache(cache);
  ASSERT_TRUE(over_cache);
  ASSERT_TRUE(base::wait_for(cache->catch_up()).ok());  // whatever opening the store wrote
  const std::uint64_t reads = cache->store_reads();
  for (int peer = 0; peer < 20; ++peer) {
    const auto refused =
        connect(over_cache, "server.example", engine_config(Role::server, &current_, nullptr));
    ASSERT_FALSE(refused.peer);
    EXPECT_NE(refused.message().find("matches no pin"), std::string::npos) << refused.message();
  }
  EXPECT_EQ(cache->store_reads(), reads);

  pin("server.example", current_);  // another connection: "pgptls pin add"
  const auto accepted =
      connect(over_cache, "server.example", engine_config(Role::server, &current_, nullptr));
  ASSERT_TRUE(accepted.peer) << accepted.message();
  EXPECT_EQ(cache->store_reads(), reads + 1);
}

// While the cache's thread is stuck writing a domain's first OpenPGP login
// (a slow disk), a handshake of another domain is judged on the calling
// thread (the event loop) without waiting for it.
TEST_F(TrustVerifierTest, OverThePinCacheAHeldLoginWriteDelaysNoOtherDomain) {
  pin("server.example", current_);
  test::WriteGate gate;  // first: it outlives the cache's thread
  std::shared_ptr<pins::PinCache> cache;
  const auto over_cache = verifier_over_cache(cache);
  ASSERT_TRUE(over_cache);
  cache->set_before_write([&gate] { return gate.pass(); });
  gate.hold();
  ASSERT_TRUE(cache->record_openpgp_auth("a.example", clock_->now()).ok());
  ASSERT_TRUE(gate.wait_entered());

  auto handshake = std::async(std::launch::async, [&] {
    return connect(over_cache, "server.example", engine_config(Role::server, &current_, nullptr));
  });
  const auto judged = handshake.wait_for(30s);
  gate.release();  // before anything can return: the future waits for its thread
  EXPECT_EQ(judged, std::future_status::ready);
  const auto outcome = handshake.get();
  EXPECT_TRUE(outcome.peer) << outcome.message();
}

// Over the cache, trust on first use is decided by the store's transaction
// on the cache's thread: verify() returns at once (the write is held) with
// a provisional acceptance of the presented key. A second decision about
// the domain while it is pending waits for the same write (never a second
// pin); a different key then is judged against the stored pin and refused
// with the pin-mismatch message; the first settles as "tofu pin".
TEST_F(TrustVerifierTest, OverThePinCacheTofuIsProvisionalAndConcurrentDecisionsAgree) {
  test::WriteGate gate;  // first: it outlives the cache's thread
  std::shared_ptr<pins::PinCache> cache;
  auto opened = pins::PinCache::open(store_dir_->file("pins.sqlite"),
                                     {.refresh_interval = 1h, .repeat_interval = 60s});
  ASSERT_TRUE(opened.ok()) << opened.error().message();
  cache = std::move(opened).value();
  cache->set_before_write([&gate] { return gate.pass(); });
  tls::TrustPolicy policy;
  policy.force_tofu = true;
  const auto over_cache = std::make_shared<tls::TrustVerifier>(
      tls::TrustVerifierConfig{cache, keyring_, policy, clock_});
  const auto presented = [](const Identity& identity) {
    tls::PresentedCertificate certificate;
    certificate.type = CertificateType::x509;
    certificate.x509_chain = identity.credential.chain;
    return certificate;
  };
  const tls::VerifyRequest request{"server.example", Role::client};
  gate.hold();

  auto first = over_cache->verify(presented(current_), request);
  ASSERT_TRUE(first.ok()) << first.error().message();
  ASSERT_NE(first->pending, nullptr);
  EXPECT_FALSE(first->pending->ready->ready());
  auto again = over_cache->verify(presented(current_), request);
  auto changed = over_cache->verify(presented(backup_), request);
  ASSERT_TRUE(again.ok() && changed.ok());
  ASSERT_NE(again->pending, nullptr);
  ASSERT_NE(changed->pending, nullptr);
  EXPECT_EQ(again->pending->ready, first->pending->ready);    // the same write
  EXPECT_EQ(changed->pending->ready, first->pending->ready);  // decided after it
  ASSERT_TRUE(gate.wait_entered());
  gate.release();

  const Status written = first->pending->ready->wait();
  ASSERT_TRUE(written.ok()) << written.error().message();
  const auto settled_first = first->pending->settle(written);
  ASSERT_TRUE(settled_first.ok()) << settled_first.error().message();
  EXPECT_EQ(settled_first->pending, nullptr);
  EXPECT_NE(settled_first->accepted_by.find("tofu pin sha256/"), std::string::npos)
      << settled_first->accepted_by;
  const auto settled_again = again->pending->settle(written);
  ASSERT_TRUE(settled_again.ok()) << settled_again.error().message();
  EXPECT_NE(settled_again->accepted_by.find("(tofu)"), std::string::npos);
  const auto settled_changed = changed->pending->settle(written);
  ASSERT_FALSE(settled_changed.ok());
  EXPECT_EQ(settled_changed.error().code, tls::Errc::peer_rejected);
  EXPECT_NE(settled_changed.error().message().find(
                "x509 key for server.example changed: pinned on first use"),
            std::string::npos)
      << settled_changed.error().message();
  const auto stored = pins_->pins("server.example");
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->size(), 1U);  // pinned once
  EXPECT_EQ(stored->front().pin_sha256, pins::pin_from_spki(current_.spki).value());
}

TEST_F(TrustVerifierTest, TofuPinsTheFirstKeyAndRejectsALaterDifferentOne) {
  ASSERT_TRUE(pins_->set_setting({std::nullopt}, pins::Setting::tofu, true).ok());
  const auto first = connect_x509("server.example", current_);
  ASSERT_TRUE(first.peer) << first.message();
  EXPECT_NE(first.peer->accepted_by.find("tofu pin sha256/"), std::string::npos);
  const auto stored = pins_->pins("server.example");
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->size(), 1U);
  EXPECT_EQ(stored->front().source, pins::PinSource::tofu);

  const auto again = connect_x509("server.example", current_);
  EXPECT_TRUE(again.peer) << again.message();

  const auto changed = connect_x509("server.example", backup_);
  ASSERT_TRUE(changed.error);
  EXPECT_EQ(changed.error->code, tls::Errc::peer_rejected);
  EXPECT_NE(changed.message().find("x509 key for server.example changed: pinned on first use"),
            std::string::npos)
      << changed.message();
  EXPECT_NE(changed.message().find("pgptls pin remove server.example"), std::string::npos);
}

TEST_F(TrustVerifierTest, StickyDomainRefusesATofuPin) {
  // The keyring holds an authority-certified certificate for the domain.
  keyring_->certified_domains = {"server.example"};
  pin("server.example", current_, pins::PinSource::tofu);
  const auto outcome = connect_x509("server.example", current_);
  ASSERT_TRUE(outcome.error);
  EXPECT_NE(outcome.message().find("matches only a tofu pin"), std::string::npos)
      << outcome.message();
  EXPECT_NE(outcome.message().find("authority-certified OpenPGP certificate for server.example"),
            std::string::npos);

  // A manual pin is good enough for a sticky domain.
  pin("server.example", current_, pins::PinSource::manual);
  EXPECT_TRUE(connect_x509("server.example", current_).peer);
}

TEST_F(TrustVerifierTest, DomainThatUsedOpenPgpBeforeIsStickyToo) {
  ASSERT_TRUE(pins_->set_setting({std::nullopt}, pins::Setting::tofu, true).ok());
  ASSERT_TRUE(pins_->record_openpgp_auth("server.example", clock_->now() - 1h).ok());
  const auto outcome = connect_x509("server.example", current_);
  ASSERT_TRUE(outcome.error);
  EXPECT_NE(outcome.message().find("trust on first use does not apply because server.example "
                                   "authenticated with OpenPGP"),
            std::string::npos)
      << outcome.message();
  EXPECT_TRUE(pins_->pins("server.example")->empty());
}

TEST_F(TrustVerifierTest, ExpiredPinIsRejectedAndBackupPinAccepted) {
  const auto yesterday = std::chrono::time_point_cast<std::chrono::seconds>(clock_->now() - 1h);
  pin("server.example", current_, pins::PinSource::manual, yesterday);
  const auto expired = connect_x509("server.example", current_);
  ASSERT_TRUE(expired.error);
  EXPECT_NE(expired.message().find("matches a pin that expired on"), std::string::npos)
      << expired.message();

  // RFC 7469 §4.3: the backup key's pin lets the server rotate to it.
  pin("server.example", current_);
  pin("server.example", backup_);
  EXPECT_TRUE(connect_x509("server.example", current_).peer);
  const auto rotated = connect_x509("server.example", backup_, TlsVersion::tls12);
  ASSERT_TRUE(rotated.peer) << rotated.message();
  EXPECT_NE(rotated.peer->accepted_by.find(pins::pin_from_spki(backup_.spki).value()),
            std::string::npos);
}

TEST_F(TrustVerifierTest, RequireOpenPgpRefusesEvenAPinnedKey) {
  pin("server.example", current_);
  ASSERT_TRUE(
      pins_->set_setting({std::string("server.example")}, pins::Setting::require_openpgp, true)
          .ok());
  const auto outcome = connect_x509("server.example", current_);
  ASSERT_TRUE(outcome.error);
  EXPECT_EQ(outcome.error->code, tls::Errc::peer_rejected);
  EXPECT_NE(outcome.message().find("require-openpgp is on for server.example"), std::string::npos)
      << outcome.message();
}

TEST_F(TrustVerifierTest, WrongDomainIsRejected) {
  pin("other.example", current_);
  const auto outcome = connect_x509("server.example", current_);
  ASSERT_TRUE(outcome.error);
  EXPECT_NE(outcome.message().find("x509 key for server.example matches no pin"),
            std::string::npos);
}

TEST_F(TrustVerifierTest, RawPublicKeyPinnedOrBoundToAnOpenPgpCertificate) {
  const auto unpinned = connect_raw("server.example", current_);
  ASSERT_TRUE(unpinned.error);
  EXPECT_NE(unpinned.message().find("matches no pin"), std::string::npos);

  pin("server.example", current_);
  const auto pinned = connect_raw("server.example", current_);
  ASSERT_TRUE(pinned.peer) << pinned.message();
  EXPECT_EQ(pinned.peer->type, CertificateType::raw_public_key);

  // The authentication key of an authority-certified OpenPGP certificate.
  keyring_->certified_domains = {"other.example"};
  keyring_->authentication_keys = {{other_.spki, {"other.example"}}};
  const auto bound = connect_raw("other.example", other_);
  ASSERT_TRUE(bound.peer) << bound.message();
  EXPECT_NE(bound.peer->accepted_by.find("authority-certified OpenPGP authentication key"),
            std::string::npos);
  // ... which also makes the domain sticky in the store.
  const auto record = pins_->openpgp_auth("other.example");
  ASSERT_TRUE(record.ok());
  EXPECT_TRUE(record->has_value());
  // The same key does not authenticate a domain it is not bound to.
  EXPECT_TRUE(connect_raw("server.example", other_).error);
}

TEST_F(TrustVerifierTest, WithoutExpectedDomainReturnsEveryAuthenticatedDomain) {
  pin("server.example", current_);
  pin("alias.example", current_);
  const auto both = connect_x509(std::nullopt, current_);
  ASSERT_TRUE(both.peer) << both.message();
  EXPECT_EQ(both.peer->domains, (std::vector<std::string>{"alias.example", "server.example"}));

  const auto none = connect_x509(std::nullopt, other_);
  ASSERT_TRUE(none.error);
  EXPECT_NE(none.message().find("is not authenticated for any domain"), std::string::npos)
      << none.message();
  EXPECT_NE(none.message().find("'pgptls pin add DOMAIN "), std::string::npos);
}

TEST_F(TrustVerifierTest, OpenPgpWithoutAuthoritiesIsRejected) {
  auto plain = std::make_shared<tls::TrustVerifier>(
      tls::TrustVerifierConfig{pins_, nullptr, tls::TrustPolicy{}, clock_});
  tls::PresentedCertificate presented;
  presented.type = CertificateType::openpgp;
  presented.openpgp_key_id = Bytes(8, 0x11);
  const auto verdict = plain->verify(presented, tls::VerifyRequest{"server.example"});
  ASSERT_FALSE(verdict.ok());
  EXPECT_EQ(verdict.error().code, tls::Errc::peer_rejected);
  EXPECT_NE(verdict.error().message().find("add one with 'pgptls authority add'"),
            std::string::npos);
}

// --- optional PKIX ------------------------------------------------------

class TrustVerifierPkixTest : public TrustVerifierTest {
 protected:
  Identity leaf(const std::string& cert_name) {
    Identity identity;
    identity.cert_file = dir_->file(cert_name);
    identity.key_file = dir_->file("leaf.key");
    auto credential = tls::load_x509_credential_files(identity.cert_file, identity.key_file);
    EXPECT_TRUE(credential.ok()) << credential.error().message();
    identity.credential = std::move(credential).value();
    return identity;
  }
  tls::TrustPolicy pkix() { return tls::TrustPolicy{true, dir_->file("ca.crt")}; }
};

TEST_F(TrustVerifierPkixTest, ChainFromTheTrustedCaWithTheDomainIsAccepted) {
  const auto dns = connect_x509("server.example", leaf("dns.crt"), TlsVersion::tls13, pkix());
  ASSERT_TRUE(dns.peer) << dns.message();
  EXPECT_NE(dns.peer->accepted_by.find("pkix DNS-ID server.example, issuer CN=Test XMPP CA"),
            std::string::npos)
      << dns.peer->accepted_by;
  const auto xmpp = connect_x509("server.example", leaf("xmpp.crt"), TlsVersion::tls12, pkix());
  ASSERT_TRUE(xmpp.peer) << xmpp.message();
  EXPECT_NE(xmpp.peer->accepted_by.find("XmppAddr server.example"), std::string::npos);
}

TEST_F(TrustVerifierPkixTest, PkixRejectionsNameTheReason) {
  // Off by default.
  const auto off = connect_x509("server.example", leaf("dns.crt"));
  ASSERT_TRUE(off.error);
  EXPECT_EQ(off.message().find("PKIX"), std::string::npos);

  const auto wrong_name = connect_x509("other.example", leaf("dns.crt"), TlsVersion::tls13, pkix());
  ASSERT_TRUE(wrong_name.error);
  EXPECT_NE(wrong_name.message().find("does not name other.example (it has DNS-ID server.example)"),
            std::string::npos)
      << wrong_name.message();

  // A self-signed certificate is not from the trusted CA.
  const auto untrusted = connect_x509("server.example", current_, TlsVersion::tls13, pkix());
  ASSERT_TRUE(untrusted.error);
  EXPECT_NE(untrusted.message().find("does not validate against"), std::string::npos)
      << untrusted.message();

  // Time comes from the injected clock.
  clock_->advance(24h * 60);
  const auto expired = connect_x509("server.example", leaf("dns.crt"), TlsVersion::tls13, pkix());
  ASSERT_TRUE(expired.error);
  EXPECT_NE(expired.message().find("is expired"), std::string::npos) << expired.message();
}

TEST_F(TrustVerifierPkixTest, StickyDomainNeverFallsBackToPkix) {
  keyring_->certified_domains = {"server.example"};
  const auto outcome = connect_x509("server.example", leaf("dns.crt"), TlsVersion::tls13, pkix());
  ASSERT_TRUE(outcome.error);
  EXPECT_NE(outcome.message().find("matches no pin"), std::string::npos);
}

TEST(PkixNames, WildcardsCoverExactlyOneLeftmostLabel) {
  TempDir dir;
  std::ofstream(dir.file("w.cfg")) << "cn = \"w\"\ndns_name = \"*.example.org\"\n"
                                      "expiration_days = 1\n";
  ASSERT_TRUE(run_tool({"certtool", "--generate-privkey", "--key-type", "ed25519", "--outfile",
                        dir.file("w.key").string()})
                  .ok());
  const auto made =
      run_tool({"certtool", "--generate-self-signed", "--load-privkey", dir.file("w.key").string(),
                "--template", dir.file("w.cfg").string(), "--outfile", dir.file("w.crt").string()});
  ASSERT_TRUE(made.ok()) << made.describe();
  const auto chain = tls::load_x509_chain(*base::read_file(dir.file("w.crt")));
  ASSERT_TRUE(chain.ok());
  const Bytes& der = chain->front();
  EXPECT_TRUE(tls::xmpp_name_matches(der, "xmpp.example.org").ok());
  EXPECT_TRUE(tls::xmpp_name_matches(der, "XMPP.Example.ORG").ok());
  EXPECT_FALSE(tls::xmpp_name_matches(der, "example.org").ok());
  EXPECT_FALSE(tls::xmpp_name_matches(der, "a.b.example.org").ok());
}

// srv_other_name: certtool's `other_name` template line for an SRV-ID
// (RFC 4985: id-on-dnsSRV, an IA5String), which certtool takes as DER hex.
std::string srv_other_name(const std::string& name) {
  Bytes der{0x16, static_cast<std::uint8_t>(name.size())};
  der.insert(der.end(), name.begin(), name.end());
  return "other_name = \"1.3.6.1.5.5.7.8.7 " + base::hex_encode(der) + "\"\n";
}

TEST(PkixNames, SrvIdMustBeForTheXmppServerService) {
  TempDir dir;
  ASSERT_TRUE(run_tool({"certtool", "--generate-privkey", "--key-type", "ed25519", "--outfile",
                        dir.file("s.key").string()})
                  .ok());
  for (const std::string service : {"_xmpp-server", "_xmpp-client"}) {
    std::ofstream(dir.file(service + ".cfg"))
        << "cn = \"s\"\n"
        << srv_other_name(service + ".server.example") << "expiration_days = 1\n";
    const auto made =
        run_tool({"certtool", "--generate-self-signed", "--load-privkey",
                  dir.file("s.key").string(), "--template", dir.file(service + ".cfg").string(),
                  "--outfile", dir.file(service + ".crt").string()});
    ASSERT_TRUE(made.ok()) << made.describe();
  }
  const auto server = tls::load_x509_chain(*base::read_file(dir.file("_xmpp-server.crt")));
  ASSERT_TRUE(server.ok());
  const auto matched = tls::xmpp_name_matches(server->front(), "server.example");
  ASSERT_TRUE(matched.ok()) << matched.error().message();
  EXPECT_EQ(*matched, "SRV-ID _xmpp-server.server.example");
  EXPECT_FALSE(tls::xmpp_name_matches(server->front(), "other.example").ok());

  // An SRV-ID of the client service does not name an XMPP server.
  const auto client = tls::load_x509_chain(*base::read_file(dir.file("_xmpp-client.crt")));
  ASSERT_TRUE(client.ok());
  const auto refused = tls::xmpp_name_matches(client->front(), "server.example");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message().find("it has SRV-ID _xmpp-client.server.example"),
            std::string::npos)
      << refused.error().message();
}

}  // namespace
}  // namespace pgptls::test
