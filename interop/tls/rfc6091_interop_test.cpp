// rfc6091_interop_test.cpp: the RFC 6091 engine in X.509 mode against real
// TLS 1.2 peers started by the test on 127.0.0.1: gnutls-serv / gnutls-cli
// (GnuTLS 3.7) and openssl s_server / s_client (OpenSSL 3), both
// directions, mutual authentication, every suite each peer supports,
// application data both ways.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/rng.h"
#include "tests/support/network.h"
#include "tests/support/process.h"
#include "tests/support/ready_lines.h"
#include "tests/support/socket_driver.h"
#include "tests/support/temp_dir.h"
#include "tests/tls/engine_support.h"
#include "tls/rfc6091/rfc6091_engine.h"
#include "tls/wire/errors.h"

namespace pgptls::tls {
namespace {

using namespace std::chrono_literals;
using pgptls::test::ChildProcess;
using pgptls::test::connect_loopback;
using pgptls::test::LoopbackListener;
using pgptls::test::SocketDriver;
using test::KeyKind;
using test::X509Identity;

constexpr const char* kGnutlsTls12 = "NORMAL:-VERS-ALL:+VERS-TLS1.2";

class Rfc6091Interop : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    dir_ = new pgptls::test::TempDir();
    ids_ = new std::map<std::string, X509Identity>();
    const std::pair<const char*, KeyKind> kinds[] = {
        {"rsa", KeyKind::rsa2048}, {"ecdsa", KeyKind::ecdsa_p256}, {"ed25519", KeyKind::ed25519}};
    for (const auto& [name, kind] : kinds) {
      (*ids_)[std::string("server-") + name] =
          test::make_x509_identity(*dir_, kind, std::string("server-") + name + ".example");
      (*ids_)[std::string("client-") + name] =
          test::make_x509_identity(*dir_, kind, std::string("client-") + name + ".example");
    }
  }
  static void TearDownTestSuite() {
    delete ids_;
    delete dir_;
  }
  static const X509Identity& id(const std::string& name) { return ids_->at(name); }

  static Rfc6091Config config(Role role, const X509Identity& own, const X509Identity& peer,
                              std::uint16_t suite) {
    Rfc6091Config config;
    config.role = role;
    config.policy.certificate_types = {CertificateType::x509};
    config.policy.cipher_suites = {suite};
    config.credentials.x509 = own.credential();
    auto verifier = std::make_shared<test::SpkiVerifier>();
    verifier->trust(peer.spki_sha256, peer.domain);
    config.verifier = verifier;
    config.rng = std::make_shared<base::SystemRng>();
    config.clock = std::make_shared<base::SystemClock>();
    if (role == Role::client) {
      config.server_name = peer.domain;
    }
    return config;
  }

  static std::vector<const CipherSuite*> suites_for(const std::string& key) {
    std::vector<const CipherSuite*> suites;
    for (const CipherSuite& suite : supported_cipher_suites()) {
      if ((suite.auth == AuthAlgorithm::rsa) == (key == "rsa")) {
        suites.push_back(&suite);
      }
    }
    return suites;
  }

  // client_roundtrip: our client connects, handshakes, sends a line and
  // expects `answer` back.
  static void client_roundtrip(std::uint16_t port, Rfc6091Config cfg, const std::string& answer) {
    auto engine = make_rfc6091_engine(std::move(cfg));
    ASSERT_TRUE(engine.ok());
    SocketDriver socket(connect_loopback(port, 10s), **engine);
    ASSERT_TRUE(socket.handshake(10s))
        << (*engine)->state_name() << " "
        << ((*engine)->failure() ? (*engine)->failure()->message() : "");
    EXPECT_TRUE((*engine)->session().peer.has_value());
    ASSERT_TRUE(socket.write("hello\n", 10s));
    EXPECT_NE(socket.read_until(answer, 10s).find(answer), std::string::npos);
    socket.close(100ms);
  }

  static pgptls::test::TempDir* dir_;
  static std::map<std::string, X509Identity>* ids_;
};
pgptls::test::TempDir* Rfc6091Interop::dir_ = nullptr;
std::map<std::string, X509Identity>* Rfc6091Interop::ids_ = nullptr;

TEST_F(Rfc6091Interop, OurClientAgainstGnutlsServ) {
  for (const std::string key : {"rsa", "ecdsa", "ed25519"}) {
    SCOPED_TRACE(key);
    const X509Identity& server = id("server-" + key);
    const X509Identity& client = id("client-" + key);
    const std::uint16_t port = pgptls::test::free_port();
    auto process = ChildProcess::start(
        {"gnutls-serv", "--echo", "-p", std::to_string(port), "--priority", kGnutlsTls12,
         "--x509certfile", server.certificate_pem.string(), "--x509keyfile",
         server.key_pem.string(), "--require-client-cert", "--verify-client-cert", "--x509cafile",
         client.certificate_pem.string()},
        dir_->file("gnutls-serv-" + key + ".log"));
    ASSERT_TRUE(process.has_value());
    ASSERT_TRUE(process->wait_for_log(pgptls::test::gnutls_serv_ready(port), 10s))
        << process->log();
    for (const CipherSuite* suite : suites_for(key)) {
      SCOPED_TRACE(suite->name);
      client_roundtrip(port, config(Role::client, client, server, suite->id), "hello\n");
    }
  }
}

TEST_F(Rfc6091Interop, OurClientAgainstOpensslServer) {
  for (const std::string key : {"rsa", "ecdsa", "ed25519"}) {
    SCOPED_TRACE(key);
    const X509Identity& server = id("server-" + key);
    const X509Identity& client = id("client-" + key);
    const std::uint16_t port = pgptls::test::free_port();
    // -rev answers each line reversed; -Verify 1 requires a client cert.
    auto process = ChildProcess::start(
        {"openssl", "s_server", "-accept", std::to_string(port), "-tls1_2", "-rev", "-cert",
         server.certificate_pem.string(), "-key", server.key_pem.string(), "-Verify", "1",
         "-CAfile", client.certificate_pem.string()},
        dir_->file("s_server-" + key + ".log"));
    ASSERT_TRUE(process.has_value());
    ASSERT_TRUE(process->wait_for_log(pgptls::test::kOpensslServerReady, 10s)) << process->log();
    for (const CipherSuite* suite : suites_for(key)) {
      SCOPED_TRACE(suite->name);
      client_roundtrip(port, config(Role::client, client, server, suite->id), "olleh");
    }
  }
}

// serve_one: our server accepts one connection, echoes one line back and
// returns the engine's final state for assertions.
struct Served {
  bool established = false;
  std::string received;
  std::optional<Error> failure;
  bool peer_verified = false;
};

Served serve_one(LoopbackListener& listener, Rfc6091Config cfg) {
  Served served;
  auto engine = make_rfc6091_engine(std::move(cfg));
  if (!engine.ok()) {
    return served;
  }
  SocketDriver socket(listener.accept(10s), **engine);
  served.established = socket.handshake(10s);
  if (served.established) {
    served.peer_verified = (*engine)->session().peer.has_value();
    served.received = socket.read_until("\n", 10s);
    (void)socket.write(served.received, 10s);
  }
  served.failure = (*engine)->failure();
  return served;
}

// ClientArgv: the command line of a real client that connects to our server
// on `port` as `client`, trusting `server`.
using ClientArgv = std::function<std::vector<std::string>(
    std::uint16_t port, const X509Identity& server, const X509Identity& client)>;

// expect_real_client_served: for each server key and each of its suites, the
// real client connects to our server, is verified, and its line is echoed.
// `client_key_for` picks the client's key for a server key.
void expect_real_client_served(const ClientArgv& argv,
                               const std::function<std::string(const std::string&)>& client_key_for,
                               const std::filesystem::path& log) {
  for (const std::string key : {"rsa", "ecdsa", "ed25519"}) {
    const X509Identity& server = Rfc6091Interop::id("server-" + key);
    const X509Identity& client = Rfc6091Interop::id("client-" + client_key_for(key));
    for (const CipherSuite* suite : Rfc6091Interop::suites_for(key)) {
      SCOPED_TRACE(key + " " + std::string(suite->name));
      auto listener = LoopbackListener::open();
      ASSERT_TRUE(listener.has_value());
      auto cli = ChildProcess::start(argv(listener->port(), server, client), log);
      ASSERT_TRUE(cli.has_value());
      cli->write_stdin("hello\n");
      const Served served =
          serve_one(*listener, Rfc6091Interop::config(Role::server, server, client, suite->id));
      EXPECT_TRUE(served.established)
          << (served.failure ? served.failure->message() : "") << cli->log();
      EXPECT_TRUE(served.peer_verified);
      EXPECT_EQ(served.received, "hello\n");
      EXPECT_TRUE(cli->wait_for_log("hello", 5s)) << cli->log();
      cli->close_stdin();
    }
  }
}

TEST_F(Rfc6091Interop, GnutlsCliAgainstOurServer) {
  expect_real_client_served(
      [](std::uint16_t port, const X509Identity& server, const X509Identity& client) {
        return std::vector<std::string>{"gnutls-cli",
                                        "-p",
                                        std::to_string(port),
                                        "--priority",
                                        kGnutlsTls12,
                                        "--x509cafile",
                                        server.certificate_pem.string(),
                                        "--verify-hostname",
                                        server.domain,
                                        "--x509certfile",
                                        client.certificate_pem.string(),
                                        "--x509keyfile",
                                        client.key_pem.string(),
                                        "127.0.0.1"};
      },
      // GnuTLS 3.7's client offers an Ed25519 client certificate in TLS 1.2
      // only through its retrieve callback, so gnutls-cli authenticates with
      // ECDSA against the Ed25519 server.
      [](const std::string& key) { return key == "ed25519" ? std::string("ecdsa") : key; },
      dir_->file("gnutls-cli.log"));
}

TEST_F(Rfc6091Interop, OpensslClientAgainstOurServer) {
  expect_real_client_served(
      [](std::uint16_t port, const X509Identity& server, const X509Identity& client) {
        return std::vector<std::string>{"openssl",
                                        "s_client",
                                        "-connect",
                                        "127.0.0.1:" + std::to_string(port),
                                        "-tls1_2",
                                        "-quiet",
                                        "-servername",
                                        server.domain,
                                        "-CAfile",
                                        server.certificate_pem.string(),
                                        "-verify_return_error",
                                        "-cert",
                                        client.certificate_pem.string(),
                                        "-key",
                                        client.key_pem.string()};
      },
      [](const std::string& key) { return key; }, dir_->file("s_client.log"));
}

TEST_F(Rfc6091Interop, GnutlsCliRenegotiationIsRefused) {
  const X509Identity& server = id("server-ecdsa");
  const X509Identity& client = id("client-ecdsa");
  auto listener = LoopbackListener::open();
  ASSERT_TRUE(listener.has_value());
  const std::uint16_t port = listener->port();
  auto cli = ChildProcess::start(
      {"gnutls-cli", "-p", std::to_string(port), "--priority", kGnutlsTls12, "--rehandshake",
       "--x509cafile", server.certificate_pem.string(), "--verify-hostname", server.domain,
       "--x509certfile", client.certificate_pem.string(), "--x509keyfile", client.key_pem.string(),
       "127.0.0.1"},
      dir_->file("gnutls-cli-rehandshake.log"));
  ASSERT_TRUE(cli.has_value());
  auto cfg = config(Role::server, server, client, supported_cipher_suites().front().id);
  auto engine = make_rfc6091_engine(std::move(cfg));
  ASSERT_TRUE(engine.ok());
  SocketDriver socket(listener->accept(10s), **engine);
  ASSERT_TRUE(socket.handshake(10s));
  EXPECT_TRUE(socket.run_until_end(5s));
  ASSERT_TRUE((*engine)->failure().has_value()) << cli->log();
  EXPECT_EQ((*engine)->failure()->code, make_error_code(Errc::no_renegotiation));
  EXPECT_TRUE(cli->wait_for_log("No renegotiation", 5s)) << cli->log();
}

}  // namespace
}  // namespace pgptls::tls

namespace pgptls::tls {
namespace {

TEST_F(Rfc6091Interop, OpensslServerRenegotiationIsRefused) {
  const X509Identity& server = id("server-ecdsa");
  const X509Identity& client = id("client-ecdsa");
  const std::uint16_t port = pgptls::test::free_port();
  auto process = ChildProcess::start(
      {"openssl", "s_server", "-accept", std::to_string(port), "-tls1_2", "-cert",
       server.certificate_pem.string(), "-key", server.key_pem.string()},
      dir_->file("s_server-renegotiate.log"));
  ASSERT_TRUE(process.has_value());
  ASSERT_TRUE(process->wait_for_log(pgptls::test::kOpensslServerReady, 10s)) << process->log();
  auto engine = make_rfc6091_engine(
      config(Role::client, client, server, supported_cipher_suites().front().id));
  ASSERT_TRUE(engine.ok());
  SocketDriver socket(connect_loopback(port, 10s), **engine);
  ASSERT_TRUE(socket.handshake(10s)) << process->log();
  ASSERT_TRUE(process->wait_for_log("CIPHER is", 5s)) << process->log();
  // s_server renegotiates (sends HelloRequest) when "R" arrives on stdin.
  process->write_stdin("R\n");
  EXPECT_TRUE(socket.run_until_end(5s));
  ASSERT_TRUE((*engine)->failure().has_value()) << process->log();
  EXPECT_EQ((*engine)->failure()->code, make_error_code(Errc::no_renegotiation));
  EXPECT_TRUE(process->wait_for_log("no renegotiation", 5s)) << process->log();
}

}  // namespace
}  // namespace pgptls::tls

namespace pgptls::tls {
namespace {

// refused_by_our_server: a real client started with `argv` is refused by
// our server with `code`, and the client reports the alert `alert_text`.
void refused_by_our_server(const std::vector<std::string>& argv, Rfc6091Config cfg, Errc code,
                           const std::string& alert_text, const std::filesystem::path& log,
                           LoopbackListener& listener) {
  auto cli = ChildProcess::start(argv, log);
  ASSERT_TRUE(cli.has_value());
  auto engine = make_rfc6091_engine(std::move(cfg));
  ASSERT_TRUE(engine.ok());
  SocketDriver socket(listener.accept(10s), **engine);
  EXPECT_FALSE(socket.handshake(10s));
  ASSERT_TRUE((*engine)->failure().has_value());
  EXPECT_EQ((*engine)->failure()->code, make_error_code(code)) << (*engine)->failure()->message();
  EXPECT_TRUE(cli->wait_for_log(alert_text, 5s)) << cli->log();
}

TEST_F(Rfc6091Interop, GnutlsCliWithoutExtendedMasterSecretIsRefused) {
  const X509Identity& server = id("server-ecdsa");
  const X509Identity& client = id("client-ecdsa");
  auto listener = LoopbackListener::open();
  ASSERT_TRUE(listener.has_value());
  const std::uint16_t port = listener->port();
  refused_by_our_server(
      {"gnutls-cli", "-p", std::to_string(port), "--priority",
       std::string(kGnutlsTls12) + ":%NO_SESSION_HASH", "--x509cafile",
       server.certificate_pem.string(), "--verify-hostname", server.domain, "127.0.0.1"},
      config(Role::server, server, client, supported_cipher_suites().front().id),
      Errc::insufficient_security, "Insufficient security", dir_->file("gnutls-cli-noems.log"),
      *listener);
}

TEST_F(Rfc6091Interop, OpensslTls13OnlyClientIsRefused) {
  const X509Identity& server = id("server-ecdsa");
  const X509Identity& client = id("client-ecdsa");
  auto listener = LoopbackListener::open();
  ASSERT_TRUE(listener.has_value());
  const std::uint16_t port = listener->port();
  refused_by_our_server({"openssl", "s_client", "-connect", "127.0.0.1:" + std::to_string(port),
                         "-tls1_3", "-servername", server.domain},
                        config(Role::server, server, client, supported_cipher_suites().front().id),
                        Errc::protocol_version, "protocol version",
                        dir_->file("s_client-tls13.log"), *listener);
}

}  // namespace
}  // namespace pgptls::tls
