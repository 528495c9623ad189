// The GnuTLS engine against real peers started by the test: gnutls-serv and
// gnutls-cli (GnuTLS 3.7), over TLS 1.3 and 1.2, with X.509 certificates the
// verifier has pinned or not, and raw public keys (RFC 7250) both ways;
// and `pgptls connect` against gnutls-serv's echo, closing on every version
// by close_notify without a quiet period.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "interop/tls/pki_interop_fixture.h"
#include "tests/support/network.h"
#include "tests/support/process.h"
#include "tests/support/ready_lines.h"
#include "tests/support/socket_driver.h"
#include "tests/support/temp_dir.h"
#include "tests/tls/gnutls_test_pki.h"
#include "tls/gnutls/gnutls_engine.h"
#include "tls/wire/errors.h"

namespace pgptls::test {
namespace {

using namespace std::chrono_literals;
using tls::ClientAuth;
using tls::Role;
using tls::TlsVersion;

constexpr auto kTimeout = 15s;
const std::string kProgram = PGPTLS_PROGRAM;

std::string gnutls_priority(TlsVersion version, bool raw_keys) {
  std::string priority = version == TlsVersion::tls13 ? "NORMAL:-VERS-ALL:+VERS-TLS1.3"
                                                      : "NORMAL:-VERS-ALL:+VERS-TLS1.2";
  if (raw_keys) {
    priority += ":-CTYPE-ALL:+CTYPE-CLI-RAWPK:+CTYPE-SRV-RAWPK";
  }
  return priority;
}

class GnutlsInteropTest : public PkiInteropFixture<KeyKind::ecdsa, KeyKind::ed25519> {
 protected:
  void SetUp() override {
    if (!tools_present({"gnutls-serv", "gnutls-cli"})) {
      GTEST_SKIP() << missing_tool_
                   << " is not installed (scripts/install-deps installs gnutls-bin)";
    }
    prepare();
  }

  // start_gnutls_serv: an echo server on a fresh port (gnutls-serv has no
  // option to bind only 127.0.0.1; we connect to 127.0.0.1).
  std::optional<ChildProcess> start_gnutls_serv(std::uint16_t port,
                                                std::vector<std::string> extra) {
    std::vector<std::string> argv{"gnutls-serv", "--echo", "--port", std::to_string(port)};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto child = ChildProcess::start(argv, dir_->file("gnutls-serv-" + std::to_string(port)));
    if (child && !child->wait_for_log(gnutls_serv_ready(port), kTimeout)) {
      ADD_FAILURE() << "gnutls-serv did not start: " << child->log();
      return std::nullopt;
    }
    return child;
  }

  // start_x509_echo: gnutls-serv with the server's X.509 certificate at
  // `version` only, not requiring a client certificate.
  std::optional<ChildProcess> start_x509_echo(std::uint16_t port, TlsVersion version) {
    return start_gnutls_serv(
        port, {"--x509certfile", server_.cert_file.string(), "--x509keyfile",
               server_.key_file.string(), "--priority", gnutls_priority(version, false)});
  }
};

TEST_P(GnutlsInteropTest, OurClientAgainstGnutlsServPinned) {
  const TlsVersion version = GetParam();
  const auto port = free_port();
  auto serv =
      start_gnutls_serv(port, {"--x509certfile", server_.cert_file.string(), "--x509keyfile",
                               server_.key_file.string(), "--require-client-cert", "--priority",
                               gnutls_priority(version, false)});
  ASSERT_TRUE(serv);
  verifier_->accepted = {server_.spki};
  auto config = engine_config(Role::client, &client_, verifier_, version);
  config.server_name = "server.example";
  config.expected_domain = "server.example";
  auto engine = make(std::move(config));
  SocketDriver driver(connect_loopback(port, kTimeout), *engine);
  ASSERT_TRUE(driver.handshake(kTimeout))
      << driver.error() << " " << (engine->failure() ? engine->failure()->message() : "") << "\n"
      << serv->log();
  EXPECT_EQ(engine->session().protocol, version == TlsVersion::tls13 ? "TLS1.3" : "TLS1.2");
  EXPECT_EQ(verifier_->last.x509_chain.at(0), server_.credential.chain[0]);
  ASSERT_TRUE(engine->session().peer.has_value());
  // gnutls-serv echoes what we send, which shows it accepted our Ed25519
  // client certificate (sent through the retrieve callback in TLS 1.2 too).
  ASSERT_TRUE(driver.write("ping from pgptls\n", kTimeout));
  const std::string echoed = driver.read_until("ping from pgptls", kTimeout);
  EXPECT_NE(echoed.find("ping from pgptls"), std::string::npos)
      << "got '" << echoed << "' " << driver.error() << " state " << engine->state_name() << " "
      << (engine->failure() ? engine->failure()->message() : "") << serv->log();
  driver.close(kTimeout);
}

TEST_P(GnutlsInteropTest, OurClientRejectsAnUnpinnedGnutlsServ) {
  const TlsVersion version = GetParam();
  const auto port = free_port();
  auto serv = start_x509_echo(port, version);
  ASSERT_TRUE(serv);
  verifier_->accepted = {client_.spki};  // not the server's key
  verifier_->reject_message = "x509 key for server.example matches no pin";
  auto config = engine_config(Role::client, nullptr, verifier_, version);
  config.expected_domain = "server.example";
  auto engine = make(std::move(config));
  SocketDriver driver(connect_loopback(port, kTimeout), *engine);
  ASSERT_FALSE(driver.handshake(kTimeout));
  ASSERT_TRUE(engine->failure().has_value()) << driver.error();
  EXPECT_EQ(engine->failure()->code, tls::Errc::peer_rejected);
  EXPECT_NE(engine->failure()->message().find("matches no pin"), std::string::npos);
  // gnutls-serv received our fatal alert.
  EXPECT_TRUE(serv->wait_for_log("A TLS fatal alert has been received", kTimeout)) << serv->log();
}

TEST_P(GnutlsInteropTest, GnutlsCliAgainstOurServerPinned) {
  const TlsVersion version = GetParam();
  auto listener = LoopbackListener::open();
  ASSERT_TRUE(listener);
  auto cli = ChildProcess::start(
      {"gnutls-cli", "--port", std::to_string(listener->port()), "--insecure", "--sni-hostname",
       "server.example", "--x509certfile", client_.cert_file.string(), "--x509keyfile",
       client_.key_file.string(), "--priority", gnutls_priority(version, false), "127.0.0.1"},
      dir_->file("gnutls-cli.log"));
  ASSERT_TRUE(cli);
  verifier_->accepted = {client_.spki};
  auto config = engine_config(Role::server, &server_, verifier_, version);
  config.client_auth = ClientAuth::require;
  auto engine = make(std::move(config));
  SocketDriver driver(listener->accept(kTimeout), *engine);
  ASSERT_TRUE(driver.handshake(kTimeout))
      << driver.error() << " " << (engine->failure() ? engine->failure()->message() : "") << "\n"
      << cli->log();
  EXPECT_EQ(engine->session().server_name, "server.example");
  EXPECT_EQ(verifier_->last.x509_chain.at(0), client_.credential.chain[0]);
  ASSERT_TRUE(driver.write("hello from pgptls\n", kTimeout));
  EXPECT_TRUE(cli->wait_for_log("hello from pgptls", kTimeout)) << cli->log();
  ASSERT_TRUE(cli->write_stdin("hello from gnutls-cli\n"));
  EXPECT_NE(driver.read_until("hello from gnutls-cli", kTimeout).find("hello from gnutls-cli"),
            std::string::npos)
      << cli->log();
  driver.close(kTimeout);
}

TEST_P(GnutlsInteropTest, OurServerRejectsAnUnpinnedGnutlsCli) {
  const TlsVersion version = GetParam();
  auto listener = LoopbackListener::open();
  ASSERT_TRUE(listener);
  auto cli = ChildProcess::start(
      {"gnutls-cli", "--port", std::to_string(listener->port()), "--insecure", "--x509certfile",
       client_.cert_file.string(), "--x509keyfile", client_.key_file.string(), "--priority",
       gnutls_priority(version, false), "127.0.0.1"},
      dir_->file("gnutls-cli-unpinned.log"));
  ASSERT_TRUE(cli);
  verifier_->reject_message = "x509 key for client.example matches no pin";
  auto config = engine_config(Role::server, &server_, verifier_, version);
  config.client_auth = ClientAuth::require;
  auto engine = make(std::move(config));
  SocketDriver driver(listener->accept(kTimeout), *engine);
  ASSERT_FALSE(driver.handshake(kTimeout));
  ASSERT_TRUE(engine->failure().has_value()) << driver.error();
  EXPECT_EQ(engine->failure()->code, tls::Errc::peer_rejected);
  // gnutls-cli gives up with a failure exit status.
  const auto exit_code = cli->wait(kTimeout);
  ASSERT_TRUE(exit_code.has_value()) << cli->log();
  EXPECT_NE(*exit_code, 0) << cli->log();
}

TEST_P(GnutlsInteropTest, RawPublicKeysWithGnutlsServ) {
  const TlsVersion version = GetParam();
  const auto port = free_port();
  auto serv = start_gnutls_serv(port, {"--rawpkkeyfile", server_.key_file.string(), "--rawpkfile",
                                       server_.public_key_file.string(), "--require-client-cert",
                                       "--priority", gnutls_priority(version, true)});
  ASSERT_TRUE(serv);
  verifier_->accepted = {server_.spki};
  tls::GnutlsEngineConfig config;
  config.role = Role::client;
  config.max_version = version;
  config.certificate_types = {tls::CertificateType::raw_public_key};
  config.credentials.raw_public_key = client_.raw_key;
  config.verifier = verifier_;
  auto engine = make(std::move(config));
  SocketDriver driver(connect_loopback(port, kTimeout), *engine);
  ASSERT_TRUE(driver.handshake(kTimeout))
      << driver.error() << " " << (engine->failure() ? engine->failure()->message() : "") << "\n"
      << serv->log();
  EXPECT_EQ(verifier_->last.type, tls::CertificateType::raw_public_key);
  EXPECT_EQ(verifier_->last.raw_public_key, server_.spki);
  EXPECT_EQ(engine->session().certificate_type, tls::CertificateType::raw_public_key);
  ASSERT_TRUE(driver.write("raw ping\n", kTimeout));
  EXPECT_NE(driver.read_until("raw ping", kTimeout).find("raw ping"), std::string::npos);
  driver.close(kTimeout);
}

TEST_P(GnutlsInteropTest, RawPublicKeysWithGnutlsCli) {
  const TlsVersion version = GetParam();
  auto listener = LoopbackListener::open();
  ASSERT_TRUE(listener);
  auto cli = ChildProcess::start(
      {"gnutls-cli", "--port", std::to_string(listener->port()), "--insecure", "--rawpkkeyfile",
       client_.key_file.string(), "--rawpkfile", client_.public_key_file.string(), "--priority",
       gnutls_priority(version, true), "127.0.0.1"},
      dir_->file("gnutls-cli-rawpk.log"));
  ASSERT_TRUE(cli);
  verifier_->accepted = {client_.spki};
  tls::GnutlsEngineConfig config;
  config.role = Role::server;
  config.max_version = version;
  config.certificate_types = {tls::CertificateType::raw_public_key};
  config.credentials.raw_public_key = server_.raw_key;
  config.client_auth = ClientAuth::require;
  config.verifier = verifier_;
  auto engine = make(std::move(config));
  SocketDriver driver(listener->accept(kTimeout), *engine);
  ASSERT_TRUE(driver.handshake(kTimeout))
      << driver.error() << " " << (engine->failure() ? engine->failure()->message() : "") << "\n"
      << cli->log();
  EXPECT_EQ(verifier_->last.type, tls::CertificateType::raw_public_key);
  EXPECT_EQ(verifier_->last.raw_public_key, client_.spki);
  ASSERT_TRUE(driver.write("raw hello\n", kTimeout));
  EXPECT_TRUE(cli->wait_for_log("raw hello", kTimeout)) << cli->log();
  driver.close(kTimeout);
}

TEST_P(GnutlsInteropTest, PgptlsConnectGetsTheWholeEchoOfGnutlsServ) {
  // connect sends stdin, then close_notify at once, and reads until the
  // server's close_notify. gnutls-serv reads our close_notify only after the
  // data before it and has echoed that data by then, so the whole echo
  // arrives before its answer (RFC 5246 §7.2.1), as in TLS 1.3 (RFC 8446
  // §6.1).
  const TlsVersion version = GetParam();
  const auto port = free_port();
  auto serv = start_x509_echo(port, version);
  ASSERT_TRUE(serv);
  const ToolOptions quiet{.stdin_data = "",
                          .env = {{"PGPTLS_HOME", dir_->path().string()}},
                          .cwd = std::nullopt,
                          .timeout = 30s};
  const std::string pins = dir_->file("connect-pins-" + std::to_string(port) + ".sqlite").string();
  const auto pinned = run_tool({kProgram, "pin", "add", "server.example", "--cert",
                                server_.cert_file.string(), "--pins", pins},
                               quiet);
  ASSERT_TRUE(pinned.ok()) << pinned.describe();
  // Several records' worth of lines, so the echo takes more than one write.
  std::string input;
  for (int line = 0; line < 600; ++line) {
    input += "line " + std::to_string(line) + " of the echo through gnutls-serv\n";
  }
  ToolOptions options = quiet;
  options.stdin_data = input;
  const auto connected =
      run_tool({kProgram, "connect", "127.0.0.1:" + std::to_string(port), "--peer",
                "server.example", "--x509-cert", client_.cert_file.string(), "--x509-key",
                client_.key_file.string(), "--pins", pins},
               options);
  EXPECT_EQ(connected.exit_code, 0) << connected.describe() << serv->log();
  const std::string protocol = version == TlsVersion::tls13 ? "TLS1.3" : "TLS1.2";
  EXPECT_NE(connected.err.find("handshake ok: " + protocol + " "), std::string::npos)
      << connected.describe();
  EXPECT_EQ(connected.out.size(), input.size()) << connected.describe();
  EXPECT_TRUE(connected.out == input) << "the echo differs from what was sent";
}

INSTANTIATE_TEST_SUITE_P(Versions, GnutlsInteropTest,
                         ::testing::Values(TlsVersion::tls13, TlsVersion::tls12),
                         [](const auto& info) {
                           return info.param == TlsVersion::tls13 ? "tls13" : "tls12";
                         });

}  // namespace
}  // namespace pgptls::test
