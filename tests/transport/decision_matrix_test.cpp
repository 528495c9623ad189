// decision_matrix_test.cpp: the OpenPGP rows of the trust decision matrix
// end to end: our client and our server on 127.0.0.1,
// chosen by transport::make_client_engine_factory /
// make_server_engine_factory, each side deciding with the PRODUCTION
// tls::TrustVerifier over tls::KeyringOpenPgpTrust (mutual authentication).
// Every key is made by gpg in the test (Ed25519 flagged for
// authentication, once per suite) and certified, revoked or given an expiry
// by gpg:
//   certified                      -> accepted, accepted_by names the authority
//   uncertified                    -> rejected
//   certified by a non-authority   -> rejected (wrong authority)
//   authority scope not covering   -> rejected (out of scope)
//   revoked key                    -> rejected
//   expired key                    -> rejected
//   certified for c.example, dialled as b.example -> rejected (wrong domain)
// Each rejection is checked on the rejecting side (its reason text) and as
// a failed handshake on the other side, in both directions where the
// direction makes sense (a server has no expected domain, so "wrong
// domain" is a client-side row only).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/encoding.h"
#include "openpgp/cert.h"
#include "openpgp/secret_key.h"
#include "pins/pin_store.h"
#include "tests/keyring/store_gpg.h"
#include "tests/support/temp_dir.h"
#include "tests/transport/loopback_handshake.h"
#include "tls/trust/trust_verifier.h"
#include "transport/engine_selection.h"

namespace pgptls::test {
namespace {

using tls::CertificateType;
using transport::ClientMode;

// The decision is judged two days from now: the "expired" key expires one
// day after it was made (gpg --quick-set-expire 1d), the others never.
constexpr auto kJudgeLater = std::chrono::hours(48);

openpgp::Cert parse(const std::string& exported) {
  auto cert = openpgp::parse_certificate(as_bytes_view(exported));
  if (!cert.ok()) {
    throw std::runtime_error("cannot parse a gpg export: " + cert.error().message());
  }
  return std::move(cert).value();
}

// The peers of the matrix: name, domain of the xmpp: user ID.
const std::vector<std::pair<std::string, std::string>> kPeers = {
    {"server", "a.example"},
    {"client", "client.example"},
    {"uncertified", "uncertified.example"},
    {"wrong_authority", "rogue.example"},
    {"out_of_scope", "scoped.example"},
    {"revoked", "revoked.example"},
    {"expired", "expired.example"},
    {"wrong_domain", "c.example"},
};

// make_keys: runs gpg to make the authorities and the peers (primary keys
// flagged for authentication, RFC 9580 §5.2.3.29 0x20, which sign the
// handshake), certifies, revokes and expires them, and writes the exports
// to `out`. Cached in the build folder: ctest runs each test in its own
// process, and the keys are made once.
void make_keys(const std::filesystem::path& out) {
  GpgHome home;
  const std::string ca = home.generate("CA <ca@example.invalid>", "ed25519", "cert");
  const std::string ca_scoped =
      home.generate("Scoped CA <scoped@example.invalid>", "ed25519", "cert");
  const std::string rogue = home.generate("Rogue <rogue@example.invalid>", "ed25519", "cert");
  std::map<std::string, std::string> fpr;
  for (const auto& [name, domain] : kPeers) {
    fpr[name] = home.generate("xmpp:" + domain, "ed25519", "auth");
  }
  const auto certify = [&](const std::string& signer, const std::string& name) {
    const auto peer = std::find_if(kPeers.begin(), kPeers.end(),
                                   [&](const auto& entry) { return entry.first == name; });
    home.certify(signer, fpr.at(name), "xmpp:" + peer->second);
  };
  for (const char* name : {"server", "client", "revoked", "expired", "wrong_domain"}) {
    certify(ca, name);
  }
  certify(rogue, "wrong_authority");
  certify(ca_scoped, "out_of_scope");
  home.revoke_key(fpr.at("revoked"));
  // One day from now; the decision is judged two days later (kJudgeLater).
  home.run({"--quick-set-expire", fpr.at("expired"), "1d"});

  write_file(out / "ca.pgp", home.export_cert(ca));
  write_file(out / "ca.fpr", ca);
  write_file(out / "ca_scoped.pgp", home.export_cert(ca_scoped));
  for (const auto& [name, domain] : kPeers) {
    write_file(out / (name + ".pgp"), home.export_cert(fpr.at(name)));
    write_file(out / (name + "-secret.pgp"), home.run({"--export-secret-keys", fpr.at(name)}));
  }
}

// PeerKey: a peer's certificate as gpg left it, and its signing key loaded
// the way pgptls loads credentials (keyring secret-key import).
struct PeerKey {
  std::string domain;
  Bytes fingerprint;
  Bytes transferable_key;
  base::SharedPrivateKey signer;
  [[nodiscard]] tls::OpenPgpCredential credential() const {
    return {transferable_key, Bytes(fingerprint.end() - 8, fingerprint.end()), fingerprint, false,
            signer};
  }
};

PeerKey load_peer(const std::filesystem::path& dir, const std::string& name,
                  const std::string& domain) {
  PeerKey peer;
  peer.domain = domain;
  const std::string exported = read_text_file(dir / (name + ".pgp"));
  peer.transferable_key.assign(exported.begin(), exported.end());
  peer.fingerprint = parse(exported).fingerprint();
  const std::string secret = read_text_file(dir / (name + "-secret.pgp"));
  auto keys = openpgp::load_secret_keys(as_bytes_view(secret));
  if (!keys.ok()) {
    throw std::runtime_error("cannot read gpg's secret key export: " + keys.error().message());
  }
  const openpgp::SecretKeyPacket* packet = openpgp::find_secret_key(*keys, peer.fingerprint);
  if (packet == nullptr) {
    throw std::runtime_error("gpg exported no secret key for " + name);
  }
  auto key = openpgp::unlock_secret_key(*packet, {});
  if (!key.ok()) {
    throw std::runtime_error("cannot load the secret key of " + name + ": " +
                             key.error().message());
  }
  peer.signer = base::share(std::move(key).value());
  return peer;
}

// The certificates of the suite.
struct Fixtures {
  std::string ca;  // the unscoped authority's fingerprint
  openpgp::Cert ca_cert;
  openpgp::Cert ca_scoped_cert;          // an authority scoped to *.example.org
  std::map<std::string, PeerKey> peers;  // by name
};

class DecisionMatrixTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const auto dir = cached_fixture("transport-decision-matrix-v1", make_keys);
    auto made = std::make_unique<Fixtures>();
    made->ca = read_text_file(dir / "ca.fpr");
    made->ca_cert = parse(read_text_file(dir / "ca.pgp"));
    made->ca_scoped_cert = parse(read_text_file(dir / "ca_scoped.pgp"));
    for (const auto& [name, domain] : kPeers) {
      made->peers[name] = load_peer(dir, name, domain);
    }
    fixtures_ = made.release();
  }
  static void TearDownTestSuite() {
    delete fixtures_;
    fixtures_ = nullptr;
  }

  void SetUp() override { ASSERT_NE(fixtures_, nullptr) << "the gpg fixtures were not made"; }

  static const PeerKey& identity(const std::string& name) { return fixtures_->peers.at(name); }

  // keyring_trust: the production OpenPGP trust of one side: the two
  // authorities (one scoped) judged at kJudgeLater.
  std::shared_ptr<tls::KeyringOpenPgpTrust> keyring_trust() const {
    tls::KeyringTrustConfig config;
    config.authorities.push_back(keyring::Authority{fixtures_->ca_cert, {}});
    config.authorities.push_back(keyring::Authority{fixtures_->ca_scoped_cert, {"*.example.org"}});
    config.clock = clock_;
    return std::make_shared<tls::KeyringOpenPgpTrust>(std::move(config));
  }

  // settings: one side with the OpenPGP credential of `name`, deciding with
  // a TrustVerifier over its own pin store and the keyring trust.
  std::shared_ptr<transport::EngineSettings> settings(const std::string& name,
                                                      const std::string& pins_file) {
    auto result = std::make_shared<transport::EngineSettings>();
    result->credentials.openpgp = identity(name).credential();
    auto pins =
        std::make_shared<pins::PinStore>(pins::PinStore::open(pins_dir_.file(pins_file)).value());
    pin_stores_[pins_file] = pins;
    result->verifier = std::make_shared<tls::TrustVerifier>(
        tls::TrustVerifierConfig{pins, keyring_trust(), tls::TrustPolicy{}, clock_});
    result->client_auth = tls::ClientAuth::require;
    return result;
  }

  // handshake: a server presenting `server_name`'s key, a client (mode
  // openpgp) presenting `client_name`'s, dialling `domain`.
  HandshakeOutcome handshake(const std::string& server_name, const std::string& client_name,
                             const std::string& domain) {
    LoopbackServer server(
        transport::make_server_engine_factory(settings(server_name, "server.sqlite")));
    return server.connect(transport::make_client_engine_factory(
                              settings(client_name, "client.sqlite"), ClientMode::openpgp),
                          domain);
  }

  static inline Fixtures* fixtures_ = nullptr;
  std::shared_ptr<const base::Clock> clock_ =
      std::make_shared<base::FixedClock>(base::SystemClock().now() + kJudgeLater);
  TempDir pins_dir_;
  std::map<std::string, std::shared_ptr<pins::PinStore>> pin_stores_;
};

TEST_F(DecisionMatrixTest, CertifiedKeysAreAcceptedBothWays) {
  const auto outcome = handshake("server", "client", "a.example");
  ASSERT_TRUE(outcome.client.ok) << outcome.client.error;
  ASSERT_TRUE(outcome.server.ok) << outcome.server.error;
  EXPECT_EQ(outcome.client.session.certificate_type, CertificateType::openpgp);
  EXPECT_EQ(outcome.client.session.protocol, "TLS1.2");
  // The client accepted the server for the domain it dialled, naming the
  // authority that certified it.
  ASSERT_TRUE(outcome.client.session.peer);
  EXPECT_EQ(outcome.client.session.peer->type, CertificateType::openpgp);
  EXPECT_EQ(outcome.client.session.peer->domains, std::vector<std::string>{"a.example"});
  EXPECT_NE(outcome.client.session.peer->accepted_by.find("authority " + fixtures_->ca),
            std::string::npos)
      << outcome.client.session.peer->accepted_by;
  // The server, not knowing whom to expect, learnt the client's domain.
  ASSERT_TRUE(outcome.server.session.peer);
  EXPECT_EQ(outcome.server.session.peer->domains, std::vector<std::string>{"client.example"});
  EXPECT_NE(outcome.server.session.peer->accepted_by.find("authority " + fixtures_->ca),
            std::string::npos);
  // Both sides recorded the OpenPGP login (the domain becomes sticky).
  EXPECT_TRUE(pin_stores_.at("client.sqlite")->openpgp_auth("a.example").value().has_value());
  EXPECT_TRUE(pin_stores_.at("server.sqlite")->openpgp_auth("client.example").value().has_value());
}

TEST_F(DecisionMatrixTest, AutoModeChoosesOpenPgpFromTheRealKeyring) {
  // The client's keyring holds the server's certified certificate, so auto
  // mode dials it with OpenPGP; an unknown domain goes to X.509 (which this
  // OpenPGP-only server cannot serve: the GnuTLS engine needs X.509).
  LoopbackServer server(transport::make_server_engine_factory(settings("server", "s.sqlite")));
  auto client_settings = settings("client", "c.sqlite");
  tls::KeyringTrustConfig config;
  config.authorities.push_back(keyring::Authority{fixtures_->ca_cert, {}});
  config.certificates.push_back(parse(std::string(identity("server").transferable_key.begin(),
                                                  identity("server").transferable_key.end())));
  config.clock = clock_;
  const auto knows = transport::make_knows_openpgp(
      std::make_shared<tls::KeyringOpenPgpTrust>(std::move(config)), pin_stores_.at("c.sqlite"));
  ASSERT_TRUE(knows("a.example").value());
  ASSERT_FALSE(knows("other.example").value());
  const auto outcome = server.connect(
      transport::make_client_engine_factory(client_settings, ClientMode::automatic, knows),
      "a.example");
  ASSERT_TRUE(outcome.client.ok) << outcome.client.error;
  EXPECT_EQ(outcome.client.session.certificate_type, CertificateType::openpgp);
}

struct Row {
  const char* name;     // fixture that presents the bad key
  const char* dialled;  // the domain the client dials (client-side rows)
  const char* reason;   // text the rejecting side's error must contain
};

void PrintTo(const Row& row, std::ostream* out) {
  *out << row.name;
}

const Row kRows[] = {
    {"uncertified", "uncertified.example",
     "(xmpp:uncertified.example) is not certified by any configured authority"},
    {"wrong_authority", "rogue.example",
     "(xmpp:rogue.example) is not certified by any configured authority"},
    {"out_of_scope", "scoped.example",
     "certified xmpp:scoped.example, but that domain is outside its scope"},
    {"revoked", "revoked.example", "revoked (unspecified) at"},
    {"expired", "expired.example", "expired at"},
    {"wrong_domain", "b.example", "has no user ID xmpp:b.example"},
};

class RejectedServerKey : public DecisionMatrixTest, public ::testing::WithParamInterface<Row> {};

TEST_P(RejectedServerKey, ClientRejectsWithTheReasonAndTheServerFails) {
  const Row& row = GetParam();
  const auto outcome = handshake(row.name, "client", row.dialled);
  EXPECT_FALSE(outcome.client.ok);
  EXPECT_NE(outcome.client.error.find(row.reason), std::string::npos) << outcome.client.error;
  // The server learns of it from the client's alert (RFC 5246 §7.2.2).
  EXPECT_FALSE(outcome.server.ok);
  EXPECT_NE(outcome.server.error.find("certificate_unknown"), std::string::npos)
      << outcome.server.error;
  // Nothing was recorded as an OpenPGP login.
  EXPECT_FALSE(pin_stores_.at("client.sqlite")->openpgp_auth(row.dialled).value().has_value());
}

INSTANTIATE_TEST_SUITE_P(Matrix, RejectedServerKey, ::testing::ValuesIn(kRows),
                         [](const auto& info) { return std::string(info.param.name); });

// The server has no expected domain: it asks which domains the client's
// key is certified for, and rejects a key certified for none. The reason
// is the keyring's, per user ID.
const Row kClientRows[] = {
    {"uncertified", "", "(xmpp:uncertified.example) is not certified by any configured authority"},
    {"wrong_authority", "", "(xmpp:rogue.example) is not certified by any configured authority"},
    {"out_of_scope", "", "certified xmpp:scoped.example, but that domain is outside its scope"},
    {"revoked", "", "revoked (unspecified) at"},
    {"expired", "", "expired at"},
};

class RejectedClientKey : public DecisionMatrixTest, public ::testing::WithParamInterface<Row> {};

TEST_P(RejectedClientKey, ServerRejectsWithTheReasonAndTheClientFails) {
  const Row& row = GetParam();
  const auto outcome = handshake("server", row.name, "a.example");
  EXPECT_FALSE(outcome.server.ok);
  EXPECT_NE(outcome.server.error.find(row.reason), std::string::npos) << outcome.server.error;
  EXPECT_FALSE(outcome.client.ok);
  EXPECT_NE(outcome.client.error.find("certificate_unknown"), std::string::npos)
      << outcome.client.error;
  // Nothing was recorded as an OpenPGP login of the rejected domain.
  const auto recorded = pin_stores_.at("server.sqlite")->snapshot();
  ASSERT_TRUE(recorded.ok()) << recorded.error().message();
  EXPECT_TRUE(recorded->openpgp.empty());
}

INSTANTIATE_TEST_SUITE_P(Matrix, RejectedClientKey, ::testing::ValuesIn(kClientRows),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace pgptls::test
