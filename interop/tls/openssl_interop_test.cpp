// The GnuTLS engine against OpenSSL's s_server and s_client started by the
// test on 127.0.0.1, over TLS 1.3 and 1.2, pinned and unpinned.
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

const char* openssl_version_flag(TlsVersion version) {
  return version == TlsVersion::tls13 ? "-tls1_3" : "-tls1_2";
}

class OpensslInteropTest : public PkiInteropFixture<KeyKind::rsa, KeyKind::ecdsa> {
 protected:
  void SetUp() override {
    if (!tools_present({"openssl"})) {
      GTEST_SKIP() << missing_tool_ << " is not installed (scripts/install-deps installs openssl)";
    }
    prepare();
  }

  std::optional<ChildProcess> start_s_server(std::uint16_t port, TlsVersion version) {
    auto child =
        ChildProcess::start({"openssl", "s_server", "-accept", "127.0.0.1:" + std::to_string(port),
                             "-cert", server_.cert_file.string(), "-key", server_.key_file.string(),
                             "-Verify", "1", openssl_version_flag(version)},
                            dir_->file("s_server-" + std::to_string(port)));
    if (child && !child->wait_for_log(kOpensslServerReady, kTimeout)) {
      ADD_FAILURE() << "openssl s_server did not start: " << child->log();
      return std::nullopt;
    }
    return child;
  }
};

TEST_P(OpensslInteropTest, OurClientAgainstSServerPinned) {
  const TlsVersion version = GetParam();
  const auto port = free_port();
  auto server = start_s_server(port, version);
  ASSERT_TRUE(server);
  verifier_->accepted = {server_.spki};
  auto config = engine_config(Role::client, &client_, verifier_, version);
  config.server_name = "server.example";
  config.expected_domain = "server.example";
  auto engine = make(std::move(config));
  SocketDriver driver(connect_loopback(port, kTimeout), *engine);
  ASSERT_TRUE(driver.handshake(kTimeout))
      << driver.error() << " " << (engine->failure() ? engine->failure()->message() : "") << "\n"
      << server->log();
  EXPECT_EQ(engine->session().protocol, version == TlsVersion::tls13 ? "TLS1.3" : "TLS1.2");
  EXPECT_EQ(verifier_->last.x509_chain.at(0), server_.credential.chain[0]);
  ASSERT_TRUE(driver.write("ping from pgptls\n", kTimeout));
  EXPECT_TRUE(server->wait_for_log("ping from pgptls", kTimeout)) << server->log();
  ASSERT_TRUE(server->write_stdin("pong from openssl\n"));
  const std::string answer = driver.read_until("pong from openssl", kTimeout);
  EXPECT_NE(answer.find("pong from openssl"), std::string::npos) << driver.error();
  driver.close(kTimeout);
}

TEST_P(OpensslInteropTest, OurClientRejectsAnUnpinnedSServer) {
  const TlsVersion version = GetParam();
  const auto port = free_port();
  auto server = start_s_server(port, version);
  ASSERT_TRUE(server);
  verifier_->reject_message = "x509 key for server.example matches no pin";
  auto config = engine_config(Role::client, &client_, verifier_, version);
  config.expected_domain = "server.example";
  auto engine = make(std::move(config));
  SocketDriver driver(connect_loopback(port, kTimeout), *engine);
  ASSERT_FALSE(driver.handshake(kTimeout));
  ASSERT_TRUE(engine->failure().has_value()) << driver.error();
  EXPECT_EQ(engine->failure()->code, tls::Errc::peer_rejected);
  // OpenSSL names the alert we sent (certificate_unknown, RFC 5246 §7.2.2).
  EXPECT_TRUE(server->wait_for_log("certificate unknown", kTimeout)) << server->log();
}

TEST_P(OpensslInteropTest, SClientAgainstOurServer) {
  const TlsVersion version = GetParam();
  for (const bool pinned : {true, false}) {
    auto listener = LoopbackListener::open();
    ASSERT_TRUE(listener);
    auto client = ChildProcess::start(
        {"openssl", "s_client", "-connect", "127.0.0.1:" + std::to_string(listener->port()),
         "-servername", "server.example", "-cert", client_.cert_file.string(), "-key",
         client_.key_file.string(), openssl_version_flag(version)},
        dir_->file(std::string("s_client-") + (pinned ? "pinned" : "unpinned")));
    ASSERT_TRUE(client);
    verifier_->accepted.clear();
    if (pinned) {
      verifier_->accepted = {client_.spki};
    }
    auto config = engine_config(Role::server, &server_, verifier_, version);
    config.client_auth = ClientAuth::require;
    auto engine = make(std::move(config));
    SocketDriver driver(listener->accept(kTimeout), *engine);
    if (!pinned) {
      ASSERT_FALSE(driver.handshake(kTimeout));
      ASSERT_TRUE(engine->failure().has_value()) << driver.error();
      EXPECT_EQ(engine->failure()->code, tls::Errc::peer_rejected);
      EXPECT_TRUE(client->wait_for_log("alert", kTimeout)) << client->log();
      continue;
    }
    ASSERT_TRUE(driver.handshake(kTimeout))
        << driver.error() << " " << (engine->failure() ? engine->failure()->message() : "") << "\n"
        << client->log();
    EXPECT_EQ(engine->session().server_name, "server.example");
    EXPECT_EQ(verifier_->last.x509_chain.at(0), client_.credential.chain[0]);
    ASSERT_TRUE(driver.write("hello from pgptls\n", kTimeout));
    EXPECT_TRUE(client->wait_for_log("hello from pgptls", kTimeout)) << client->log();
    ASSERT_TRUE(client->write_stdin("hello from s_client\n"));
    EXPECT_NE(driver.read_until("hello from s_client", kTimeout).find("hello from s_client"),
              std::string::npos)
        << driver.error();
    driver.close(kTimeout);
  }
}

INSTANTIATE_TEST_SUITE_P(Versions, OpensslInteropTest,
                         ::testing::Values(TlsVersion::tls13, TlsVersion::tls12),
                         [](const auto& info) {
                           return info.param == TlsVersion::tls13 ? "tls13" : "tls12";
                         });

}  // namespace
}  // namespace pgptls::test
