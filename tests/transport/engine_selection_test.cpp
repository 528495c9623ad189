// engine_selection_test.cpp: transport::make_server_engine_factory and
// make_client_engine_factory over real loopback handshakes. One listening
// Server with OpenPGP (gpg-made) and X.509 (certtool-made) credentials
// serves an RFC 6091 OpenPGP client, a TLS 1.3 X.509 client and a TLS 1.2
// X.509 client one after the other; an X.509-only server sends an
// OpenPGP-offering client to GnuTLS; the client modes openpgp, x509 and auto
// (over the real keyring and pin store sources) and parse_client_mode.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "base/errors.h"
#include "pins/pin_store.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/tls/engine_openpgp.h"
#include "tests/tls/gnutls_test_pki.h"
#include "tests/transport/loopback_handshake.h"
#include "tls/gnutls/gnutls_context.h"
#include "tls/wire/errors.h"
#include "transport/engine_selection.h"
#include "transport/errors.h"

namespace pgptls::test {
namespace {

using tls::CertificateType;
using transport::ClientMode;

// EitherVerifier: trusts the test's OpenPGP keys by fingerprint and its
// X.509 keys by SubjectPublicKeyInfo (standing in for the production
// verifier, which the decision matrix test uses).
class EitherVerifier final : public tls::PeerVerifier {
 public:
  EitherVerifier() { spki->reject_message = "x509 key matches no test pin"; }
  Result<tls::VerifiedPeer> verify(const tls::PresentedCertificate& certificate,
                                   const tls::VerifyRequest& request) override {
    if (certificate.type == CertificateType::openpgp) {
      return openpgp.verify(certificate, request);
    }
    return spki->verify(certificate, request);
  }
  tls::test::OpenPgpTrustVerifier openpgp;
  std::shared_ptr<SpkiVerifier> spki = std::make_shared<SpkiVerifier>();
};

// CertifiedDomain: an OpenPgpTrust that certifies a fixed domain, for auto
// mode (the decision matrix test uses the real KeyringOpenPgpTrust).
class CertifiedDomain final : public tls::OpenPgpTrust {
 public:
  explicit CertifiedDomain(std::string domain) : domain_(std::move(domain)) {}
  Result<tls::VerifiedPeer> verify(const tls::PresentedCertificate& /*certificate*/,
                                   const std::optional<std::string>& /*domain*/) override {
    return make_error(tls::Errc::peer_rejected, "not used");
  }
  Result<bool> domain_is_certified(std::string_view domain) override { return domain == domain_; }
  Result<std::vector<std::string>> domains_for_authentication_key(ByteView /*spki*/) override {
    return std::vector<std::string>{};
  }

 private:
  std::string domain_;
};

class EngineSelectionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    gpg_home_ = new TempDir();
    x509_dir_ = new TempDir();
    server_pgp_ = new tls::test::OpenPgpIdentity(
        tls::test::make_openpgp_identity(*gpg_home_, tls::test::OpenPgpKind::ed25519, "a.example"));
    client_pgp_ = new tls::test::OpenPgpIdentity(
        tls::test::make_openpgp_identity(*gpg_home_, tls::test::OpenPgpKind::ed25519, "b.example"));
    server_x509_ = new Identity(make_identity(x509_dir_->path(), "a.example", KeyKind::ed25519));
    ASSERT_FALSE(::testing::Test::HasFatalFailure());
    client_x509_ = new Identity(make_identity(x509_dir_->path(), "b.example", KeyKind::ed25519));
  }
  static void TearDownTestSuite() {
    delete client_x509_;
    delete server_x509_;
    delete client_pgp_;
    delete server_pgp_;
    delete x509_dir_;
    if (gpg_home_ != nullptr) {
      // gpg started an agent for this home; stop it before the folder goes.
      (void)run_tool({"gpgconf", "--homedir", gpg_home_->path().string(), "--kill", "all"});
    }
    delete gpg_home_;
  }

  void SetUp() override {
    ASSERT_NE(client_x509_, nullptr);
    ASSERT_FALSE(client_x509_->credential.chain.empty()) << "fixtures were not made";
    server_verifier_->openpgp.trust(*client_pgp_);
    server_verifier_->spki->accepted = {client_x509_->spki};
    client_verifier_->openpgp.trust(*server_pgp_);
    client_verifier_->spki->accepted = {server_x509_->spki};
  }

  // settings: both kinds of credential unless told otherwise.
  std::shared_ptr<transport::EngineSettings> settings(bool server, bool openpgp = true,
                                                      bool x509 = true) {
    auto result = std::make_shared<transport::EngineSettings>();
    if (openpgp) {
      result->credentials.openpgp = (server ? server_pgp_ : client_pgp_)->credential();
    }
    if (x509) {
      result->credentials.x509 = (server ? server_x509_ : client_x509_)->credential;
    }
    result->verifier = server ? server_verifier_ : client_verifier_;
    result->client_auth = tls::ClientAuth::require;
    return result;
  }

  static inline TempDir* gpg_home_ = nullptr;
  static inline TempDir* x509_dir_ = nullptr;
  static inline tls::test::OpenPgpIdentity* server_pgp_ = nullptr;
  static inline tls::test::OpenPgpIdentity* client_pgp_ = nullptr;
  static inline Identity* server_x509_ = nullptr;
  static inline Identity* client_x509_ = nullptr;
  std::shared_ptr<EitherVerifier> server_verifier_ = std::make_shared<EitherVerifier>();
  std::shared_ptr<EitherVerifier> client_verifier_ = std::make_shared<EitherVerifier>();
};

TEST_F(EngineSelectionTest, OneServerServesOpenPgpAndX509ClientsOneAfterTheOther) {
  LoopbackServer server(transport::make_server_engine_factory(settings(true)));

  // An RFC 6091 client offering OpenPGP then X.509: OpenPGP both ways.
  const auto openpgp = server.connect(
      transport::make_client_engine_factory(settings(false), ClientMode::openpgp), "a.example");
  ASSERT_TRUE(openpgp.client.ok) << openpgp.client.error;
  ASSERT_TRUE(openpgp.server.ok) << openpgp.server.error;
  EXPECT_EQ(openpgp.client.session.protocol, "TLS1.2");
  EXPECT_EQ(openpgp.client.session.certificate_type, CertificateType::openpgp);
  EXPECT_EQ(openpgp.server.session.certificate_type, CertificateType::openpgp);
  ASSERT_TRUE(openpgp.server.session.peer);
  EXPECT_EQ(openpgp.server.session.peer->type, CertificateType::openpgp);
  EXPECT_EQ(openpgp.server.session.peer->domains, std::vector<std::string>{"b.example"});
  EXPECT_EQ(openpgp.client.session.server_name, "a.example");

  // A GnuTLS client with X.509, TLS 1.3, on the same listening socket.
  const auto tls13 = server.connect(
      transport::make_client_engine_factory(settings(false), ClientMode::x509), "a.example");
  ASSERT_TRUE(tls13.client.ok) << tls13.client.error;
  ASSERT_TRUE(tls13.server.ok) << tls13.server.error;
  EXPECT_EQ(tls13.client.session.protocol, "TLS1.3");
  EXPECT_EQ(tls13.server.session.protocol, "TLS1.3");
  EXPECT_EQ(tls13.server.session.certificate_type, CertificateType::x509);
  ASSERT_TRUE(tls13.server.session.peer);
  EXPECT_EQ(tls13.server.session.peer->type, CertificateType::x509);

  // And a TLS 1.2 X.509 client (GnuTLS capped at 1.2): the hello has no
  // cert_type, so the GnuTLS engine serves it too.
  auto tls12_settings = settings(false);
  tls12_settings->gnutls_max_version = tls::TlsVersion::tls12;
  const auto tls12 = server.connect(
      transport::make_client_engine_factory(tls12_settings, ClientMode::x509), "a.example");
  ASSERT_TRUE(tls12.client.ok) << tls12.client.error;
  ASSERT_TRUE(tls12.server.ok) << tls12.server.error;
  EXPECT_EQ(tls12.server.session.protocol, "TLS1.2");
  EXPECT_EQ(tls12.server.session.certificate_type, CertificateType::x509);
  // Each side's verifier saw the other's X.509 key (the server twice).
  EXPECT_EQ(server_verifier_->spki->calls, 2);
}

TEST_F(EngineSelectionTest, RfcClientWithOnlyX509IsServedOverTls12X509) {
  // The RFC 6091 engine without an OpenPGP credential offers only X.509
  // (no cert_type extension): the dispatcher sends it to GnuTLS.
  LoopbackServer server(transport::make_server_engine_factory(settings(true)));
  const auto outcome = server.connect(
      transport::make_client_engine_factory(settings(false, false, true), ClientMode::openpgp),
      "a.example");
  ASSERT_TRUE(outcome.client.ok) << outcome.client.error;
  ASSERT_TRUE(outcome.server.ok) << outcome.server.error;
  EXPECT_EQ(outcome.server.session.protocol, "TLS1.2");
  EXPECT_EQ(outcome.client.session.certificate_type, CertificateType::x509);
}

TEST_F(EngineSelectionTest, X509OnlyServerSendsOpenPgpOfferingClientToGnutls) {
  LoopbackServer server(transport::make_server_engine_factory(settings(true, false, true)));
  const auto outcome = server.connect(
      transport::make_client_engine_factory(settings(false), ClientMode::openpgp), "a.example");
  ASSERT_TRUE(outcome.client.ok) << outcome.client.error;
  ASSERT_TRUE(outcome.server.ok) << outcome.server.error;
  // GnuTLS 3.7 ignores the RFC 6091 cert_type extension: X.509 over TLS 1.2.
  EXPECT_EQ(outcome.client.session.protocol, "TLS1.2");
  EXPECT_EQ(outcome.client.session.certificate_type, CertificateType::x509);
  EXPECT_EQ(outcome.server.session.certificate_type, CertificateType::x509);
  ASSERT_TRUE(outcome.client.session.peer);
  EXPECT_EQ(outcome.client.session.peer->type, CertificateType::x509);
}

// refusal: the error of a refusal engine, after checking that its output is
// one plaintext fatal alert record carrying `alert` (RFC 5246 §7.2.2).
Error refusal(Result<std::unique_ptr<tls::Engine>> engine, tls::AlertDescription alert) {
  EXPECT_TRUE(engine.ok()) << engine.error().message();
  if (!engine.ok()) {
    return engine.error();
  }
  EXPECT_TRUE((*engine)->start().ok());
  EXPECT_EQ((*engine)->status(), tls::EngineStatus::has_output);
  const Bytes output = to_bytes((*engine)->pending_output());
  EXPECT_EQ(output, (Bytes{21, 3, 3, 0, 2, 2, static_cast<std::uint8_t>(alert)}));
  (*engine)->consume_output(output.size());
  EXPECT_EQ((*engine)->status(), tls::EngineStatus::failed);
  EXPECT_TRUE((*engine)->failure().has_value());
  return (*engine)->failure() ? *(*engine)->failure() : make_error(tls::Errc::internal_error, "");
}

TEST_F(EngineSelectionTest, NotAClientHelloIsRejectedByThePeek) {
  // A first record that is application data, not a ClientHello.
  auto factory = transport::make_server_engine_factory(settings(true));
  const Bytes junk = {0x17, 0x03, 0x03, 0x00, 0x01, 0x00};  // application_data first
  transport::HandshakeOptions options;
  const Error error = refusal(factory(transport::EngineRequest{tls::Role::server, options, junk}),
                              tls::AlertDescription::unexpected_message);
  EXPECT_EQ(error.code, tls::Errc::unexpected_message);
}

TEST_F(EngineSelectionTest, ServerFactoryAsksForMoreBytesUntilTheHelloIsComplete) {
  auto factory = transport::make_server_engine_factory(settings(true));
  transport::HandshakeOptions options;
  const Bytes partial = {0x16, 0x03, 0x01, 0x00, 0x40, 0x01};  // a hello's first byte
  const auto engine = factory(transport::EngineRequest{tls::Role::server, options, partial});
  ASSERT_FALSE(engine.ok());
  EXPECT_EQ(engine.error().code, transport::Errc::need_more_input);
  // A client engine from a server factory is a programming error.
  const auto client = factory(transport::EngineRequest{tls::Role::client, options, {}});
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.error().code, tls::Errc::invalid_state);
}

// client_hello_in_one_byte_records: the ClientHello our RFC 6091 client
// sends, re-framed as one handshake byte per record (RFC 5246 §6.2.1 lets
// a handshake message span records).
Bytes client_hello_in_one_byte_records(const transport::EngineFactory& client) {
  const auto options = transport::HandshakeOptions::for_peer("a.example");
  auto engine = client(transport::EngineRequest{tls::Role::client, options, {}});
  EXPECT_TRUE(engine.ok());
  if (!engine.ok() || !(*engine)->start().ok()) {
    return {};
  }
  const ByteView flight = (*engine)->pending_output();
  EXPECT_GT(flight.size(), 5U);
  EXPECT_EQ(flight[0], 0x16);
  Bytes records;
  for (const std::uint8_t byte : flight.subspan(5)) {
    records.insert(records.end(), {0x16, flight[1], flight[2], 0x00, 0x01, byte});
  }
  return records;
}

TEST_F(EngineSelectionTest, ServerFactoryFollowsAHelloSplitIntoOneByteRecords) {
  const Bytes records = client_hello_in_one_byte_records(
      transport::make_client_engine_factory(settings(false), ClientMode::openpgp));
  ASSERT_FALSE(records.empty());
  transport::HandshakeOptions options;
  for (const bool openpgp_server : {true, false}) {
    // As the stream does: the bytes so far, one more each call.
    auto factory = transport::make_server_engine_factory(settings(true, openpgp_server, true));
    for (std::size_t size = 1; size < records.size(); ++size) {
      const auto engine = factory(
          transport::EngineRequest{tls::Role::server, options, ByteView(records).first(size)});
      ASSERT_FALSE(engine.ok()) << "an engine before the hello was complete, at " << size;
      ASSERT_EQ(engine.error().code, transport::Errc::need_more_input) << engine.error().message();
    }
    auto engine = factory(transport::EngineRequest{tls::Role::server, options, records});
    ASSERT_TRUE(engine.ok()) << engine.error().message();
    // The engine that was chosen takes the same bytes and answers them.
    ASSERT_TRUE((*engine)->start().ok());
    const Status fed = (*engine)->feed(records);
    ASSERT_TRUE(fed.ok()) << fed.error().message();
    const ByteView reply = (*engine)->pending_output();
    ASSERT_GT(reply.size(), 5U);
    EXPECT_EQ(reply[0], 0x16);
    // Which engine it is shows in its state names: GnuTLS reports one
    // "Handshake" phase, the RFC 6091 engine its RFC 5246 §7.3 states.
    if (openpgp_server) {
      EXPECT_NE((*engine)->state_name(), "Handshake");
    } else {
      EXPECT_EQ((*engine)->state_name(), "Handshake");
    }
  }
}

TEST_F(EngineSelectionTest, OpenPgpSwitchedOffByPolicyGoesToGnutls) {
  const Bytes records = client_hello_in_one_byte_records(
      transport::make_client_engine_factory(settings(false), ClientMode::openpgp));
  ASSERT_FALSE(records.empty());
  auto server_settings = settings(true);
  server_settings->openpgp_policy.certificate_types = {CertificateType::x509};
  auto factory = transport::make_server_engine_factory(server_settings);
  transport::HandshakeOptions options;
  auto engine = factory(transport::EngineRequest{tls::Role::server, options, records});
  ASSERT_TRUE(engine.ok()) << engine.error().message();
  ASSERT_TRUE((*engine)->start().ok());
  ASSERT_TRUE((*engine)->feed(records).ok());
  EXPECT_EQ((*engine)->state_name(), "Handshake");  // GnuTLS's one handshake phase
}

TEST_F(EngineSelectionTest, ServerFactoryRestartsOnBytesOfAnotherConnection) {
  // One factory object called with bytes that do not continue the previous
  // call's (it should be copied per stream; this keeps a shared one safe).
  const Bytes records = client_hello_in_one_byte_records(
      transport::make_client_engine_factory(settings(false), ClientMode::openpgp));
  ASSERT_FALSE(records.empty());
  auto factory = transport::make_server_engine_factory(settings(true));
  transport::HandshakeOptions options;
  const Bytes other = {0x16, 0x03, 0x01, 0x00, 0x01, 0x01, 0x16};
  ASSERT_EQ(factory(transport::EngineRequest{tls::Role::server, options, other}).error().code,
            transport::Errc::need_more_input);
  auto engine = factory(transport::EngineRequest{tls::Role::server, options, records});
  ASSERT_TRUE(engine.ok()) << engine.error().message();
}

TEST_F(EngineSelectionTest, TrickledClientHelloIsDroppedAtThePeekDeadline) {
  auto server_settings = settings(true);
  server_settings->peek_limits.timeout = std::chrono::milliseconds(300);
  // The peek's deadline is read on the injected clock as bytes arrive.
  auto clock = std::make_shared<base::FixedClock>(base::TimePoint(std::chrono::seconds(1000)));
  server_settings->clock = clock;
  LoopbackServer server(transport::make_server_engine_factory(server_settings));
  // The start of a ClientHello record, one byte every 150 ms: the third
  // byte comes at the deadline, the rest are never read.
  std::vector<Bytes> chunks;
  for (const std::uint8_t byte : {0x16, 0x03, 0x01, 0x00, 0x40, 0x01, 0x00}) {
    chunks.push_back({byte});
  }
  int sent_late = 0;
  const auto outcome = server.raw_client(chunks, [&] {
    clock->advance(std::chrono::milliseconds(150));
    ++sent_late;
  });
  EXPECT_EQ(sent_late, 2) << "the server read past its deadline";
  EXPECT_FALSE(outcome.ok);
  EXPECT_NE(outcome.error.find("no complete ClientHello within 300 ms"), std::string::npos)
      << outcome.error;
}

TEST_F(EngineSelectionTest, OversizedClientHelloIsDroppedAtTheCap) {
  LoopbackServer server(transport::make_server_engine_factory(settings(true)));
  // A handshake header announcing a 100 000-byte ClientHello (cap 64 KiB).
  const Bytes header = {0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0x01, 0x86, 0xA0};
  const auto outcome = server.raw_client({header});
  EXPECT_FALSE(outcome.ok);
  EXPECT_NE(outcome.error.find("client_hello of 100000 bytes exceeds the policy cap of 65536"),
            std::string::npos)
      << outcome.error;
  // The same listening socket still serves a real client afterwards.
  const auto next = server.connect(
      transport::make_client_engine_factory(settings(false), ClientMode::openpgp), "a.example");
  EXPECT_TRUE(next.client.ok) << next.client.error;
}

TEST_F(EngineSelectionTest, PeekDeadlineAppliesToTheServerFactory) {
  auto server_settings = settings(true);
  auto clock = std::make_shared<base::FixedClock>(base::TimePoint(std::chrono::seconds(1000)));
  server_settings->clock = clock;
  server_settings->peek_limits.timeout = std::chrono::milliseconds(500);
  auto factory = transport::make_server_engine_factory(server_settings);
  transport::HandshakeOptions options;
  Bytes bytes = {0x16, 0x03, 0x01, 0x00, 0x40};
  ASSERT_EQ(factory(transport::EngineRequest{tls::Role::server, options, bytes}).error().code,
            transport::Errc::need_more_input);
  clock->advance(std::chrono::seconds(1));
  bytes.push_back(0x01);
  const Error late = refusal(factory(transport::EngineRequest{tls::Role::server, options, bytes}),
                             tls::alert_for(tls::Errc::timeout));
  EXPECT_EQ(late.code, tls::Errc::timeout);
}

TEST_F(EngineSelectionTest, ServerFactoryCapsTheClientHello) {
  auto server_settings = settings(true);
  server_settings->peek_limits.max_client_hello_size = 64;
  auto factory = transport::make_server_engine_factory(server_settings);
  transport::HandshakeOptions options;
  // A complete record with a handshake header announcing 512 bytes.
  const Bytes bytes = {0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0x00, 0x02, 0x00};
  const Error error = refusal(factory(transport::EngineRequest{tls::Role::server, options, bytes}),
                              tls::AlertDescription::illegal_parameter);
  EXPECT_EQ(error.code, tls::Errc::illegal_parameter);
}

TEST_F(EngineSelectionTest, AutoModeUsesOpenPgpForCertifiedOrRecordedDomains) {
  TempDir dir;
  auto pins =
      std::make_shared<pins::PinStore>(pins::PinStore::open(dir.file("pins.sqlite")).value());
  ASSERT_TRUE(
      pins->record_openpgp_auth("recorded.example", base::TimePoint(std::chrono::seconds(1))).ok());
  const auto knows =
      transport::make_knows_openpgp(std::make_shared<CertifiedDomain>("a.example"), pins);
  EXPECT_TRUE(knows("a.example").value());
  EXPECT_TRUE(knows("recorded.example").value());
  EXPECT_FALSE(knows("c.example").value());
  // Either source alone.
  EXPECT_TRUE(transport::make_knows_openpgp(nullptr, pins)("recorded.example").value());
  EXPECT_FALSE(transport::make_knows_openpgp(nullptr, pins)("a.example").value());
  EXPECT_TRUE(transport::make_knows_openpgp(std::make_shared<CertifiedDomain>("a.example"),
                                            nullptr)("a.example")
                  .value());

  LoopbackServer server(transport::make_server_engine_factory(settings(true)));
  const auto client =
      transport::make_client_engine_factory(settings(false), ClientMode::automatic, knows);
  // a.example is certified in the keyring: OpenPGP.
  const auto certified = server.connect(client, "a.example");
  ASSERT_TRUE(certified.client.ok) << certified.client.error;
  EXPECT_EQ(certified.client.session.certificate_type, CertificateType::openpgp);
  EXPECT_EQ(certified.client.session.protocol, "TLS1.2");

  // The same server dialled as recorded.example: OpenPGP is offered (the
  // server's key is trusted only for a.example, so the client rejects it,
  // which shows which engine ran).
  const auto recorded = server.connect(client, "recorded.example");
  ASSERT_FALSE(recorded.client.ok);
  EXPECT_FALSE(recorded.server.ok);
  EXPECT_NE(recorded.client.error.find("xmpp:recorded.example"), std::string::npos)
      << recorded.client.error;

  // c.example is unknown: X.509 over TLS 1.3.
  const auto unknown = server.connect(client, "c.example");
  ASSERT_TRUE(unknown.client.ok) << unknown.client.error;
  EXPECT_EQ(unknown.client.session.certificate_type, CertificateType::x509);
  EXPECT_EQ(unknown.client.session.protocol, "TLS1.3");
}

TEST_F(EngineSelectionTest, AutoModeNeedsADomainAndPassesOnKeyringErrors) {
  const auto client = transport::make_client_engine_factory(
      settings(false), ClientMode::automatic, [](std::string_view) -> Result<bool> {
        return make_error(base::Errc::io_error, "cannot read the keyring");
      });
  transport::HandshakeOptions none;
  const auto no_domain = client(transport::EngineRequest{tls::Role::client, none, {}});
  ASSERT_FALSE(no_domain.ok());
  EXPECT_EQ(no_domain.error().code, base::Errc::invalid_value);
  EXPECT_NE(no_domain.error().message().find("use mode openpgp or x509"), std::string::npos);
  const auto options = transport::HandshakeOptions::for_peer("a.example");
  const auto broken = client(transport::EngineRequest{tls::Role::client, options, {}});
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.error().message().find("cannot read the keyring"), std::string::npos);
  // No knows_openpgp at all.
  const auto blind = transport::make_client_engine_factory(settings(false), ClientMode::automatic);
  const auto blind_engine = blind(transport::EngineRequest{tls::Role::client, options, {}});
  ASSERT_FALSE(blind_engine.ok());
  EXPECT_EQ(blind_engine.error().code, tls::Errc::invalid_state);
}

TEST_F(EngineSelectionTest, APerConnectionModeOverridesTheFactoryDefault) {
  int asked = 0;
  const auto client = transport::make_client_engine_factory(
      settings(false), ClientMode::automatic, [&asked](std::string_view) -> Result<bool> {
        ++asked;
        return make_error(base::Errc::io_error, "cannot read the keyring");
      });
  auto options = transport::HandshakeOptions::for_peer("a.example");
  options.client_mode = ClientMode::x509;
  EXPECT_TRUE(client(transport::EngineRequest{tls::Role::client, options, {}}).ok());
  options.client_mode = ClientMode::openpgp;
  EXPECT_TRUE(client(transport::EngineRequest{tls::Role::client, options, {}}).ok());
  EXPECT_EQ(asked, 0);  // an explicit mode never consults the keyring
  options.client_mode = ClientMode::automatic;
  EXPECT_FALSE(client(transport::EngineRequest{tls::Role::client, options, {}}).ok());
  EXPECT_EQ(asked, 1);

  // Over a real connection: an X.509 factory dials with OpenPGP for one peer.
  LoopbackServer server(transport::make_server_engine_factory(settings(true)));
  const auto x509_client = transport::make_client_engine_factory(settings(false), ClientMode::x509);
  const auto openpgp = server.connect(x509_client, "a.example", ClientMode::openpgp);
  ASSERT_TRUE(openpgp.client.ok) << openpgp.client.error;
  EXPECT_EQ(openpgp.client.session.certificate_type, CertificateType::openpgp);
  const auto x509 = server.connect(x509_client, "a.example");
  ASSERT_TRUE(x509.client.ok) << x509.client.error;
  EXPECT_EQ(x509.client.session.certificate_type, CertificateType::x509);
}

// A client's GnuTLS context (priority cache, credentials, our chain) is
// built once per factory: every outbound connection's engine, for any peer
// and from any copy of the factory, uses the same one, and real handshakes
// over it succeed one after the other.
TEST_F(EngineSelectionTest, ClientConnectionsShareOneGnutlsContext) {
  const auto client = transport::make_client_engine_factory(settings(false), ClientMode::x509);
  const auto copy = client;  // as each Stream holds its own copy
  const auto to_a = transport::HandshakeOptions::for_peer("a.example");
  const auto to_c = transport::HandshakeOptions::for_peer("c.example");
  auto first = client(transport::EngineRequest{tls::Role::client, to_a, {}});
  auto second = copy(transport::EngineRequest{tls::Role::client, to_c, {}});
  ASSERT_TRUE(first.ok()) << first.error().message();
  ASSERT_TRUE(second.ok()) << second.error().message();
  const tls::GnutlsContext* shared = tls::context_of(**first);
  ASSERT_NE(shared, nullptr);
  EXPECT_EQ(tls::context_of(**second), shared);
  // Another factory (other credentials, another client) has its own.
  const auto other = transport::make_client_engine_factory(settings(false), ClientMode::x509);
  auto third = other(transport::EngineRequest{tls::Role::client, to_a, {}});
  ASSERT_TRUE(third.ok()) << third.error().message();
  EXPECT_NE(tls::context_of(**third), shared);

  LoopbackServer server(transport::make_server_engine_factory(settings(true)));
  for (int i = 0; i < 2; ++i) {
    const auto outcome = server.connect(client, "a.example");
    ASSERT_TRUE(outcome.client.ok) << outcome.client.error;
    ASSERT_TRUE(outcome.server.ok) << outcome.server.error;
    EXPECT_EQ(outcome.client.session.certificate_type, CertificateType::x509);
  }
}

TEST(ClientModeTest, ParsesTheThreeModesAndRejectsJunk) {
  EXPECT_EQ(transport::parse_client_mode("openpgp").value(), ClientMode::openpgp);
  EXPECT_EQ(transport::parse_client_mode("x509").value(), ClientMode::x509);
  EXPECT_EQ(transport::parse_client_mode("auto").value(), ClientMode::automatic);
  for (const ClientMode mode : {ClientMode::openpgp, ClientMode::x509, ClientMode::automatic}) {
    EXPECT_EQ(transport::parse_client_mode(transport::client_mode_name(mode)).value(), mode);
  }
  for (const char* junk : {"", "OpenPGP", "x.509", "automatic", "tls"}) {
    const auto parsed = transport::parse_client_mode(junk);
    ASSERT_FALSE(parsed.ok()) << junk;
    EXPECT_EQ(parsed.error().code, base::Errc::invalid_value);
    EXPECT_NE(parsed.error().message().find("unknown client mode '" + std::string(junk) + "'"),
              std::string::npos);
    EXPECT_NE(parsed.error().message().find("use openpgp"), std::string::npos);
  }
}

}  // namespace
}  // namespace pgptls::test
