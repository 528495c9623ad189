// engine_openpgp_test.cpp: the RFC 6091 engine with OpenPGP certificates
// made by gpg in the test: every key kind (Ed25519 primary and subkey,
// ECDSA P-256, RSA-2048) x suite, the Certificate layout on the wire,
// fingerprint-only clients, certificate type preference, and the OpenPGP
// rejections.
#include <gtest/gtest.h>

#include <chrono>
#include <tuple>

#include "base/clock.h"
#include "base/rng.h"
#include "keyring/policy.h"
#include "tests/support/temp_dir.h"
#include "tests/tls/both_verifier.h"
#include "tests/tls/engine_openpgp.h"
#include "tests/tls/engine_pump.h"
#include "tests/tls/engine_support.h"
#include "tests/tls/engine_tamper.h"
#include "tls/rfc6091/rfc6091_engine.h"
#include "tls/wire/errors.h"
#include "tls/wire/messages/certificate.h"
#include "tls/wire/messages/certificate_request.h"

namespace pgptls::tls {
namespace {

using test::OpenPgpIdentity;
using test::OpenPgpKind;

const base::TimePoint kNow = base::TimePoint(std::chrono::seconds(1'790'000'000));

class OpenPgpEngineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    home_ = new pgptls::test::TempDir();
    x509_dir_ = new pgptls::test::TempDir();
    ids_ = new std::map<std::pair<OpenPgpKind, bool>, OpenPgpIdentity>();
    for (const OpenPgpKind kind : {OpenPgpKind::ed25519, OpenPgpKind::ed25519_subkey,
                                   OpenPgpKind::nistp256, OpenPgpKind::rsa2048}) {
      const std::string suffix = std::to_string(static_cast<int>(kind));
      (*ids_)[{kind, true}] =
          test::make_openpgp_identity(*home_, kind, "server" + suffix + ".example");
      (*ids_)[{kind, false}] =
          test::make_openpgp_identity(*home_, kind, "client" + suffix + ".example");
    }
    x509_server_ = new test::X509Identity(
        test::make_x509_identity(*x509_dir_, test::KeyKind::ed25519, "server0.example"));
  }
  static void TearDownTestSuite() {
    delete ids_;
    delete x509_server_;
    delete x509_dir_;
    delete home_;
  }
  static const OpenPgpIdentity& id(OpenPgpKind kind, bool server) {
    return ids_->at({kind, server});
  }

  struct Options {
    OpenPgpKind kind = OpenPgpKind::ed25519;
    bool client_fingerprint_only = false;
    bool server_trusts_client = true;
    bool client_has_openpgp = true;
    bool server_has_openpgp = true;
    bool server_has_x509 = false;
    std::vector<CertificateType> client_types{CertificateType::openpgp, CertificateType::x509};
    std::uint16_t suite = 0;
    NamedGroup group = NamedGroup::x25519;
  };

  struct Pair {
    std::unique_ptr<Engine> client;
    std::unique_ptr<Engine> server;
  };

  static Pair make_pair(const Options& options) {
    const OpenPgpIdentity& server_id = id(options.kind, true);
    const OpenPgpIdentity& client_id = id(options.kind, false);
    auto clock = std::make_shared<base::FixedClock>(kNow);

    auto client_verifier = std::make_shared<test::BothVerifier>();
    client_verifier->openpgp.trust(server_id);
    client_verifier->x509.trust(x509_server_->spki_sha256, server_id.domain);
    auto server_verifier = std::make_shared<test::BothVerifier>();
    if (options.server_trusts_client) {
      server_verifier->openpgp.trust(client_id);
    }

    Rfc6091Config client;
    client.role = Role::client;
    client.policy.certificate_types = options.client_types;
    client.policy.groups = {options.group};
    if (options.client_has_openpgp) {
      client.credentials.openpgp = client_id.credential(options.client_fingerprint_only);
    }
    client.verifier = client_verifier;
    client.rng = std::make_shared<base::DeterministicRng>(3);
    client.clock = clock;
    client.server_name = server_id.domain;

    Rfc6091Config server;
    server.role = Role::server;
    if (options.suite != 0) {
      server.policy.cipher_suites = {options.suite};
    }
    if (options.server_has_openpgp) {
      server.credentials.openpgp = server_id.credential();
    }
    if (options.server_has_x509) {
      server.credentials.x509 = x509_server_->credential();
    }
    server.verifier = server_verifier;
    server.rng = std::make_shared<base::DeterministicRng>(4);
    server.clock = clock;
    server.client_auth = options.client_has_openpgp ? ClientAuth::require : ClientAuth::request;

    Pair pair;
    pair.client = make_rfc6091_engine(std::move(client)).value();
    pair.server = make_rfc6091_engine(std::move(server)).value();
    return pair;
  }

  static test::PumpLog run(Pair& pair, const test::Tamper& tamper = {}) {
    EXPECT_TRUE(pair.client->start().ok());
    return test::pump(*pair.client, *pair.server, tamper);
  }

  static std::string why(const Pair& pair) {
    return std::string(pair.client->state_name()) + " / " + std::string(pair.server->state_name()) +
           ": " + (pair.client->failure() ? pair.client->failure()->message() : "") + " | " +
           (pair.server->failure() ? pair.server->failure()->message() : "");
  }

  static pgptls::test::TempDir* home_;
  static pgptls::test::TempDir* x509_dir_;
  static std::map<std::pair<OpenPgpKind, bool>, OpenPgpIdentity>* ids_;
  static test::X509Identity* x509_server_;
};
pgptls::test::TempDir* OpenPgpEngineTest::home_ = nullptr;
pgptls::test::TempDir* OpenPgpEngineTest::x509_dir_ = nullptr;
std::map<std::pair<OpenPgpKind, bool>, OpenPgpIdentity>* OpenPgpEngineTest::ids_ = nullptr;
test::X509Identity* OpenPgpEngineTest::x509_server_ = nullptr;

TEST_F(OpenPgpEngineTest, EveryKeyKindSuiteAndGroup) {
  for (const OpenPgpKind kind : {OpenPgpKind::ed25519, OpenPgpKind::ed25519_subkey,
                                 OpenPgpKind::nistp256, OpenPgpKind::rsa2048}) {
    const bool rsa = kind == OpenPgpKind::rsa2048;
    for (const CipherSuite& suite : supported_cipher_suites()) {
      if ((suite.auth == AuthAlgorithm::rsa) != rsa) {
        continue;
      }
      for (const NamedGroup group : supported_groups()) {
        SCOPED_TRACE(std::to_string(static_cast<int>(kind)) + " " + std::string(suite.name) + " " +
                     std::string(group_name(group)));
        Options options;
        options.kind = kind;
        options.suite = suite.id;
        options.group = group;
        auto pair = make_pair(options);
        run(pair);
        ASSERT_EQ(pair.client->status(), EngineStatus::established) << why(pair);
        ASSERT_EQ(pair.server->status(), EngineStatus::established) << why(pair);
        for (const Engine* engine : {pair.client.get(), pair.server.get()}) {
          EXPECT_EQ(engine->session().certificate_type, CertificateType::openpgp);
          EXPECT_EQ(engine->session().cipher_suite, suite.name);
          ASSERT_TRUE(engine->session().peer.has_value());
          EXPECT_EQ(engine->session().peer->type, CertificateType::openpgp);
        }
        EXPECT_EQ(pair.server->session().peer->domains.front(), id(kind, false).domain);
        ASSERT_TRUE(pair.client->write_app(as_bytes_view("<presence/>")).ok());
        test::pump(*pair.client, *pair.server);
        std::array<std::uint8_t, 64> buffer{};
        auto read = pair.server->read_app(buffer);
        ASSERT_TRUE(read.ok());
        EXPECT_EQ(*read, 11U);
      }
    }
  }
  // The subkey identity signs with a subkey, not the primary key.
  const auto& subkey = id(OpenPgpKind::ed25519_subkey, true);
  EXPECT_FALSE(std::equal(subkey.signing_key_id.begin(), subkey.signing_key_id.end(),
                          subkey.fingerprint.end() - 8));
}

// certificate_of: the Certificate message of a plaintext flight.
Bytes certificate_of(Bytes flight) {
  Bytes body;
  test::rewrite_handshake_records(flight, [&](test::Messages& list) {
    for (const auto& message : list) {
      if (message.type == 11) {
        body = message.body;
      }
    }
  });
  return body;
}

TEST_F(OpenPgpEngineTest, CertificateMessagesUseTheGnuTlsLayout) {
  Options options;
  options.kind = OpenPgpKind::ed25519_subkey;
  options.client_fingerprint_only = true;
  auto pair = make_pair(options);
  std::vector<Bytes> server_flights;
  std::vector<Bytes> client_flights;
  run(pair, [&](bool from_client, Bytes& bytes) {
    (from_client ? client_flights : server_flights).push_back(bytes);
  });
  ASSERT_EQ(pair.client->status(), EngineStatus::established) << why(pair);
  const messages::MessageLimits limits;
  const Bytes server_body = certificate_of(server_flights.at(0));
  ASSERT_GT(server_body.size(), 3U);
  // The leading uint24 holds the true length (GnuTLS 3.5 only needs it non-zero).
  EXPECT_EQ((server_body[0] << 16) | (server_body[1] << 8) | server_body[2],
            static_cast<int>(server_body.size() - 3));
  auto server_cert = messages::parse_openpgp_certificate(server_body, limits);
  ASSERT_TRUE(server_cert.ok());
  EXPECT_EQ(server_cert->layout, messages::OpenPgpLayout::gnutls);
  EXPECT_EQ(server_cert->descriptor, messages::OpenPgpDescriptor::subkey_cert);
  EXPECT_EQ(server_cert->key_id, id(OpenPgpKind::ed25519_subkey, true).signing_key_id);
  EXPECT_EQ(server_cert->transferable_key, id(OpenPgpKind::ed25519_subkey, true).transferable_key);

  auto client_cert =
      messages::parse_openpgp_certificate(certificate_of(client_flights.at(1)), limits);
  ASSERT_TRUE(client_cert.ok());
  EXPECT_EQ(client_cert->descriptor, messages::OpenPgpDescriptor::subkey_cert_fingerprint);
  EXPECT_EQ(client_cert->fingerprint, id(OpenPgpKind::ed25519_subkey, false).fingerprint);
  EXPECT_EQ(client_cert->key_id, id(OpenPgpKind::ed25519_subkey, false).signing_key_id);
}

TEST_F(OpenPgpEngineTest, AnonymousClientSendsEmptyCert) {
  Options options;
  options.client_has_openpgp = false;  // server requests, client has nothing
  auto pair = make_pair(options);
  std::vector<Bytes> client_flights;
  run(pair, [&](bool from_client, Bytes& bytes) {
    if (from_client) {
      client_flights.push_back(bytes);
    }
  });
  ASSERT_EQ(pair.server->status(), EngineStatus::established) << why(pair);
  EXPECT_FALSE(pair.server->session().peer.has_value());
  // GnuTLS's empty_cert, with its leading uint24 (README of the captures).
  EXPECT_EQ(certificate_of(client_flights.at(1)),
            (Bytes{0x00, 0x00, 0x04, 0x01, 0x00, 0x00, 0x00}));
}

TEST_F(OpenPgpEngineTest, UnknownFingerprintIsCertificateUnobtainable) {
  Options options;
  options.client_fingerprint_only = true;
  options.server_trusts_client = false;
  auto pair = make_pair(options);
  run(pair);
  ASSERT_TRUE(pair.server->failure().has_value());
  EXPECT_EQ(alert_for(pair.server->failure()->code), AlertDescription::certificate_unobtainable);
  EXPECT_NE(pair.server->failure()->message().find("is not in the keyring"), std::string::npos);
  ASSERT_TRUE(pair.client->failure().has_value());
  EXPECT_NE(pair.client->failure()->message().find("certificate_unobtainable"), std::string::npos);
}

TEST_F(OpenPgpEngineTest, UntrustedClientKeyIsCertificateUnknown) {
  Options options;
  options.server_trusts_client = false;
  auto pair = make_pair(options);
  run(pair);
  ASSERT_TRUE(pair.server->failure().has_value());
  EXPECT_EQ(alert_for(pair.server->failure()->code), AlertDescription::certificate_unknown);
  EXPECT_NE(pair.server->failure()->message().find("not certified by any authority"),
            std::string::npos);
}

// with_client_key_id: a tamper that rewrites the key ID in the client's
// OpenPGP Certificate message.
test::Tamper with_client_key_id(Bytes key_id) {
  return test::tamper_flight(test::Sender::client, 1, [key_id](test::Messages& list) {
    for (auto& message : list) {
      if (message.type == 11) {
        auto certificate =
            messages::parse_openpgp_certificate(message.body, messages::MessageLimits{});
        certificate->key_id = key_id;
        message.body = messages::encode_openpgp_certificate(*certificate).value();
      }
    }
  });
}

TEST_F(OpenPgpEngineTest, KeyIdOfNoComponentKeyIsBadCertificate) {
  auto pair = make_pair({});
  run(pair, with_client_key_id(Bytes(8, 0xEE)));
  ASSERT_TRUE(pair.server->failure().has_value());
  EXPECT_EQ(alert_for(pair.server->failure()->code), AlertDescription::bad_certificate);
  EXPECT_NE(pair.server->failure()->message().find("names no key of certificate"),
            std::string::npos)
      << pair.server->failure()->message();
}

TEST_F(OpenPgpEngineTest, SignatureByAnotherComponentKeyIsDecryptError) {
  // The subkey signs, but the Certificate names the primary key.
  Options options;
  options.kind = OpenPgpKind::ed25519_subkey;
  auto pair = make_pair(options);
  const Bytes& fingerprint = id(OpenPgpKind::ed25519_subkey, false).fingerprint;
  run(pair, with_client_key_id(Bytes(fingerprint.end() - 8, fingerprint.end())));
  ASSERT_TRUE(pair.server->failure().has_value());
  EXPECT_EQ(alert_for(pair.server->failure()->code), AlertDescription::decrypt_error);
  EXPECT_NE(pair.server->failure()->message().find("does not verify with its accepted key"),
            std::string::npos)
      << pair.server->failure()->message();
}

TEST_F(OpenPgpEngineTest, AuthoritiesInCertificateRequestAreIllegalWithOpenPgp) {
  auto pair = make_pair({});
  run(pair, test::tamper_flight(test::Sender::server, 0, [](test::Messages& list) {
        for (auto& message : list) {
          if (message.type == 13) {
            auto request = messages::parse_certificate_request(message.body);
            request->certificate_authorities.push_back(Bytes{0x30, 0x00});
            message.body = messages::encode_certificate_request(*request).value();
          }
        }
      }));
  ASSERT_TRUE(pair.client->failure().has_value());
  EXPECT_EQ(alert_for(pair.client->failure()->code), AlertDescription::illegal_parameter);
  EXPECT_NE(pair.client->failure()->message().find("RFC 6091 §3.4"), std::string::npos);
}

TEST_F(OpenPgpEngineTest, CertificateTypePreference) {
  {
    // Both offered, the server has both: the client's first choice.
    Options options;
    options.server_has_x509 = true;
    auto pair = make_pair(options);
    run(pair);
    ASSERT_EQ(pair.client->status(), EngineStatus::established) << why(pair);
    EXPECT_EQ(pair.client->session().certificate_type, CertificateType::openpgp);
  }
  {
    // The client prefers X.509 and has no X.509 credential: it offers only
    // what it has a credential for, so OpenPGP.
    Options options;
    options.server_has_x509 = true;
    options.client_types = {CertificateType::x509, CertificateType::openpgp};
    auto pair = make_pair(options);
    run(pair);
    ASSERT_EQ(pair.client->status(), EngineStatus::established) << why(pair);
    EXPECT_EQ(pair.client->session().certificate_type, CertificateType::openpgp);
  }
  {
    // An anonymous client offering both to an X.509-only server: X.509,
    // and the ServerHello carries no cert_type (absent means X.509).
    Options options;
    options.client_has_openpgp = false;
    options.server_has_openpgp = false;
    options.server_has_x509 = true;
    auto pair = make_pair(options);
    run(pair);
    ASSERT_EQ(pair.client->status(), EngineStatus::established) << why(pair);
    EXPECT_EQ(pair.client->session().certificate_type, CertificateType::x509);
  }
  {
    // OpenPGP only against an X.509-only server: nothing in common.
    Options options;
    options.client_types = {CertificateType::openpgp};
    options.server_has_openpgp = false;
    options.server_has_x509 = true;
    auto pair = make_pair(options);
    run(pair);
    ASSERT_TRUE(pair.server->failure().has_value());
    EXPECT_EQ(alert_for(pair.server->failure()->code), AlertDescription::unsupported_certificate);
    EXPECT_NE(
        pair.server->failure()->message().find("the client accepts certificate types [openpgp]"),
        std::string::npos)
        << pair.server->failure()->message();
  }
}

TEST(OpenPgpReferenceKeys, GnuTls35KeysAuthenticateBothWays) {
  // The keys of the recorded GnuTLS 3.5 handshakes: a (RSA-3072 primary
  // signs) as server, sub3-a (its [SA] RSA-2048 subkey signs) as server, and
  // b (RSA-2048) as client, sending its key or only its fingerprint.
  const auto a = test::load_reference_identity("a", "a.example", "67BE14492ADBFF1A");
  const auto sub3 = test::load_reference_identity("sub3-a", "sub3-a.example", "8E622E61C5955DD4");
  const auto b = test::load_reference_identity("b", "b.example", "57CDC70C02927A5C");
  for (const auto* server_id : {&a, &sub3}) {
    for (const bool fingerprint_only : {false, true}) {
      SCOPED_TRACE(server_id->domain + (fingerprint_only ? " fingerprint" : " key"));
      auto clock = std::make_shared<base::FixedClock>(kNow);
      auto client_verifier = std::make_shared<test::OpenPgpTrustVerifier>();
      client_verifier->trust(*server_id);
      auto server_verifier = std::make_shared<test::OpenPgpTrustVerifier>();
      server_verifier->trust(b);
      Rfc6091Config client;
      client.role = Role::client;
      client.policy.certificate_types = {CertificateType::openpgp};
      client.credentials.openpgp = b.credential(fingerprint_only);
      client.verifier = client_verifier;
      client.rng = std::make_shared<base::DeterministicRng>(5);
      client.clock = clock;
      client.server_name = server_id->domain;
      Rfc6091Config server;
      server.role = Role::server;
      server.policy.certificate_types = {CertificateType::openpgp};
      server.credentials.openpgp = server_id->credential();
      server.verifier = server_verifier;
      server.rng = std::make_shared<base::DeterministicRng>(6);
      server.clock = clock;
      server.expected_peer_domain = "b.example";
      auto c = make_rfc6091_engine(std::move(client)).value();
      auto s = make_rfc6091_engine(std::move(server)).value();
      ASSERT_TRUE(c->start().ok());
      test::pump(*c, *s);
      ASSERT_EQ(c->status(), EngineStatus::established)
          << (c->failure() ? c->failure()->message() : "")
          << (s->failure() ? s->failure()->message() : "");
      ASSERT_EQ(s->status(), EngineStatus::established);
      EXPECT_EQ(s->session().peer->domains.front(), "b.example");
      EXPECT_EQ(c->session().peer->domains.front(), server_id->domain);
      EXPECT_EQ(c->session().cipher_suite.find("TLS_ECDHE_RSA_"), 0U);
    }
  }
}

// AuthorityHandshake: a's or sub3-a's server against b's client, both
// judged by keyring::check_peer with `signer` as the authority.
class AuthorityHandshake : public ::testing::Test {
 protected:
  static std::shared_ptr<test::AuthorityVerifier> verifier(
      const std::vector<std::string>& authority_names) {
    std::vector<keyring::Authority> authorities;
    for (const auto& name : authority_names) {
      authorities.push_back({test::load_reference_cert(name), {}});
    }
    return std::make_shared<test::AuthorityVerifier>(
        std::move(authorities), std::vector<openpgp::Cert>{test::load_reference_cert("b")},
        keyring::Policy::gnutls35_compatible(), *base::parse_utc("2026-12-28T00:00:00Z"));
  }

  struct Result2 {
    std::unique_ptr<Engine> client;
    std::unique_ptr<Engine> server;
  };

  static Result2 handshake(const test::OpenPgpIdentity& server_id,
                           const test::OpenPgpIdentity& client_id, bool fingerprint_only,
                           const std::vector<std::string>& server_authorities,
                           const std::string& expected_client = "b.example") {
    auto clock = std::make_shared<base::FixedClock>(kNow);
    Rfc6091Config client;
    client.role = Role::client;
    client.policy.certificate_types = {CertificateType::openpgp};
    client.credentials.openpgp = client_id.credential(fingerprint_only);
    client.verifier = verifier({"signer"});
    client.rng = std::make_shared<base::DeterministicRng>(8);
    client.clock = clock;
    client.server_name = server_id.domain;
    Rfc6091Config server;
    server.role = Role::server;
    server.policy.certificate_types = {CertificateType::openpgp};
    server.credentials.openpgp = server_id.credential();
    server.verifier = verifier(server_authorities);
    server.rng = std::make_shared<base::DeterministicRng>(9);
    server.clock = clock;
    server.expected_peer_domain = expected_client;
    Result2 pair{make_rfc6091_engine(std::move(client)).value(),
                 make_rfc6091_engine(std::move(server)).value()};
    EXPECT_TRUE(pair.client->start().ok());
    test::pump(*pair.client, *pair.server);
    return pair;
  }
};

TEST_F(AuthorityHandshake, CertifiedPeersAreAcceptedThroughCheckPeer) {
  const auto a = test::load_reference_identity("a", "a.example", "67BE14492ADBFF1A");
  const auto sub3 = test::load_reference_identity("sub3-a", "sub3-a.example", "8E622E61C5955DD4");
  const auto b = test::load_reference_identity("b", "b.example", "57CDC70C02927A5C");
  for (const auto* server_id : {&a, &sub3}) {
    for (const bool fingerprint_only : {false, true}) {
      SCOPED_TRACE(server_id->domain + (fingerprint_only ? " fingerprint" : " key"));
      auto pair = handshake(*server_id, b, fingerprint_only, {"signer"});
      ASSERT_EQ(pair.client->status(), EngineStatus::established)
          << (pair.client->failure() ? pair.client->failure()->message() : "")
          << (pair.server->failure() ? pair.server->failure()->message() : "");
      ASSERT_EQ(pair.server->status(), EngineStatus::established);
      EXPECT_EQ(pair.server->session().peer->accepted_by,
                "authority 55FD06606D652C8FC252D9A60E8DFFE12011AF66");
      EXPECT_EQ(pair.client->session().peer->domains.front(), server_id->domain);
    }
  }
}

TEST_F(AuthorityHandshake, WrongAuthorityOrDomainIsCertificateUnknown) {
  const auto a = test::load_reference_identity("a", "a.example", "67BE14492ADBFF1A");
  const auto b = test::load_reference_identity("b", "b.example", "57CDC70C02927A5C");
  for (const auto& [authority, domain, reason] :
       {std::tuple<std::string, std::string, std::string>{"stranger", "b.example",
                                                          "is not certified by any configured"},
        {"signer", "c.example", "has no user ID xmpp:c.example"}}) {
    SCOPED_TRACE(authority + " " + domain);
    auto pair = handshake(a, b, false, {authority}, domain);
    ASSERT_TRUE(pair.server->failure().has_value());
    EXPECT_EQ(alert_for(pair.server->failure()->code), AlertDescription::certificate_unknown);
    EXPECT_NE(pair.server->failure()->message().find(reason), std::string::npos)
        << pair.server->failure()->message();
    ASSERT_TRUE(pair.client->failure().has_value());
    EXPECT_NE(pair.client->failure()->message().find("certificate_unknown"), std::string::npos);
  }
}

}  // namespace
}  // namespace pgptls::tls
