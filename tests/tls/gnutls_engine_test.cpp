// The GnuTLS engine against itself in memory: TLS 1.3 and 1.2, Ed25519,
// ECDSA and RSA certificates made by certtool, client authentication modes,
// raw public keys, and the verifier's decisions.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "pins/errors.h"
#include "tests/support/engine_pump.h"
#include "tests/support/temp_dir.h"
#include "tests/tls/gnutls_test_pki.h"
#include "tls/gnutls/gnutls_context.h"
#include "tls/gnutls/gnutls_engine.h"
#include "tls/gnutls/x509_credentials.h"
#include "tls/wire/errors.h"

namespace pgptls::test {
namespace {

using tls::ClientAuth;
using tls::EngineStatus;
using tls::Role;
using tls::TlsVersion;

class GnutlsEngineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    for (const KeyKind kind : {KeyKind::ed25519, KeyKind::ecdsa, KeyKind::rsa}) {
      servers_[static_cast<int>(kind)] = make_identity(dir_->path(), "server.example", kind);
      ASSERT_FALSE(::testing::Test::HasFatalFailure());
    }
    client_ = make_identity(dir_->path(), "client.example", KeyKind::ed25519);
    stranger_ = make_identity(dir_->path(), "stranger.example", KeyKind::ed25519);
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  void SetUp() override {
    ASSERT_FALSE(client_.credential.chain.empty()) << "fixtures were not made";
    client_verifier_ = std::make_shared<SpkiVerifier>();
    server_verifier_ = std::make_shared<SpkiVerifier>();
  }

  static const Identity& server_id(KeyKind kind) { return servers_[static_cast<int>(kind)]; }

  std::unique_ptr<tls::Engine> make(tls::GnutlsEngineConfig config) {
    auto engine = tls::make_gnutls_engine(std::move(config));
    EXPECT_TRUE(engine.ok()) << engine.error().message();
    return engine.ok() ? std::move(engine).value() : nullptr;
  }

  static inline TempDir* dir_ = nullptr;
  static inline Identity servers_[3];
  static inline Identity client_;
  static inline Identity stranger_;
  std::shared_ptr<SpkiVerifier> client_verifier_;
  std::shared_ptr<SpkiVerifier> server_verifier_;
};

// --- every key type over both versions, mutual authentication -----------

struct HandshakeCase {
  KeyKind kind;
  TlsVersion version;
};

class GnutlsEngineMatrixTest : public GnutlsEngineTest,
                               public ::testing::WithParamInterface<HandshakeCase> {};

TEST_P(GnutlsEngineMatrixTest, MutualHandshakeVerifiesBothSides) {
  const auto [kind, version] = GetParam();
  client_verifier_->accepted = {server_id(kind).spki};
  server_verifier_->accepted = {client_.spki};
  auto client_config = engine_config(Role::client, &client_, client_verifier_, version);
  client_config.server_name = "server.example";
  client_config.expected_domain = "server.example";
  auto server_config = engine_config(Role::server, &server_id(kind), server_verifier_, version);
  server_config.client_auth = ClientAuth::require;
  auto client = make(std::move(client_config));
  auto server = make(std::move(server_config));
  ASSERT_TRUE(client && server);

  const auto result = pump_engines_in_memory(*client, *server);
  ASSERT_TRUE(result.both_established()) << result.describe(*client, *server);

  const char* protocol = version == TlsVersion::tls13 ? "TLS1.3" : "TLS1.2";
  EXPECT_EQ(client->session().protocol, protocol);
  EXPECT_EQ(server->session().protocol, protocol);
  EXPECT_EQ(client->session().cipher_suite, server->session().cipher_suite);
  EXPECT_NE(client->session().cipher_suite.find("GCM"), std::string::npos)
      << client->session().cipher_suite;
  // IANA names (RFC 8446 §B.4, RFC 5289).
  EXPECT_EQ(client->session().cipher_suite.rfind("TLS_", 0), 0U);
  if (version == TlsVersion::tls12) {
    EXPECT_NE(client->session().cipher_suite.find("_WITH_AES_"), std::string::npos)
        << client->session().cipher_suite;
  }
  EXPECT_EQ(client->session().group, "x25519");
  EXPECT_EQ(server->session().server_name, "server.example");

  // The client saw the server's certificate, with its expected domain.
  ASSERT_EQ(client_verifier_->calls, 1);
  ASSERT_EQ(client_verifier_->last.x509_chain.size(), 1U);
  EXPECT_EQ(client_verifier_->last.x509_chain[0], server_id(kind).credential.chain[0]);
  EXPECT_EQ(client_verifier_->last_request.expected_domain, "server.example");
  EXPECT_EQ(client_verifier_->last_request.local_role, Role::client);
  ASSERT_TRUE(client->session().peer.has_value());
  EXPECT_EQ(client->session().peer->domains, std::vector<std::string>{"server.example"});
  EXPECT_EQ(client->session().certificate_type, tls::CertificateType::x509);

  // The server saw the client's Ed25519 certificate (in TLS 1.2 too, which
  // needs the retrieve callback) and did not know whom to expect.
  ASSERT_EQ(server_verifier_->calls, 1);
  EXPECT_EQ(server_verifier_->last.x509_chain.at(0), client_.credential.chain[0]);
  EXPECT_FALSE(server_verifier_->last_request.expected_domain.has_value());
  EXPECT_EQ(server_verifier_->last_request.local_role, Role::server);
  ASSERT_TRUE(server->session().peer.has_value());
}

INSTANTIATE_TEST_SUITE_P(KeysAndVersions, GnutlsEngineMatrixTest,
                         ::testing::Values(HandshakeCase{KeyKind::ed25519, TlsVersion::tls13},
                                           HandshakeCase{KeyKind::ed25519, TlsVersion::tls12},
                                           HandshakeCase{KeyKind::ecdsa, TlsVersion::tls13},
                                           HandshakeCase{KeyKind::ecdsa, TlsVersion::tls12},
                                           HandshakeCase{KeyKind::rsa, TlsVersion::tls13},
                                           HandshakeCase{KeyKind::rsa, TlsVersion::tls12}),
                         [](const auto& info) {
                           return std::string(key_kind_name(info.param.kind)) +
                                  (info.param.version == TlsVersion::tls13 ? "_tls13" : "_tls12");
                         });

// --- client authentication modes ----------------------------------------

TEST_F(GnutlsEngineTest, RequestAcceptsAnAnonymousClient) {
  client_verifier_->accepted = {server_id(KeyKind::ed25519).spki};
  auto server_config = engine_config(Role::server, &server_id(KeyKind::ed25519), server_verifier_);
  server_config.client_auth = ClientAuth::request;
  auto client = make(engine_config(Role::client, nullptr, client_verifier_));
  auto server = make(std::move(server_config));
  const auto result = pump_engines_in_memory(*client, *server);
  ASSERT_TRUE(result.both_established()) << result.describe(*client, *server);
  EXPECT_EQ(server_verifier_->calls, 0);
  EXPECT_FALSE(server->session().peer.has_value());
  EXPECT_TRUE(client->session().peer.has_value());
}

TEST_F(GnutlsEngineTest, RequestVerifiesAClientThatSendsACertificate) {
  client_verifier_->accepted = {server_id(KeyKind::ecdsa).spki};
  server_verifier_->accepted = {client_.spki};
  auto server_config = engine_config(Role::server, &server_id(KeyKind::ecdsa), server_verifier_);
  server_config.client_auth = ClientAuth::request;
  auto client = make(engine_config(Role::client, &client_, client_verifier_));
  auto server = make(std::move(server_config));
  const auto result = pump_engines_in_memory(*client, *server);
  ASSERT_TRUE(result.both_established()) << result.describe(*client, *server);
  EXPECT_EQ(server_verifier_->calls, 1);
  EXPECT_TRUE(server->session().peer.has_value());
}

TEST_F(GnutlsEngineTest, RequireRejectsAnAnonymousClient) {
  for (const TlsVersion version : {TlsVersion::tls13, TlsVersion::tls12}) {
    client_verifier_->accepted = {server_id(KeyKind::ed25519).spki};
    auto server_config =
        engine_config(Role::server, &server_id(KeyKind::ed25519), server_verifier_, version);
    server_config.client_auth = ClientAuth::require;
    auto client = make(engine_config(Role::client, nullptr, client_verifier_, version));
    auto server = make(std::move(server_config));
    const auto result = pump_engines_in_memory(*client, *server);
    ASSERT_TRUE(result.server_failed) << result.describe(*client, *server);
    EXPECT_EQ(server->status(), EngineStatus::failed);
    EXPECT_EQ(server->failure()->code, tls::Errc::handshake_failure);
    EXPECT_NE(server->failure()->message().find("sent no certificate but one is required"),
              std::string::npos)
        << server->failure()->message();
    // The client learns of it through the alert.
    ASSERT_TRUE(result.client_failed) << result.describe(*client, *server);
    EXPECT_EQ(client->failure()->code, tls::Errc::alert_received);
  }
}

TEST_F(GnutlsEngineTest, NoneNeverAsksTheClientAndNeedsNoVerifier) {
  client_verifier_->accepted = {server_id(KeyKind::ed25519).spki};
  auto client = make(engine_config(Role::client, &client_, client_verifier_));
  auto server = make(engine_config(Role::server, &server_id(KeyKind::ed25519), nullptr));
  const auto result = pump_engines_in_memory(*client, *server);
  ASSERT_TRUE(result.both_established()) << result.describe(*client, *server);
  EXPECT_FALSE(server->session().peer.has_value());
}

// --- the verifier decides ------------------------------------------------

TEST_F(GnutlsEngineTest, ClientVerifierRejectionFailsWithItsMessageAndAlertsTheServer) {
  for (const TlsVersion version : {TlsVersion::tls13, TlsVersion::tls12}) {
    client_verifier_->accepted = {};  // the server's key is not pinned
    client_verifier_->reject_message =
        "x509 key for server.example matches no pin; add it with 'pgptls pin add'";
    auto client = make(engine_config(Role::client, nullptr, client_verifier_, version));
    auto server = make(engine_config(Role::server, &server_id(KeyKind::ed25519), nullptr, version));
    const auto result = pump_engines_in_memory(*client, *server);
    ASSERT_TRUE(result.client_failed) << result.describe(*client, *server);
    EXPECT_EQ(client->failure()->code, tls::Errc::peer_rejected);
    EXPECT_EQ(client->failure()->message(),
              "x509 key for server.example matches no pin; add it with 'pgptls pin add': the "
              "peer's certificate is not acceptable");
    ASSERT_TRUE(result.server_failed) << result.describe(*client, *server);
    EXPECT_EQ(server->failure()->code, tls::Errc::alert_received);
    EXPECT_NE(server->failure()->message().find("certificate_unknown"), std::string::npos)
        << server->failure()->message();
    // A failed engine stays failed.
    EXPECT_FALSE(client->feed(as_bytes_view("more")).ok());
    EXPECT_EQ(client->status(), EngineStatus::failed);
  }
}

// StoreFailingVerifier: a verifier whose pin store cannot be read (an
// error of the keyring's category, not the tls one).
class StoreFailingVerifier final : public tls::PeerVerifier {
 public:
  Result<tls::VerifiedPeer> verify(const tls::PresentedCertificate&,
                                   const tls::VerifyRequest&) override {
    return make_error(pins::PinErrc::storage_error, "pin database is locked");
  }
};

// Both engines turn a verifier's failure of another library into
// peer_rejected, so the peer gets certificate_unknown from either
// (tls::verifier_refusal), never internal_error.
TEST_F(GnutlsEngineTest, AVerifierStoreFailureIsCertificateUnknownAsFromTheRfc6091Engine) {
  auto client =
      make(engine_config(Role::client, nullptr, std::make_shared<StoreFailingVerifier>()));
  auto server = make(engine_config(Role::server, &server_id(KeyKind::ed25519), nullptr));
  const auto result = pump_engines_in_memory(*client, *server);
  ASSERT_TRUE(result.client_failed) << result.describe(*client, *server);
  EXPECT_EQ(client->failure()->code, tls::Errc::peer_rejected);
  EXPECT_NE(client->failure()->message().find("pin database is locked"), std::string::npos);
  ASSERT_TRUE(result.server_failed) << result.describe(*client, *server);
  EXPECT_NE(server->failure()->message().find("certificate_unknown"), std::string::npos)
      << server->failure()->message();
  EXPECT_EQ(tls::alert_for(
                tls::verifier_refusal(make_error(pins::PinErrc::storage_error, "locked")).code),
            tls::AlertDescription::certificate_unknown);
}

// One context (priority cache, credentials, our chain) serves many
// sessions; each handshake is complete and verified.
TEST_F(GnutlsEngineTest, OneContextServesManySessions) {
  client_verifier_->accepted = {server_id(KeyKind::ed25519).spki};
  auto context =
      tls::make_gnutls_context(engine_config(Role::server, &server_id(KeyKind::ed25519), nullptr));
  ASSERT_TRUE(context.ok()) << context.error().message();
  for (int i = 0; i < 3; ++i) {
    auto server_config = engine_config(Role::server, nullptr, nullptr);
    server_config.context = *context;  // the context's credential and role win
    auto server = make(std::move(server_config));
    auto client = make(engine_config(Role::client, nullptr, client_verifier_));
    const auto result = pump_engines_in_memory(*client, *server);
    ASSERT_TRUE(result.client_established && result.server_established)
        << result.describe(*client, *server);
  }
  EXPECT_EQ(client_verifier_->calls, 3);
  const auto none = tls::make_gnutls_context(engine_config(Role::server, nullptr, nullptr));
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, tls::Errc::invalid_state);
  EXPECT_NE(none.error().message().find("a server needs an X.509 or raw public key credential"),
            std::string::npos);
}

TEST_F(GnutlsEngineTest, ServerVerifierRejectionOfTheClient) {
  client_verifier_->accepted = {server_id(KeyKind::ed25519).spki};
  server_verifier_->accepted = {client_.spki};
  server_verifier_->reject_message = "client key not certified";
  auto server_config = engine_config(Role::server, &server_id(KeyKind::ed25519), server_verifier_);
  server_config.client_auth = ClientAuth::require;
  auto client = make(engine_config(Role::client, &stranger_, client_verifier_));
  auto server = make(std::move(server_config));
  const auto result = pump_engines_in_memory(*client, *server);
  ASSERT_TRUE(result.server_failed) << result.describe(*client, *server);
  EXPECT_EQ(server->failure()->code, tls::Errc::peer_rejected);
  EXPECT_NE(server->failure()->message().find("client key not certified"), std::string::npos);
  EXPECT_FALSE(result.server_established);
}

TEST_F(GnutlsEngineTest, VerifierKeyMustBeThePresentedKey) {
  client_verifier_->accepted = {server_id(KeyKind::ed25519).spki};
  client_verifier_->substitute_key = stranger_.spki;
  auto client = make(engine_config(Role::client, nullptr, client_verifier_));
  auto server = make(engine_config(Role::server, &server_id(KeyKind::ed25519), nullptr));
  const auto result = pump_engines_in_memory(*client, *server);
  ASSERT_TRUE(result.client_failed) << result.describe(*client, *server);
  EXPECT_EQ(client->failure()->code, tls::Errc::bad_certificate);
  EXPECT_NE(client->failure()->message().find("holds a different key than the one the verifier "
                                              "accepted (test pin)"),
            std::string::npos)
      << client->failure()->message();
}

// --- raw public keys (RFC 7250) -----------------------------------------

TEST_F(GnutlsEngineTest, RawPublicKeysBothWays) {
  for (const TlsVersion version : {TlsVersion::tls13, TlsVersion::tls12}) {
    client_verifier_->accepted = {server_id(KeyKind::ecdsa).spki};
    server_verifier_->accepted = {client_.spki};
    tls::GnutlsEngineConfig client_config;
    client_config.role = Role::client;
    client_config.max_version = version;
    client_config.credentials.raw_public_key = client_.raw_key;
    client_config.certificate_types = {tls::CertificateType::raw_public_key};
    client_config.verifier = client_verifier_;
    tls::GnutlsEngineConfig server_config = client_config;
    server_config.role = Role::server;
    server_config.credentials.raw_public_key = server_id(KeyKind::ecdsa).raw_key;
    server_config.client_auth = ClientAuth::require;
    server_config.verifier = server_verifier_;
    auto client = make(std::move(client_config));
    auto server = make(std::move(server_config));
    const auto result = pump_engines_in_memory(*client, *server);
    ASSERT_TRUE(result.both_established()) << result.describe(*client, *server);
    EXPECT_EQ(client->session().certificate_type, tls::CertificateType::raw_public_key);
    EXPECT_EQ(server->session().certificate_type, tls::CertificateType::raw_public_key);
    EXPECT_EQ(client_verifier_->last.type, tls::CertificateType::raw_public_key);
    EXPECT_EQ(client_verifier_->last.raw_public_key, server_id(KeyKind::ecdsa).spki);
    EXPECT_EQ(server_verifier_->last.raw_public_key, client_.spki);
  }
}

TEST_F(GnutlsEngineTest, RawPublicKeyPreferredOverX509WhenBothOffered) {
  client_verifier_->accepted = {server_id(KeyKind::ed25519).spki};
  auto client_config = engine_config(Role::client, nullptr, client_verifier_);
  client_config.certificate_types = {tls::CertificateType::raw_public_key,
                                     tls::CertificateType::x509};
  auto server_config = engine_config(Role::server, &server_id(KeyKind::ed25519), nullptr);
  server_config.credentials.raw_public_key = server_id(KeyKind::ed25519).raw_key;
  server_config.certificate_types = client_config.certificate_types;
  auto client = make(std::move(client_config));
  auto server = make(std::move(server_config));
  const auto result = pump_engines_in_memory(*client, *server);
  ASSERT_TRUE(result.both_established()) << result.describe(*client, *server);
  EXPECT_EQ(client_verifier_->last.type, tls::CertificateType::raw_public_key);
}

TEST_F(GnutlsEngineTest, RawKeyOnlyClientAgainstX509OnlyServerFails) {
  auto client_config = engine_config(Role::client, nullptr, client_verifier_);
  client_config.certificate_types = {tls::CertificateType::raw_public_key};
  auto client = make(std::move(client_config));
  auto server = make(engine_config(Role::server, &server_id(KeyKind::ed25519), nullptr));
  const auto result = pump_engines_in_memory(*client, *server);
  EXPECT_FALSE(result.server_established);
  // The server does not do raw keys and answers with X.509, which the
  // client refuses before asking its verifier.
  ASSERT_TRUE(result.client_failed) << result.describe(*client, *server);
  EXPECT_EQ(client->failure()->code, tls::Errc::unsupported_certificate);
  EXPECT_NE(client->failure()->message().find("certificate of type x509, which this connection "
                                              "does not accept"),
            std::string::npos)
      << client->failure()->message();
  EXPECT_EQ(client_verifier_->calls, 0);
}

// --- data, close, ALPN, partial input ----------------------------------

TEST_F(GnutlsEngineTest, ApplicationDataAndCloseNotify) {
  client_verifier_->accepted = {server_id(KeyKind::ed25519).spki};
  auto client = make(engine_config(Role::client, nullptr, client_verifier_));
  auto server = make(engine_config(Role::server, &server_id(KeyKind::ed25519), nullptr));
  ASSERT_TRUE(pump_engines_in_memory(*client, *server).both_established());

  // More than one record's worth, to cross the 2^14 record boundary.
  const std::string big(40000, 'x');
  const auto written = client->write_app(as_bytes_view(big));
  ASSERT_TRUE(written.ok());
  EXPECT_EQ(*written, big.size());
  transfer(*client, *server);
  std::string received(big.size() + 10, '\0');
  const auto count = server->read_app(
      std::span(reinterpret_cast<std::uint8_t*>(received.data()), received.size()));
  ASSERT_TRUE(count.ok());
  received.resize(*count);
  EXPECT_EQ(received, big);

  ASSERT_TRUE(server->write_app(as_bytes_view("<stream:features/>")).ok());
  transfer(*server, *client);
  std::array<std::uint8_t, 64> buffer{};
  const auto got = client->read_app(buffer);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(buffer.data()), *got), "<stream:features/>");

  ASSERT_TRUE(client->close().ok());
  EXPECT_EQ(client->status(), EngineStatus::has_output);
  transfer(*client, *server);
  // Half-closed: the client still reads until the server's close_notify.
  EXPECT_EQ(client->status(), EngineStatus::established);
  // TLS 1.3 (RFC 8446 §6.1): the server's write side stays open until it
  // closes it; then its close_notify goes out.
  EXPECT_EQ(server->status(), EngineStatus::closed);
  ASSERT_TRUE(server->close().ok());
  EXPECT_EQ(server->status(), EngineStatus::has_output);
  transfer(*server, *client);
  EXPECT_EQ(server->status(), EngineStatus::closed);
  EXPECT_EQ(client->status(), EngineStatus::closed);
  EXPECT_FALSE(client->write_app(as_bytes_view("late")).ok());
}

TEST_F(GnutlsEngineTest, HandshakeFedOneByteAtATime) {
  client_verifier_->accepted = {server_id(KeyKind::rsa).spki};
  auto client = make(engine_config(Role::client, nullptr, client_verifier_));
  auto server = make(engine_config(Role::server, &server_id(KeyKind::rsa), nullptr));
  ASSERT_TRUE(client->start().ok());
  ASSERT_TRUE(server->start().ok());
  for (int round = 0; round < 16; ++round) {
    for (const auto& pair :
         {std::pair{client.get(), server.get()}, std::pair{server.get(), client.get()}}) {
      while (!pair.first->pending_output().empty()) {
        const std::uint8_t byte = pair.first->pending_output()[0];
        pair.first->consume_output(1);
        ASSERT_TRUE(pair.second->feed(ByteView(&byte, 1)).ok())
            << pair.second->failure()->message();
      }
    }
  }
  EXPECT_EQ(client->status(), EngineStatus::established);
  EXPECT_EQ(server->status(), EngineStatus::established);
}

TEST_F(GnutlsEngineTest, AlpnIsNegotiatedOrTheHandshakeFails) {
  client_verifier_->accepted = {server_id(KeyKind::ed25519).spki};
  auto client_config = engine_config(Role::client, nullptr, client_verifier_);
  client_config.alpn = {"xmpp-server"};
  auto server_config = engine_config(Role::server, &server_id(KeyKind::ed25519), nullptr);
  server_config.alpn = {"xmpp-client", "xmpp-server"};
  auto client = make(client_config);
  auto server = make(server_config);
  auto result = pump_engines_in_memory(*client, *server);
  ASSERT_TRUE(result.both_established()) << result.describe(*client, *server);
  EXPECT_EQ(client->session().alpn, "xmpp-server");
  EXPECT_EQ(server->session().alpn, "xmpp-server");

  client_config.alpn = {"h2"};
  client = make(client_config);
  server = make(server_config);
  result = pump_engines_in_memory(*client, *server);
  ASSERT_TRUE(result.server_failed) << result.describe(*client, *server);
  EXPECT_EQ(server->failure()->code, tls::Errc::no_application_protocol);
  EXPECT_NE(server->failure()->message().find("ALPN"), std::string::npos);
}

TEST_F(GnutlsEngineTest, TlsVersionMismatchFails) {
  auto client_config = engine_config(Role::client, nullptr, client_verifier_);
  client_config.min_version = TlsVersion::tls13;
  auto server_config =
      engine_config(Role::server, &server_id(KeyKind::ed25519), nullptr, TlsVersion::tls12);
  auto client = make(client_config);
  auto server = make(server_config);
  const auto result = pump_engines_in_memory(*client, *server);
  EXPECT_FALSE(result.client_established || result.server_established);
  ASSERT_TRUE(result.server_failed) << result.describe(*client, *server);
  // GnuTLS reports a version mismatch as "no cipher suites".
  EXPECT_EQ(server->failure()->code, tls::Errc::handshake_failure);
  EXPECT_NE(server->failure()->message().find("TLS versions"), std::string::npos)
      << server->failure()->message();
}

// --- API misuse and configuration -----------------------------------------

TEST_F(GnutlsEngineTest, ConfigurationErrorsAreNamed) {
  auto no_verifier = tls::make_gnutls_engine(engine_config(Role::client, nullptr, nullptr));
  ASSERT_FALSE(no_verifier.ok());
  EXPECT_EQ(no_verifier.error().code, tls::Errc::invalid_state);
  EXPECT_NE(no_verifier.error().message().find("no peer verifier"), std::string::npos);

  auto no_credential = tls::make_gnutls_engine(engine_config(Role::server, nullptr, nullptr));
  ASSERT_FALSE(no_credential.ok());
  EXPECT_NE(no_credential.error().message().find("a server needs"), std::string::npos);

  auto openpgp_only = engine_config(Role::client, nullptr, client_verifier_);
  openpgp_only.certificate_types = {tls::CertificateType::openpgp};
  auto openpgp = tls::make_gnutls_engine(std::move(openpgp_only));
  ASSERT_FALSE(openpgp.ok());
  EXPECT_NE(openpgp.error().message().find("RFC 6091 engine"), std::string::npos);

  auto inverted = engine_config(Role::client, nullptr, client_verifier_, TlsVersion::tls12);
  inverted.min_version = TlsVersion::tls13;
  EXPECT_FALSE(tls::make_gnutls_engine(std::move(inverted)).ok());
}

TEST_F(GnutlsEngineTest, ApiCallsInTheWrongStateFail) {
  auto client = make(engine_config(Role::client, nullptr, client_verifier_));
  EXPECT_EQ(client->state_name(), "Created");
  EXPECT_EQ(client->feed(as_bytes_view("x")).error().code, tls::Errc::invalid_state);
  EXPECT_EQ(client->write_app(as_bytes_view("x")).error().code, tls::Errc::invalid_state);
  EXPECT_EQ(client->close().error().code, tls::Errc::invalid_state);
  ASSERT_TRUE(client->start().ok());
  EXPECT_EQ(client->status(), EngineStatus::has_output);
  EXPECT_EQ(client->state_name(), "Handshake");
  EXPECT_EQ(client->start().error().code, tls::Errc::invalid_state);
}

TEST_F(GnutlsEngineTest, GarbageFromThePeerFailsTheServer) {
  auto server = make(engine_config(Role::server, &server_id(KeyKind::ed25519), nullptr));
  ASSERT_TRUE(server->start().ok());
  const auto status = server->feed(as_bytes_view("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(server->status(), EngineStatus::has_output);  // the alert
  server->consume_output(server->pending_output().size());
  EXPECT_EQ(server->status(), EngineStatus::failed);
  EXPECT_EQ(server->state_name(), "Failed");
}

// --- credential loading -------------------------------------------------

TEST_F(GnutlsEngineTest, CredentialLoadingRejectsMismatchesAndGarbage) {
  auto mismatch = tls::load_x509_credential_files(client_.cert_file, stranger_.key_file);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(mismatch.error().code, tls::Errc::bad_credential);
  EXPECT_NE(mismatch.error().message().find("does not belong to the first certificate"),
            std::string::npos)
      << mismatch.error().message();

  const auto garbage =
      tls::load_x509_credential(as_bytes_view("not a certificate"), as_bytes_view("not a key"));
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.error().code, tls::Errc::bad_credential);
  EXPECT_NE(garbage.error().message().find("chain does not load"), std::string::npos);

  const auto bad_key = tls::load_private_key(as_bytes_view("-----BEGIN PRIVATE KEY-----\nAA\n"));
  ASSERT_FALSE(bad_key.ok());
  EXPECT_NE(bad_key.error().message().find("private key does not load"), std::string::npos);

  const auto missing = tls::load_x509_credential_files(dir_->file("absent.crt"), client_.key_file);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message().find("absent.crt"), std::string::npos);
}

TEST_F(GnutlsEngineTest, CredentialLoadsFromDer) {
  const auto der =
      tls::load_x509_credential(client_.credential.chain[0], as_bytes_view(std::string()));
  ASSERT_FALSE(der.ok());  // no key
  const auto chain = tls::load_x509_chain(client_.credential.chain[0]);
  ASSERT_TRUE(chain.ok()) << chain.error().message();
  EXPECT_EQ(chain->size(), 1U);
  EXPECT_EQ(chain->front(), client_.credential.chain[0]);
}

}  // namespace
}  // namespace pgptls::test
