// Half-close: sending our close_notify ends our writing only. RFC 8446 §6.1
// says close_notify "does not have any effect on its read side of the
// connection", and RFC 5246 §7.2.1 does not require the initiator of the
// close to stop reading. So data the peer sent before it saw our
// close_notify (an answer in flight), and in TLS 1.3 data it sends after,
// must still be delivered; reads end with eof only at the peer's own
// close_notify. Checked on the GnuTLS engine (TLS 1.3 and TLS 1.2) and on
// the RFC 6091 engine (TLS 1.2, X.509 certificate type), each in memory and
// through transport::Stream: a Stream user sees one behaviour.
#include <gtest/gtest.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "base/clock.h"
#include "base/rng.h"
#include "tests/support/engine_pump.h"
#include "tests/transport/engine_flavor.h"
#include "tests/transport/memory_stream.h"
#include "tests/transport/transport_fixture.h"
#include "tls/rfc6091/rfc6091_engine.h"
#include "tls/wire/errors.h"
#include "transport/stream.h"

namespace pgptls::test {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using MemoryTls = transport::Stream<MemoryStream>;
using tls::EngineStatus;

class HalfCloseTest : public EngineFlavorTest {
 protected:
  // stream_factory: engines of the flavor for a transport::Stream.
  transport::EngineFactory stream_factory(tls::Role role) {
    if (gnutls()) {
      return role == tls::Role::client ? client_factory(nullptr, max_version()) : server_factory();
    }
    const Identity& own = role == tls::Role::client ? client_ : server_;
    std::shared_ptr<tls::PeerVerifier> verifier =
        role == tls::Role::client ? client_verifier_ : server_verifier_;
    return [role, &own, verifier](const transport::EngineRequest&) {
      return rfc6091_x509_engine(role, own, verifier);
    };
  }
};

INSTANTIATE_TEST_SUITE_P(Engines, HalfCloseTest,
                         ::testing::Values(Flavor::gnutls13, Flavor::gnutls12, Flavor::rfc6091),
                         flavor_name);

TEST_P(HalfCloseTest, EngineReadsThePeersDataAfterItsOwnCloseNotify) {
  auto [client, server] = engines();
  ASSERT_TRUE(pump_engines_in_memory(*client, *server).both_established())
      << client->state_name() << " / " << server->state_name();
  EXPECT_EQ(client->session().protocol, expected_protocol());

  ASSERT_TRUE(client->close().ok());
  EXPECT_EQ(client->status(), EngineStatus::has_output);
  // The server answers before it has read the client's close_notify.
  ASSERT_TRUE(server->write_app(as_bytes_view("answer in flight")).ok());
  transfer(*server, *client);
  EXPECT_EQ(read_all(*client), "answer in flight");
  ASSERT_TRUE(server->write_app(as_bytes_view(", and more")).ok());
  transfer(*server, *client);
  EXPECT_EQ(read_all(*client), ", and more");

  // Our close_notify is sent: reading goes on, writing does not.
  transfer(*client, *server);
  EXPECT_EQ(client->status(), EngineStatus::established);
  // The RFC 6091 engine names its states by the handshake state type.
  EXPECT_EQ(std::string(client->state_name()), gnutls() ? "CloseSent" : "Traffic");
  const auto late = client->write_app(as_bytes_view("late"));
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, tls::Errc::invalid_state);
  EXPECT_NE(late.error().message().find("write_app() after close"), std::string::npos)
      << late.error().message();

  if (GetParam() == Flavor::gnutls13) {
    // RFC 8446 §6.1: the client's close_notify closed only its write side;
    // the server still writes until it closes its own.
    EXPECT_EQ(server->status(), EngineStatus::closed);
    ASSERT_TRUE(server->write_app(as_bytes_view("after your close_notify")).ok());
    transfer(*server, *client);
    EXPECT_EQ(read_all(*client), "after your close_notify");
    ASSERT_TRUE(server->close().ok());
  }
  // The server answered the close_notify with its own (TLS 1.2 at once,
  // RFC 5246 §7.2.1; TLS 1.3 when it closed): now both directions are
  // closed.
  EXPECT_EQ(server->status(), EngineStatus::has_output);
  transfer(*server, *client);
  EXPECT_EQ(server->status(), EngineStatus::closed);
  EXPECT_EQ(client->status(), EngineStatus::closed);
  EXPECT_EQ(std::string(client->state_name()), gnutls() ? "Closed" : "Traffic");
  // The server answered the close_notify, so it may not write either.
  const auto after_answer = server->write_app(as_bytes_view("too late"));
  ASSERT_FALSE(after_answer.ok());
  EXPECT_EQ(after_answer.error().code, tls::Errc::invalid_state);
  EXPECT_NE(after_answer.error().message().find("write_app() after close"), std::string::npos)
      << after_answer.error().message();
  EXPECT_FALSE(client->failure().has_value());
}

class HalfCloseStreamTest : public HalfCloseTest {
 protected:
  void SetUp() override {
    HalfCloseTest::SetUp();
    auto [a, b] = MemoryStream::make_pair(io_.get_executor());
    client_stream_ = std::make_unique<MemoryTls>(stream_factory(tls::Role::client), std::move(a));
    server_stream_ = std::make_unique<MemoryTls>(stream_factory(tls::Role::server), std::move(b));
    error_code client_error = asio::error::would_block;
    error_code server_error = asio::error::would_block;
    client_stream_->async_handshake(tls::Role::client,
                                    transport::HandshakeOptions::for_peer("a.example"),
                                    [&](error_code error) { client_error = error; });
    server_stream_->async_handshake(tls::Role::server, {},
                                    [&](error_code error) { server_error = error; });
    run_bounded(io_);
    ASSERT_FALSE(client_error) << client_error.message();
    ASSERT_FALSE(server_error) << server_error.message();
    ASSERT_EQ(client_stream_->session().protocol, expected_protocol());
  }

  // settle: runs every handler that is ready, and those they make ready,
  // until none is left. The streams are in memory, so nothing more can
  // happen without the test acting: "the peers are waiting", by event.
  void settle() {
    io_.restart();
    io_.poll();
  }

  asio::io_context io_;
  std::unique_ptr<MemoryTls> client_stream_;
  std::unique_ptr<MemoryTls> server_stream_;
};

INSTANTIATE_TEST_SUITE_P(Engines, HalfCloseStreamTest,
                         ::testing::Values(Flavor::gnutls13, Flavor::gnutls12, Flavor::rfc6091),
                         flavor_name);

TEST_P(HalfCloseStreamTest, ReadsGoOnAfterOurShutdownUntilThePeersCloseNotify) {
  // The client keeps reading until eof, and shuts its side down at once.
  std::string client_got;
  error_code client_read;
  std::array<std::uint8_t, 64> buffer{};
  // send_second_part: the server's second write, sent once the client has
  // read the first part, so the client reads again after its own
  // close_notify went out.
  std::function<void()> send_second_part;
  std::function<void()> read_more = [&] {
    client_stream_->async_read_some(asio::buffer(buffer), [&](error_code error, std::size_t n) {
      client_got.append(reinterpret_cast<const char*>(buffer.data()), n);
      if (error) {
        client_read = error;
        return;
      }
      read_more();
      if (client_got == "first part; " && send_second_part) {
        // Posted: the second part arrives while the next read is pending.
        asio::post(io_, std::exchange(send_second_part, nullptr));
      }
    });
  };
  read_more();

  error_code client_shutdown = asio::error::would_block;
  error_code server_write = asio::error::would_block;
  error_code server_read = asio::error::would_block;
  error_code server_shutdown = asio::error::would_block;
  std::array<std::uint8_t, 16> server_buffer{};
  client_stream_->async_shutdown([&](error_code error) {
    client_shutdown = error;
    // Our close_notify is on the wire; the server, which has not read yet,
    // still sends its answer, the second part after the client read the
    // first.
    send_second_part = [&] {
      asio::async_write(*server_stream_, asio::buffer(std::string_view("second part")),
                        [&](error_code second, std::size_t) {
                          server_write = second;
                          // Only now does the server read: the client's
                          // close_notify ends its input; it closes too.
                          server_stream_->async_read_some(
                              asio::buffer(server_buffer), [&](error_code read_error, std::size_t) {
                                server_read = read_error;
                                server_stream_->async_shutdown(
                                    [&](error_code error2) { server_shutdown = error2; });
                              });
                        });
    };
    asio::async_write(
        *server_stream_, asio::buffer(std::string_view("first part; ")),
        [&](error_code first, std::size_t) { ASSERT_FALSE(first) << first.message(); });
  });
  run_bounded(io_);

  EXPECT_FALSE(client_shutdown) << client_shutdown.message();
  EXPECT_EQ(send_second_part, nullptr) << "the client never read the first part alone";
  EXPECT_FALSE(server_write) << server_write.message();
  EXPECT_EQ(client_got, "first part; second part");
  // The read ended at the server's close_notify, not at our own.
  EXPECT_EQ(client_read, asio::error::eof) << client_read.message();
  EXPECT_EQ(server_read, asio::error::eof) << server_read.message();
  EXPECT_FALSE(server_shutdown) << server_shutdown.message();
}

TEST_P(HalfCloseStreamTest, ShutdownWithoutAReadWaitsForThePeersCloseNotify) {
  error_code client_shutdown = asio::error::would_block;
  client_stream_->async_shutdown([&](error_code error) { client_shutdown = error; });
  settle();
  // Nobody reads on the client: the shutdown waits for the server's
  // close_notify (like asio::ssl::stream), discarding data before it.
  EXPECT_EQ(client_shutdown, asio::error::would_block);

  error_code server_read = asio::error::would_block;
  std::array<std::uint8_t, 16> server_buffer{};
  asio::async_write(*server_stream_, asio::buffer(std::string_view("unread")),
                    [&](error_code error, std::size_t) {
                      ASSERT_FALSE(error) << error.message();
                      server_stream_->async_read_some(
                          asio::buffer(server_buffer), [&](error_code read_error, std::size_t) {
                            // TLS 1.2 engines answer close_notify as they read
                            // it; in TLS 1.3 the server closes its side itself.
                            server_read = read_error;
                            server_stream_->async_shutdown([](error_code) {});
                          });
                    });
  run_bounded(io_);
  EXPECT_EQ(server_read, asio::error::eof);
  EXPECT_FALSE(client_shutdown) << client_shutdown.message();
}

TEST_P(HalfCloseStreamTest, PeerHangingUpWithoutCloseNotifyAfterOurShutdownIsTruncation) {
  std::array<std::uint8_t, 64> buffer{};
  error_code client_read = asio::error::would_block;
  std::size_t client_got = 0;
  client_stream_->async_shutdown([&](error_code error) {
    ASSERT_FALSE(error) << error.message();
    client_stream_->async_read_some(asio::buffer(buffer),
                                    [&](error_code read_error, std::size_t n) {
                                      client_read = read_error;
                                      client_got = n;
                                    });
  });
  // With no read pending the shutdown waits for the server, which hangs up
  // without a close_notify: our side is closed, so the shutdown succeeds,
  // but the server's data may have been cut off, and the read says so.
  settle();
  ASSERT_EQ(client_read, asio::error::would_block) << "the shutdown did not wait for the server";
  server_stream_->next_layer().close();
  run_bounded(io_);
  EXPECT_EQ(client_got, 0U);
  EXPECT_EQ(client_read, transport::Errc::stream_truncated) << client_read.message();
}

}  // namespace
}  // namespace pgptls::test
