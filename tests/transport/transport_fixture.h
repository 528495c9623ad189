// transport_fixture.h: what the transport tests share: X.509 identities made
// by certtool once per test suite (Ed25519; the algorithm does not matter
// to the transport), SpkiVerifiers standing in for pins, and engine
// factories that build GnuTLS engines for a Stream.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <exception>
#include <memory>
#include <string>

#include "base/clock.h"
#include "base/rng.h"
#include "tests/support/temp_dir.h"
#include "tests/tls/gnutls_test_pki.h"
#include "tls/gnutls/gnutls_engine.h"
#include "tls/rfc6091/rfc6091_engine.h"
#include "transport/engine_factory.h"
#include "transport/server.h"

namespace pgptls::test {

// report: a co_spawn completion handler that turns an escaped exception
// into a test failure instead of an exception out of io_context::run.
inline auto report(const char* what) {
  return [what](const std::exception_ptr& failure) {
    if (!failure) {
      return;
    }
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& error) {
      ADD_FAILURE() << what << ": " << error.what();
    }
  };
}

// echo: a connection handler that echoes until the client's close_notify,
// then answers with its own.
inline void echo(const std::shared_ptr<transport::Connection>& connection) {
  auto buffer = std::make_shared<std::array<std::uint8_t, 4096>>();
  connection->stream().async_read_some(
      boost::asio::buffer(*buffer),
      [connection, buffer](boost::system::error_code error, std::size_t got) {
        if (error) {
          if (error == boost::asio::error::eof) {
            connection->stream().async_shutdown([connection](boost::system::error_code) {});
          }
          return;
        }
        boost::asio::async_write(connection->stream(), boost::asio::buffer(buffer->data(), got),
                                 [connection](boost::system::error_code write_error, std::size_t) {
                                   if (!write_error) {
                                     echo(connection);
                                   }
                                 });
      });
}

class TransportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    server_ = make_identity(dir_->path(), "a.example", KeyKind::ed25519);
    ASSERT_FALSE(::testing::Test::HasFatalFailure());
    client_ = make_identity(dir_->path(), "b.example", KeyKind::ed25519);
    ASSERT_FALSE(::testing::Test::HasFatalFailure());
    stranger_ = make_identity(dir_->path(), "impostor.example", KeyKind::ed25519);
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  void SetUp() override {
    ASSERT_FALSE(client_.credential.chain.empty()) << "fixtures were not made";
    // Each side pins the other's key.
    client_verifier_ = std::make_shared<SpkiVerifier>();
    client_verifier_->accepted = {server_.spki};
    server_verifier_ = std::make_shared<SpkiVerifier>();
    server_verifier_->accepted = {client_.spki};
  }

  // client_factory / server_factory: GnuTLS engines with mutual X.509
  // authentication; the server requires a client certificate.
  transport::EngineFactory client_factory(const Identity* identity = nullptr,
                                          tls::TlsVersion max = tls::TlsVersion::tls13) {
    const Identity* own = identity != nullptr ? identity : &client_;
    return [own, verifier = client_verifier_,
            max](const transport::EngineRequest& request) -> Result<std::unique_ptr<tls::Engine>> {
      auto config = engine_config(tls::Role::client, own, verifier, max);
      config.expected_domain = request.options.peer_domain;
      config.server_name = request.options.peer_domain.value_or("");
      config.alpn = request.options.alpn;
      return tls::make_gnutls_engine(std::move(config));
    };
  }

  transport::EngineFactory server_factory() {
    return [this, verifier = server_verifier_](
               const transport::EngineRequest& request) -> Result<std::unique_ptr<tls::Engine>> {
      ++server_factory_calls_;
      server_first_bytes_ = request.first_bytes.size();
      auto config = engine_config(tls::Role::server, &server_, verifier);
      config.client_auth = tls::ClientAuth::require;
      config.alpn = request.options.alpn;
      return tls::make_gnutls_engine(std::move(config));
    };
  }

  // rfc6091_x509_engine: an RFC 6091 engine with the X.509 certificate type
  // only, for transport logic that does not depend on the certificate type;
  // a server requires a client certificate, a client expects a.example.
  static Result<std::unique_ptr<tls::Engine>> rfc6091_x509_engine(
      tls::Role role, const Identity& own, std::shared_ptr<tls::PeerVerifier> verifier) {
    tls::Rfc6091Config config;
    config.role = role;
    config.policy.certificate_types = {tls::CertificateType::x509};
    config.credentials.x509 = own.credential;
    config.verifier = std::move(verifier);
    config.rng = std::make_shared<base::SystemRng>();
    config.clock = std::make_shared<base::SystemClock>();
    config.client_auth = tls::ClientAuth::require;
    if (role == tls::Role::client) {
      config.server_name = "a.example";
    }
    return tls::make_rfc6091_engine(std::move(config));
  }

  // run_for: runs the io_context until it has no work or `limit` passes
  // (then fails the test), so no test can hang.
  static void run_bounded(boost::asio::io_context& io,
                          std::chrono::milliseconds limit = std::chrono::seconds(30)) {
    io.restart();
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!io.stopped() && std::chrono::steady_clock::now() < deadline) {
      io.run_for(std::chrono::milliseconds(50));
    }
    EXPECT_TRUE(io.stopped()) << "the io_context still had work after " << limit.count() << " ms";
  }

  static inline TempDir* dir_ = nullptr;
  static inline Identity server_;
  static inline Identity client_;
  static inline Identity stranger_;
  std::shared_ptr<SpkiVerifier> client_verifier_;
  std::shared_ptr<SpkiVerifier> server_verifier_;
  int server_factory_calls_ = 0;
  std::size_t server_first_bytes_ = 0;
};

}  // namespace pgptls::test
