// engine_test.cpp: the RFC 6091 engine, our client against our server in
// memory: every suite x group x key type, client authentication modes,
// reproducible transcripts, and negative handshakes asserting the alert.
#include <gtest/gtest.h>

#include <chrono>

#include "base/clock.h"
#include "base/rng.h"
#include "tests/support/temp_dir.h"
#include "tests/tls/engine_pump.h"
#include "tests/tls/engine_support.h"
#include "tests/tls/engine_tamper.h"
#include "tls/rfc6091/rfc6091_engine.h"
#include "tls/wire/errors.h"
#include "tls/wire/messages/certificate_request.h"
#include "tls/wire/messages/extensions.h"
#include "tls/wire/messages/hello.h"
#include "tls/wire/messages/key_exchange.h"

namespace pgptls::tls {
namespace {

using test::KeyKind;
using test::X509Identity;

const base::TimePoint kNow = base::TimePoint(std::chrono::seconds(1'790'000'000));

class EngineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new pgptls::test::TempDir();
    identities_ = new std::map<std::pair<KeyKind, bool>, X509Identity>();
    for (const KeyKind kind :
         {KeyKind::ed25519, KeyKind::ecdsa_p256, KeyKind::ecdsa_p384, KeyKind::rsa2048}) {
      const std::string suffix = std::to_string(static_cast<int>(kind));
      (*identities_)[{kind, true}] =
          test::make_x509_identity(*dir_, kind, "server" + suffix + ".example");
      (*identities_)[{kind, false}] =
          test::make_x509_identity(*dir_, kind, "client" + suffix + ".example");
    }
  }
  static void TearDownTestSuite() {
    delete identities_;
    delete dir_;
  }
  static const X509Identity& identity(KeyKind kind, bool server) {
    return identities_->at({kind, server});
  }

  // Side: one engine's configuration knobs.
  struct Options {
    KeyKind server_key = KeyKind::ed25519;
    KeyKind client_key = KeyKind::ed25519;
    bool client_has_credential = true;
    ClientAuth client_auth = ClientAuth::require;
    NegotiationPolicy client_policy;
    NegotiationPolicy server_policy;
    std::uint64_t seed = 1;
    messages::MessageLimits server_limits;
    bool client_trusts_server = true;
  };

  struct Pair {
    std::unique_ptr<Engine> client;
    std::unique_ptr<Engine> server;
    std::shared_ptr<test::SpkiVerifier> client_verifier;
    std::shared_ptr<test::SpkiVerifier> server_verifier;
    std::shared_ptr<base::FixedClock> clock;
  };

  static Pair make_pair(Options options) {
    Pair pair;
    pair.clock = std::make_shared<base::FixedClock>(kNow);
    pair.client_verifier = std::make_shared<test::SpkiVerifier>();
    pair.server_verifier = std::make_shared<test::SpkiVerifier>();
    const X509Identity& server_id = identity(options.server_key, true);
    const X509Identity& client_id = identity(options.client_key, false);
    if (options.client_trusts_server) {
      pair.client_verifier->trust(server_id.spki_sha256, server_id.domain);
    }
    pair.server_verifier->trust(client_id.spki_sha256, client_id.domain);

    Rfc6091Config client;
    client.role = Role::client;
    client.policy = options.client_policy;
    if (options.client_has_credential) {
      client.credentials.x509 = client_id.credential();
    }
    client.verifier = pair.client_verifier;
    client.rng = std::make_shared<base::DeterministicRng>(options.seed);
    client.clock = pair.clock;
    client.server_name = server_id.domain;

    Rfc6091Config server;
    server.role = Role::server;
    server.policy = options.server_policy;
    server.credentials.x509 = server_id.credential();
    server.verifier = pair.server_verifier;
    server.rng = std::make_shared<base::DeterministicRng>(options.seed + 1000);
    server.clock = pair.clock;
    server.client_auth = options.client_auth;
    server.limits = options.server_limits;

    auto client_engine = make_rfc6091_engine(std::move(client));
    auto server_engine = make_rfc6091_engine(std::move(server));
    EXPECT_TRUE(client_engine.ok());
    EXPECT_TRUE(server_engine.ok());
    pair.client = std::move(client_engine).value();
    pair.server = std::move(server_engine).value();
    return pair;
  }

  static Options x509_only(Options options) {
    options.client_policy.certificate_types = {CertificateType::x509};
    options.server_policy.certificate_types = {CertificateType::x509};
    return options;
  }

  static test::PumpLog run(Pair& pair, const test::Tamper& tamper = {}) {
    EXPECT_TRUE(pair.client->start().ok());
    EXPECT_TRUE(pair.server->start().ok());
    return test::pump(*pair.client, *pair.server, tamper);
  }

  static void expect_echo(Pair& pair) {
    const std::string ping = "<stream:stream to='a.example'>";
    auto written = pair.client->write_app(as_bytes_view(ping));
    ASSERT_TRUE(written.ok());
    EXPECT_EQ(*written, ping.size());
    test::pump(*pair.client, *pair.server);
    std::array<std::uint8_t, 256> buffer{};
    auto read = pair.server->read_app(buffer);
    ASSERT_TRUE(read.ok());
    EXPECT_EQ(std::string(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(*read)),
              ping);
    ASSERT_TRUE(pair.server->write_app(ByteView(buffer.data(), *read)).ok());
    test::pump(*pair.client, *pair.server);
    auto back = pair.client->read_app(buffer);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(std::string(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(*back)),
              ping);
  }

  // expect_failure: `failing` failed with `alert` and `message_part`, and
  // the other side received that alert.
  static void expect_failure(Engine& failing, Engine& other, AlertDescription alert,
                             const std::string& message_part) {
    ASSERT_TRUE(failing.failure().has_value()) << "state " << failing.state_name();
    EXPECT_EQ(failing.status(), EngineStatus::failed);
    EXPECT_EQ(alert_for(failing.failure()->code), alert) << failing.failure()->message();
    EXPECT_NE(failing.failure()->message().find(message_part), std::string::npos)
        << failing.failure()->message();
    ASSERT_TRUE(other.failure().has_value());
    EXPECT_EQ(other.failure()->code, make_error_code(Errc::alert_received));
    EXPECT_NE(other.failure()->message().find(alert_name(alert)), std::string::npos)
        << other.failure()->message();
  }

  static pgptls::test::TempDir* dir_;
  static std::map<std::pair<KeyKind, bool>, X509Identity>* identities_;
};
pgptls::test::TempDir* EngineTest::dir_ = nullptr;
std::map<std::pair<KeyKind, bool>, X509Identity>* EngineTest::identities_ = nullptr;

TEST_F(EngineTest, EverySuiteGroupKeyAndClientAuthMode) {
  for (const CipherSuite& suite : supported_cipher_suites()) {
    const std::vector<KeyKind> keys =
        suite.auth == AuthAlgorithm::rsa
            ? std::vector<KeyKind>{KeyKind::rsa2048}
            : std::vector<KeyKind>{KeyKind::ed25519, KeyKind::ecdsa_p256, KeyKind::ecdsa_p384};
    for (const KeyKind key : keys) {
      for (const NamedGroup group : supported_groups()) {
        for (const ClientAuth auth : {ClientAuth::require, ClientAuth::none}) {
          SCOPED_TRACE(std::string(suite.name) + " " + std::string(group_name(group)) + " key " +
                       std::to_string(static_cast<int>(key)) + " auth " +
                       std::to_string(static_cast<int>(auth)));
          Options options;
          options.server_key = key;
          options.client_key = key;
          options.client_auth = auth;
          options.server_policy.cipher_suites = {suite.id};
          options.client_policy.groups = {group};
          auto pair = make_pair(x509_only(options));
          run(pair);
          ASSERT_EQ(pair.client->status(), EngineStatus::established)
              << pair.client->state_name() << " "
              << (pair.client->failure() ? pair.client->failure()->message() : "")
              << (pair.server->failure() ? pair.server->failure()->message() : "");
          ASSERT_EQ(pair.server->status(), EngineStatus::established);
          for (const Engine* engine : {pair.client.get(), pair.server.get()}) {
            const SessionInfo& info = engine->session();
            EXPECT_EQ(info.protocol, "TLS1.2");
            EXPECT_EQ(info.cipher_suite, suite.name);
            EXPECT_EQ(info.group, group_name(group));
            EXPECT_EQ(info.certificate_type, CertificateType::x509);
            EXPECT_EQ(info.server_name, identity(key, true).domain);
          }
          ASSERT_TRUE(pair.client->session().peer.has_value());
          EXPECT_EQ(pair.client->session().peer->domains.front(), identity(key, true).domain);
          EXPECT_EQ(pair.server->session().peer.has_value(), auth == ClientAuth::require);
          EXPECT_EQ(pair.server_verifier->calls, auth == ClientAuth::require ? 1 : 0);
          expect_echo(pair);
        }
      }
    }
  }
}

TEST_F(EngineTest, EveryRsaSignatureScheme) {
  for (const SignatureScheme scheme :
       {SignatureScheme::rsa_pss_rsae_sha256, SignatureScheme::rsa_pss_rsae_sha384,
        SignatureScheme::rsa_pss_rsae_sha512, SignatureScheme::rsa_pkcs1_sha256,
        SignatureScheme::rsa_pkcs1_sha384, SignatureScheme::rsa_pkcs1_sha512}) {
    SCOPED_TRACE(signature_scheme_name(scheme));
    Options options;
    options.server_key = KeyKind::rsa2048;
    options.client_key = KeyKind::rsa2048;
    options.client_policy.signature_schemes = {scheme};
    options.server_policy.signature_schemes = {scheme};
    auto pair = make_pair(x509_only(options));
    run(pair);
    ASSERT_EQ(pair.client->status(), EngineStatus::established)
        << (pair.client->failure() ? pair.client->failure()->message() : "")
        << (pair.server->failure() ? pair.server->failure()->message() : "");
    ASSERT_EQ(pair.server->status(), EngineStatus::established);
  }
}

TEST_F(EngineTest, FixedRngAndClockGiveByteIdenticalTranscripts) {
  // Ed25519 and RSA PKCS#1 v1.5 signatures are deterministic; ECDSA and PSS
  // take randomness from GnuTLS itself.
  for (const KeyKind key : {KeyKind::ed25519, KeyKind::rsa2048}) {
    Options options;
    options.server_key = key;
    options.client_key = key;
    options.client_policy.signature_schemes = {SignatureScheme::ed25519,
                                               SignatureScheme::rsa_pkcs1_sha256};
    auto first = make_pair(x509_only(options));
    const auto log1 = run(first);
    auto second = make_pair(x509_only(options));
    const auto log2 = run(second);
    ASSERT_EQ(first.client->status(), EngineStatus::established);
    EXPECT_EQ(log1.client_sent, log2.client_sent);
    EXPECT_EQ(log1.server_sent, log2.server_sent);
    options.seed = 7;
    auto third = make_pair(x509_only(options));
    const auto log3 = run(third);
    EXPECT_NE(log1.client_sent, log3.client_sent);
  }
}

TEST_F(EngineTest, MessagesSplitAcrossTinyRecordsAndJoinedInOne) {
  // Every plaintext flight re-framed: messages cut into 1- and 7-byte
  // records (RFC 5246 §6.2.1 allows any split), or all in one record.
  for (const std::size_t size : {std::size_t{1}, std::size_t{7}, std::size_t{1} << 14}) {
    SCOPED_TRACE(size);
    auto pair = make_pair(x509_only({}));
    run(pair, [size](bool /*from_client*/, Bytes& bytes) {
      test::rewrite_handshake_records(
          bytes, [](test::Messages& /*unchanged*/) {}, size);
    });
    ASSERT_EQ(pair.client->status(), EngineStatus::established)
        << (pair.client->failure() ? pair.client->failure()->message() : "")
        << (pair.server->failure() ? pair.server->failure()->message() : "");
    ASSERT_EQ(pair.server->status(), EngineStatus::established);
    expect_echo(pair);
  }
}

TEST_F(EngineTest, ClientAuthRequestAcceptsAnAnonymousClient) {
  Options options;
  options.client_auth = ClientAuth::request;
  options.client_has_credential = false;
  auto pair = make_pair(x509_only(options));
  run(pair);
  ASSERT_EQ(pair.server->status(), EngineStatus::established);
  EXPECT_FALSE(pair.server->session().peer.has_value());
  expect_echo(pair);
}

TEST_F(EngineTest, ClientAuthRequireRefusesAnAnonymousClient) {
  Options options;
  options.client_has_credential = false;
  auto pair = make_pair(x509_only(options));
  run(pair);
  expect_failure(*pair.server, *pair.client, AlertDescription::handshake_failure,
                 "requires client authentication");
}

TEST_F(EngineTest, UntrustedServerIsRefusedWithTheVerifiersMessage) {
  Options options;
  options.client_trusts_server = false;
  auto pair = make_pair(x509_only(options));
  run(pair);
  expect_failure(*pair.client, *pair.server, AlertDescription::certificate_unknown,
                 "is not pinned for server");
}

TEST_F(EngineTest, BadServerKeyExchangeSignatureIsDecryptError) {
  auto pair = make_pair(x509_only({}));
  run(pair, test::tamper_flight(test::Sender::server, 0, [](test::Messages& list) {
        for (auto& message : list) {
          if (message.type == 12) {
            message.body.back() ^= 0x01;  // last byte of the signature
          }
        }
      }));
  expect_failure(*pair.client, *pair.server, AlertDescription::decrypt_error, "does not verify");
}

TEST_F(EngineTest, AlteredTranscriptIsABadFinished) {
  // An ignored extension added to the ClientHello changes only the
  // transcript: the signatures still verify, the Finished does not.
  auto pair = make_pair(x509_only({}));
  run(pair, test::tamper_flight(test::Sender::client, 0, [](test::Messages& list) {
        auto hello = messages::parse_client_hello(list.front().body);
        hello->extensions.push_back(messages::Extension{0xFAFA, Bytes{1}});
        list.front().body = messages::encode_client_hello(*hello).value();
      }));
  expect_failure(*pair.server, *pair.client, AlertDescription::decrypt_error, "Finished");
}

TEST_F(EngineTest, CertificateTypeNotOfferedIsUnsupportedCertificate) {
  Options options;
  options.client_has_credential = false;  // offers x509 and openpgp
  options.client_auth = ClientAuth::request;
  options.server_policy.certificate_types = {CertificateType::x509};
  auto pair = make_pair(options);
  run(pair, test::tamper_flight(test::Sender::server, 0, [](test::Messages& list) {
        auto hello = messages::parse_server_hello(list.front().body);
        hello->extensions.push_back(messages::Extension{
            static_cast<std::uint16_t>(messages::ExtensionType::cert_type),
            messages::encode_server_cert_type(CertificateType::raw_public_key)});
        list.front().body = messages::encode_server_hello(*hello).value();
      }));
  expect_failure(*pair.client, *pair.server, AlertDescription::unsupported_certificate,
                 "chose certificate type rawpk");
}

TEST_F(EngineTest, ServerExtensionNotOfferedIsUnsupportedExtension) {
  auto pair = make_pair(x509_only({}));
  run(pair, test::tamper_flight(test::Sender::server, 0, [](test::Messages& list) {
        auto hello = messages::parse_server_hello(list.front().body);
        hello->extensions.push_back(messages::Extension{0xFAFA, {}});
        list.front().body = messages::encode_server_hello(*hello).value();
      }));
  expect_failure(*pair.client, *pair.server, AlertDescription::unsupported_extension,
                 "did not offer");
}

// edit_client_hello: a tamper that rewrites the first ClientHello.
test::Tamper edit_client_hello(const std::function<void(messages::ClientHello&)>& edit) {
  auto done = std::make_shared<bool>(false);
  return [done, edit](bool from_client, Bytes& bytes) {
    if (!from_client || *done) {
      return;
    }
    *done = true;
    test::rewrite_handshake_records(bytes, [&](test::Messages& list) {
      auto hello = messages::parse_client_hello(list.front().body);
      edit(*hello);
      list.front().body = messages::encode_client_hello(*hello).value();
    });
  };
}

TEST_F(EngineTest, Tls13OnlyClientHelloIsProtocolVersion) {
  auto pair = make_pair(x509_only({}));
  run(pair, edit_client_hello([](messages::ClientHello& hello) {
        hello.extensions.push_back(messages::Extension{
            static_cast<std::uint16_t>(messages::ExtensionType::supported_versions),
            Bytes{0x02, 0x03, 0x04}});
      }));
  expect_failure(*pair.server, *pair.client, AlertDescription::protocol_version, "only TLS 1.3");
}

TEST_F(EngineTest, MissingExtendedMasterSecretIsRefusedBothWays) {
  {
    auto pair = make_pair(x509_only({}));
    run(pair, edit_client_hello([](messages::ClientHello& hello) {
          std::erase_if(hello.extensions, [](const messages::Extension& e) {
            return e.type ==
                   static_cast<std::uint16_t>(messages::ExtensionType::extended_master_secret);
          });
        }));
    expect_failure(*pair.server, *pair.client, AlertDescription::insufficient_security,
                   "extended_master_secret");
  }
  {
    auto pair = make_pair(x509_only({}));
    run(pair, test::tamper_flight(test::Sender::server, 0, [](test::Messages& list) {
          auto hello = messages::parse_server_hello(list.front().body);
          std::erase_if(hello->extensions, [](const messages::Extension& e) {
            return e.type ==
                   static_cast<std::uint16_t>(messages::ExtensionType::extended_master_secret);
          });
          list.front().body = messages::encode_server_hello(*hello).value();
        }));
    expect_failure(*pair.client, *pair.server, AlertDescription::insufficient_security,
                   "extended_master_secret");
  }
}

TEST_F(EngineTest, TruncatedClientHelloIsDecodeError) {
  auto pair = make_pair(x509_only({}));
  run(pair, [done = false](bool from_client, Bytes& bytes) mutable {
    if (!from_client || done) {
      return;
    }
    done = true;
    test::rewrite_handshake_records(bytes, [](test::Messages& list) {
      list.front().body.resize(list.front().body.size() - 3);
    });
  });
  expect_failure(*pair.server, *pair.client, AlertDescription::decode_error,
                 "malformed ClientHello");
}

TEST_F(EngineTest, OversizedHandshakeMessageIsRefusedByTheCap) {
  Options options;
  options.server_limits.max_handshake_message = 64;
  auto pair = make_pair(x509_only(options));
  run(pair);
  expect_failure(*pair.server, *pair.client, AlertDescription::illegal_parameter,
                 "exceeds the policy cap of 64 bytes");
}

TEST_F(EngineTest, OversizedRecordIsRecordOverflow) {
  auto pair = make_pair(x509_only({}));
  run(pair, [done = false](bool from_client, Bytes& bytes) mutable {
    if (!from_client || done) {
      return;
    }
    done = true;
    bytes = test::record(22, Bytes((1 << 14) + 1, 0), 0x0301);
  });
  expect_failure(*pair.server, *pair.client, AlertDescription::record_overflow, "");
}

TEST_F(EngineTest, OutOfOrderServerMessagesAreUnexpected) {
  auto pair = make_pair(x509_only({}));
  // ServerKeyExchange before Certificate.
  run(pair, test::tamper_flight(test::Sender::server, 0,
                                [](test::Messages& list) { std::swap(list[1], list[2]); }));
  expect_failure(*pair.client, *pair.server, AlertDescription::unexpected_message,
                 "server_key_exchange received in state ExpectServerCertificate");
}

TEST_F(EngineTest, EarlyChangeCipherSpecIsUnexpected) {
  auto pair = make_pair(x509_only({}));
  run(pair, [done = false](bool from_client, Bytes& bytes) mutable {
    if (!from_client || done) {
      return;
    }
    done = true;
    const Bytes ccs = test::record(20, Bytes{1});
    bytes.insert(bytes.end(), ccs.begin(), ccs.end());
  });
  expect_failure(*pair.server, *pair.client, AlertDescription::unexpected_message, "");
}

TEST_F(EngineTest, ApplicationDataBeforeFinishedIsUnexpected) {
  auto pair = make_pair(x509_only({}));
  run(pair, [done = false](bool from_client, Bytes& bytes) mutable {
    if (!from_client || done) {
      return;
    }
    done = true;
    const Bytes data = test::record(23, as_bytes_view("early"));
    bytes.insert(bytes.end(), data.begin(), data.end());
  });
  expect_failure(*pair.server, *pair.client, AlertDescription::unexpected_message,
                 "application data received in state");
}

TEST_F(EngineTest, HandshakeDeadline) {
  Options options;
  auto pair = make_pair(x509_only(options));
  ASSERT_TRUE(pair.client->start().ok());
  const Bytes hello(pair.client->pending_output().begin(), pair.client->pending_output().end());
  pair.client->consume_output(hello.size());
  ASSERT_TRUE(pair.server->feed(hello).ok());
  const Bytes flight(pair.server->pending_output().begin(), pair.server->pending_output().end());
  pair.server->consume_output(flight.size());
  pair.clock->advance(std::chrono::seconds(31));
  const auto late = pair.client->feed(flight);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, make_error_code(Errc::timeout));
  EXPECT_NE(late.error().message().find("handshake_timeout"), std::string::npos);
  EXPECT_EQ(pair.client->status(), EngineStatus::has_output);  // the alert
}

TEST_F(EngineTest, CloseNotifyBothWays) {
  auto pair = make_pair(x509_only({}));
  run(pair);
  ASSERT_EQ(pair.client->status(), EngineStatus::established);
  ASSERT_TRUE(pair.client->close().ok());
  test::pump(*pair.client, *pair.server);
  EXPECT_EQ(pair.server->status(), EngineStatus::closed);
  EXPECT_EQ(pair.client->status(), EngineStatus::closed);
  EXPECT_FALSE(pair.client->failure().has_value());
  EXPECT_FALSE(pair.server->failure().has_value());
  EXPECT_FALSE(pair.client->write_app(as_bytes_view("x")).ok());
}

TEST_F(EngineTest, FirstErrorPoisonsTheEngine) {
  auto pair = make_pair(x509_only({}));
  ASSERT_TRUE(pair.server->start().ok());
  const Bytes garbage = test::record(22, Bytes{1, 0, 0, 1, 0});
  const auto first = pair.server->feed(garbage);
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(pair.server->state_name(), "Failed");
  const auto again = pair.server->feed(garbage);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().message(), first.error().message());
  EXPECT_FALSE(pair.server->write_app(as_bytes_view("x")).ok());
}

TEST_F(EngineTest, StateNamesAndApiMisuse) {
  auto pair = make_pair(x509_only({}));
  EXPECT_EQ(pair.client->state_name(), "ClientIdle");
  EXPECT_EQ(pair.server->state_name(), "ExpectClientHello");
  EXPECT_FALSE(pair.client->write_app(as_bytes_view("x")).ok());
  ASSERT_TRUE(pair.client->start().ok());
  EXPECT_EQ(pair.client->state_name(), "ExpectServerHello");
  EXPECT_FALSE(pair.client->start().ok());
  Rfc6091Config missing;
  EXPECT_FALSE(make_rfc6091_engine(std::move(missing)).ok());
}

}  // namespace
}  // namespace pgptls::tls
