// transport::Stream over the in-memory stream pair, with GnuTLS engines on
// both sides and certificates made by certtool: handshake and session,
// rejection, 1 MiB echo both ways with random read/write sizes, shutdown
// both ways, truncation, cancellation mid-handshake, API misuse, and the
// three kinds of completion token (callbacks, use_awaitable, use_future).
#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <exception>
#include <future>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/transport/memory_stream.h"
#include "tests/transport/transport_fixture.h"
#include "tls/wire/errors.h"
#include "transport/errors.h"
#include "transport/stream.h"

namespace pgptls::test {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using MemoryTls = transport::Stream<MemoryStream>;

Bytes random_bytes(std::size_t size, std::uint32_t seed) {
  std::mt19937 generator(seed);
  Bytes bytes(size);
  for (auto& byte : bytes) {
    byte = static_cast<std::uint8_t>(generator());
  }
  return bytes;
}

class StreamTest : public TransportTest {
 protected:
  void SetUp() override {
    TransportTest::SetUp();
    auto [a, b] = MemoryStream::make_pair(io_.get_executor());
    client_stream_ = std::make_unique<MemoryTls>(client_factory(), std::move(a));
    server_stream_ = std::make_unique<MemoryTls>(server_factory(), std::move(b));
  }

  // handshake_both: runs both handshakes with callbacks.
  void handshake_both(error_code& client_error, error_code& server_error) {
    client_error = asio::error::would_block;
    server_error = asio::error::would_block;
    client_stream_->async_handshake(tls::Role::client,
                                    transport::HandshakeOptions::for_peer("a.example"),
                                    [&](error_code error) { client_error = error; });
    server_stream_->async_handshake(tls::Role::server, {},
                                    [&](error_code error) { server_error = error; });
    run_bounded(io_);
  }

  void establish() {
    error_code client_error;
    error_code server_error;
    handshake_both(client_error, server_error);
    ASSERT_FALSE(client_error) << client_error.message();
    ASSERT_FALSE(server_error) << server_error.message();
  }

  asio::io_context io_;
  std::unique_ptr<MemoryTls> client_stream_;
  std::unique_ptr<MemoryTls> server_stream_;
};

TEST_F(StreamTest, HandshakeWithCallbacksExposesTheVerifiedSession) {
  establish();
  ASSERT_TRUE(client_stream_->established());
  const tls::SessionInfo& client = client_stream_->session();
  EXPECT_EQ(client.protocol, "TLS1.3");
  EXPECT_FALSE(client.cipher_suite.empty());
  EXPECT_EQ(client.certificate_type, tls::CertificateType::x509);
  ASSERT_TRUE(client.peer.has_value());
  EXPECT_EQ(client.peer->domains, std::vector<std::string>{"a.example"});
  EXPECT_EQ(client.peer->accepted_by, "test pin");
  const tls::SessionInfo& server = server_stream_->session();
  ASSERT_TRUE(server.peer.has_value());
  EXPECT_EQ(server.peer->accepted_by, "test pin");
  // The server's factory saw the start of the ClientHello (a TLS record).
  EXPECT_EQ(server_factory_calls_, 1);
  EXPECT_GE(server_first_bytes_, 5U);
}

TEST_F(StreamTest, HandshakeSurvivesRecordsSplitIntoTinyReads) {
  client_stream_->next_layer().set_max_read_chunk(3);
  server_stream_->next_layer().set_max_read_chunk(1);
  establish();
  EXPECT_EQ(client_stream_->session().peer->domains, std::vector<std::string>{"a.example"});
}

TEST_F(StreamTest, ServerFactoryIsAskedAgainUntilTheClientHelloIsComplete) {
  // A dispatcher that wants the whole first record before choosing.
  server_stream_ = nullptr;
  auto [a, b] = MemoryStream::make_pair(io_.get_executor());
  client_stream_ = std::make_unique<MemoryTls>(client_factory(), std::move(a));
  std::vector<std::size_t> seen;
  auto inner = server_factory();
  transport::EngineFactory peeking =
      [&seen,
       inner](const transport::EngineRequest& request) -> Result<std::unique_ptr<tls::Engine>> {
    seen.push_back(request.first_bytes.size());
    if (request.first_bytes.size() < 5) {
      return make_error(transport::Errc::need_more_input);
    }
    const std::size_t record =
        5U + (std::size_t{request.first_bytes[3]} << 8U) + request.first_bytes[4];
    if (request.first_bytes.size() < record) {
      return make_error(transport::Errc::need_more_input);
    }
    return inner(request);
  };
  server_stream_ = std::make_unique<MemoryTls>(peeking, std::move(b));
  server_stream_->next_layer().set_max_read_chunk(100);
  establish();
  ASSERT_GE(seen.size(), 2U);
  EXPECT_EQ(seen.front(), 100U);
  EXPECT_GT(seen.back(), seen.front());
}

TEST_F(StreamTest, OversizedClientHelloIsRejected) {
  // A "dispatcher" that never finds a complete ClientHello: the stream stops
  // buffering at the peek limit.
  server_stream_ = nullptr;
  auto [a, b] = MemoryStream::make_pair(io_.get_executor());
  transport::EngineFactory never =
      [](const transport::EngineRequest&) -> Result<std::unique_ptr<tls::Engine>> {
    return make_error(transport::Errc::need_more_input);
  };
  server_stream_ = std::make_unique<MemoryTls>(never, std::move(b));
  a.write_some(asio::buffer(Bytes(transport::kMaxClientHelloPeek + 10, 0x16)),
               *std::make_unique<error_code>());
  error_code server_error;
  server_stream_->async_handshake(tls::Role::server, {},
                                  [&](error_code error) { server_error = error; });
  run_bounded(io_);
  EXPECT_EQ(server_error, transport::Errc::client_hello_too_large);
  ASSERT_TRUE(server_stream_->last_error().has_value());
  EXPECT_NE(server_stream_->last_error()->message().find("ClientHello exceeds the size limit"),
            std::string::npos);
}

TEST_F(StreamTest, RejectedPeerFailsWithTheVerifierMessage) {
  client_verifier_->accepted.clear();
  error_code client_error;
  error_code server_error;
  handshake_both(client_error, server_error);
  EXPECT_EQ(client_error, tls::Errc::peer_rejected);
  ASSERT_TRUE(client_stream_->last_error().has_value());
  EXPECT_NE(client_stream_->last_error()->message().find("matches no pin"), std::string::npos)
      << client_stream_->last_error()->message();
  // The server learns of it through the alert the client sent.
  EXPECT_TRUE(server_error);
  EXPECT_FALSE(server_stream_->established());
  // A failed stream stays failed.
  std::array<std::uint8_t, 16> buffer{};
  error_code read_error;
  client_stream_->async_read_some(asio::buffer(buffer),
                                  [&](error_code error, std::size_t) { read_error = error; });
  run_bounded(io_);
  EXPECT_EQ(read_error, tls::Errc::peer_rejected);
}

TEST_F(StreamTest, NegotiatedAlpnIsInTheSession) {
  transport::HandshakeOptions client_options = transport::HandshakeOptions::for_peer("a.example");
  client_options.alpn = {"xmpp-server", "h2"};
  transport::HandshakeOptions server_options;
  server_options.alpn = {"xmpp-server"};
  error_code client_error = asio::error::would_block;
  error_code server_error = asio::error::would_block;
  client_stream_->async_handshake(tls::Role::client, client_options,
                                  [&](error_code error) { client_error = error; });
  server_stream_->async_handshake(tls::Role::server, server_options,
                                  [&](error_code error) { server_error = error; });
  run_bounded(io_);
  ASSERT_FALSE(client_error) << client_error.message();
  ASSERT_FALSE(server_error) << server_error.message();
  EXPECT_EQ(client_stream_->session().alpn, "xmpp-server");
  EXPECT_EQ(server_stream_->session().alpn, "xmpp-server");
}

TEST_F(StreamTest, TamperedRecordFailsTheReaderAndAlertsThePeer) {
  establish();
  const std::string text = "tamper with me";
  error_code write_error = asio::error::would_block;
  client_stream_->async_write_some(asio::buffer(text),
                                   [&](error_code error, std::size_t) { write_error = error; });
  run_bounded(io_);
  ASSERT_FALSE(write_error);
  ASSERT_TRUE(server_stream_->next_layer().corrupt_inbound());
  std::array<std::uint8_t, 64> buffer{};
  error_code server_read;
  error_code client_read;
  server_stream_->async_read_some(asio::buffer(buffer),
                                  [&](error_code error, std::size_t) { server_read = error; });
  client_stream_->async_read_some(asio::buffer(buffer),
                                  [&](error_code error, std::size_t) { client_read = error; });
  run_bounded(io_);
  EXPECT_EQ(server_read, tls::Errc::bad_record_mac) << server_read.message();
  // The server's read sent the bad_record_mac alert before failing.
  EXPECT_EQ(client_read, tls::Errc::alert_received) << client_read.message();
  ASSERT_TRUE(client_stream_->last_error().has_value());
  EXPECT_NE(client_stream_->last_error()->message().find("bad_record_mac"), std::string::npos)
      << client_stream_->last_error()->message();
}

TEST_F(StreamTest, EchoesOneMebibyteBothWaysWithRandomSizesUsingAwaitable) {
  establish();
  constexpr std::size_t kTotal = std::size_t{1} << 20;
  const Bytes sent = random_bytes(kTotal, 1);
  Bytes received;
  bool server_saw_eof = false;
  bool client_closed = false;

  // The server echoes until the client's close_notify, then closes too.
  asio::co_spawn(
      io_,
      [&]() -> asio::awaitable<void> {
        std::mt19937 sizes(2);
        Bytes buffer(70000);
        for (;;) {
          const std::size_t want = 1 + sizes() % buffer.size();
          auto [error, got] = co_await server_stream_->async_read_some(
              asio::buffer(buffer.data(), want), asio::as_tuple(asio::use_awaitable));
          if (error == asio::error::eof) {
            server_saw_eof = true;
            break;
          }
          if (error) {
            throw boost::system::system_error(error);
          }
          co_await asio::async_write(*server_stream_, asio::buffer(buffer.data(), got),
                                     asio::use_awaitable);
        }
        co_await server_stream_->async_shutdown(asio::use_awaitable);
      },
      report("server"));

  // The client writes and reads at the same time, in random sizes.
  asio::co_spawn(
      io_,
      [&]() -> asio::awaitable<void> {
        std::mt19937 sizes(3);
        std::size_t offset = 0;
        while (offset < kTotal) {
          const std::size_t chunk = std::min<std::size_t>(1 + sizes() % 40000, kTotal - offset);
          offset += co_await client_stream_->async_write_some(
              asio::buffer(sent.data() + offset, chunk), asio::use_awaitable);
        }
      },
      report("client writer"));
  asio::co_spawn(
      io_,
      [&]() -> asio::awaitable<void> {
        std::mt19937 sizes(4);
        Bytes buffer(50000);
        while (received.size() < kTotal) {
          const std::size_t got = co_await client_stream_->async_read_some(
              asio::buffer(buffer.data(), 1 + sizes() % buffer.size()), asio::use_awaitable);
          received.insert(received.end(), buffer.begin(),
                          buffer.begin() + static_cast<std::ptrdiff_t>(got));
        }
        co_await client_stream_->async_shutdown(asio::use_awaitable);
        client_closed = true;
      },
      report("client reader"));

  run_bounded(io_, std::chrono::seconds(60));
  EXPECT_EQ(received.size(), kTotal);
  EXPECT_TRUE(received == sent);
  EXPECT_TRUE(server_saw_eof);
  EXPECT_TRUE(client_closed);
}

TEST_F(StreamTest, ServerShutdownEndsAPendingClientReadWithEof) {
  establish();
  std::array<std::uint8_t, 64> buffer{};
  error_code read_error;
  error_code server_shutdown = asio::error::would_block;
  error_code client_shutdown = asio::error::would_block;
  client_stream_->async_read_some(asio::buffer(buffer), [&](error_code error, std::size_t) {
    read_error = error;
    // The peer's close_notify already arrived: ours completes the closure.
    client_stream_->async_shutdown([&](error_code error2) { client_shutdown = error2; });
  });
  server_stream_->async_shutdown([&](error_code error) { server_shutdown = error; });
  run_bounded(io_);
  EXPECT_EQ(read_error, asio::error::eof);
  EXPECT_FALSE(server_shutdown) << server_shutdown.message();
  EXPECT_FALSE(client_shutdown) << client_shutdown.message();
}

TEST_F(StreamTest, ClientShutdownSendsCloseNotifyAndTheServerAnswers) {
  // The server reads eof and answers with its own close_notify, which
  // completes the client's shutdown (with no read pending, a shutdown waits
  // for the peer's close_notify; tests/transport/half_close_test.cpp).
  establish();
  std::array<std::uint8_t, 64> buffer{};
  error_code server_read;
  error_code server_shutdown = asio::error::would_block;
  error_code client_shutdown = asio::error::would_block;
  server_stream_->async_read_some(asio::buffer(buffer), [&](error_code error, std::size_t) {
    server_read = error;
    server_stream_->async_shutdown([&](error_code error2) { server_shutdown = error2; });
  });
  client_stream_->async_shutdown([&](error_code error) { client_shutdown = error; });
  run_bounded(io_);
  EXPECT_EQ(server_read, asio::error::eof);
  EXPECT_FALSE(client_shutdown) << client_shutdown.message();
  EXPECT_FALSE(server_shutdown) << server_shutdown.message();
  // After close_notify nothing more may be written (RFC 8446 §6.1).
  error_code late_write;
  client_stream_->async_write_some(asio::buffer(buffer),
                                   [&](error_code error, std::size_t) { late_write = error; });
  run_bounded(io_);
  EXPECT_TRUE(late_write);
}

TEST_F(StreamTest, EofWithoutCloseNotifyIsStreamTruncated) {
  establish();
  const std::string hello = "partial data";
  error_code write_error;
  client_stream_->async_write_some(asio::buffer(hello), [&](error_code error, std::size_t) {
    write_error = error;
    // Drop the transport without a close_notify.
    client_stream_->next_layer().close();
  });
  std::array<std::uint8_t, 64> buffer{};
  std::string got;
  error_code read_error;
  std::function<void()> read_more = [&] {
    server_stream_->async_read_some(asio::buffer(buffer), [&](error_code error, std::size_t n) {
      got.append(reinterpret_cast<const char*>(buffer.data()), n);
      if (error) {
        read_error = error;
        return;
      }
      read_more();
    });
  };
  read_more();
  run_bounded(io_);
  EXPECT_FALSE(write_error);
  EXPECT_EQ(got, hello);
  EXPECT_EQ(read_error, transport::Errc::stream_truncated);
  ASSERT_TRUE(server_stream_->last_error().has_value());
  EXPECT_NE(server_stream_->last_error()->message().find("without a TLS close_notify"),
            std::string::npos);
}

TEST_F(StreamTest, EofDuringTheHandshakeIsStreamTruncated) {
  error_code client_error;
  client_stream_->async_handshake(tls::Role::client,
                                  transport::HandshakeOptions::for_peer("a.example"),
                                  [&](error_code error) { client_error = error; });
  // The "server" reads the ClientHello and hangs up.
  server_stream_->next_layer().close();
  run_bounded(io_);
  EXPECT_EQ(client_error, transport::Errc::stream_truncated);
  EXPECT_NE(client_stream_->last_error()->message().find("during the handshake"), std::string::npos)
      << client_stream_->last_error()->message();
}

TEST_F(StreamTest, CancellationSlotAbortsAHandshakeForGood) {
  // The server never answers; the client's handshake is cancelled.
  asio::cancellation_signal signal;
  error_code client_error = asio::error::would_block;
  client_stream_->async_handshake(
      tls::Role::client, transport::HandshakeOptions::for_peer("a.example"),
      asio::bind_cancellation_slot(signal.slot(), [&](error_code error) { client_error = error; }));
  // Everything that can run has run: the ClientHello is out and the client
  // waits for an answer that never comes. Then it is cancelled.
  io_.poll();
  ASSERT_EQ(client_error, asio::error::would_block) << client_error.message();
  ASSERT_GT(client_stream_->next_layer().bytes_written(), 0U) << "no ClientHello was sent";
  signal.emit(asio::cancellation_type::terminal);
  run_bounded(io_);
  EXPECT_EQ(client_error, asio::error::operation_aborted);
  // The engine is mid-handshake: the stream cannot be used any more.
  std::array<std::uint8_t, 8> buffer{};
  error_code later;
  client_stream_->async_read_some(asio::buffer(buffer),
                                  [&](error_code error, std::size_t) { later = error; });
  run_bounded(io_);
  EXPECT_EQ(later, asio::error::operation_aborted);
}

// The handshake deadline is the stream's timer, so it ends a handshake with
// a peer that sends nothing at all (no engine clock runs without bytes).
TEST_F(StreamTest, HandshakeDeadlineEndsTheHandshakeOfASilentPeer) {
  auto options = transport::HandshakeOptions::for_peer("a.example");
  options.timeout = std::chrono::milliseconds(50);
  error_code client_error;
  client_stream_->async_handshake(tls::Role::client, std::move(options),
                                  [&](error_code error) { client_error = error; });
  run_bounded(io_);
  EXPECT_EQ(client_error, transport::Errc::handshake_timeout) << client_error.message();
  ASSERT_TRUE(client_stream_->last_error().has_value());
  EXPECT_NE(client_stream_->last_error()->message().find("no complete handshake within 50 ms"),
            std::string::npos)
      << client_stream_->last_error()->message();
  // Failed for good: a later read fails too.
  std::array<std::uint8_t, 8> buffer{};
  error_code later;
  client_stream_->async_read_some(asio::buffer(buffer),
                                  [&](error_code error, std::size_t) { later = error; });
  run_bounded(io_);
  EXPECT_TRUE(later);
}

// A handshake that completes stops its deadline: the io_context runs out of
// work at once instead of waiting for a timer a minute away.
TEST_F(StreamTest, CompletedHandshakeStopsItsDeadline) {
  auto client_options = transport::HandshakeOptions::for_peer("a.example");
  client_options.timeout = std::chrono::minutes(1);
  transport::HandshakeOptions server_options;
  server_options.timeout = std::chrono::minutes(1);
  error_code client_error = asio::error::would_block;
  error_code server_error = asio::error::would_block;
  client_stream_->async_handshake(tls::Role::client, std::move(client_options),
                                  [&](error_code error) { client_error = error; });
  server_stream_->async_handshake(tls::Role::server, std::move(server_options),
                                  [&](error_code error) { server_error = error; });
  run_bounded(io_, std::chrono::seconds(20));
  EXPECT_FALSE(client_error) << client_error.message();
  EXPECT_FALSE(server_error) << server_error.message();
  EXPECT_TRUE(client_stream_->established());
}

TEST_F(StreamTest, CancelAbortsAPendingHandshake) {
  error_code client_error;
  client_stream_->async_handshake(tls::Role::client,
                                  transport::HandshakeOptions::for_peer("a.example"),
                                  [&](error_code error) { client_error = error; });
  asio::post(io_, [&] { client_stream_->cancel(); });
  run_bounded(io_);
  EXPECT_EQ(client_error, asio::error::operation_aborted);
}

TEST_F(StreamTest, CancelledReadLeavesTheStreamUsable) {
  establish();
  asio::cancellation_signal signal;
  std::array<std::uint8_t, 64> buffer{};
  error_code first;
  client_stream_->async_read_some(
      asio::buffer(buffer),
      asio::bind_cancellation_slot(signal.slot(),
                                   [&](error_code error, std::size_t) { first = error; }));
  asio::post(io_, [&] { signal.emit(asio::cancellation_type::terminal); });
  run_bounded(io_);
  EXPECT_EQ(first, asio::error::operation_aborted);

  const std::string message = "still alive";
  asio::async_write(*server_stream_, asio::buffer(message), [](error_code, std::size_t) {});
  std::size_t got = 0;
  error_code second;
  client_stream_->async_read_some(asio::buffer(buffer), [&](error_code error, std::size_t n) {
    second = error;
    got = n;
  });
  run_bounded(io_);
  EXPECT_FALSE(second) << second.message();
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(buffer.data()), got), message);
}

TEST_F(StreamTest, MisuseIsReportedNotIgnored) {
  std::array<std::uint8_t, 8> buffer{};
  error_code early_read;
  error_code early_write;
  client_stream_->async_read_some(asio::buffer(buffer),
                                  [&](error_code error, std::size_t) { early_read = error; });
  client_stream_->async_write_some(asio::buffer(buffer),
                                   [&](error_code error, std::size_t) { early_write = error; });
  run_bounded(io_);
  EXPECT_EQ(early_read, transport::Errc::not_established);
  EXPECT_EQ(early_write, transport::Errc::not_established);

  establish();
  error_code again;
  client_stream_->async_handshake(tls::Role::client, {}, [&](error_code error) { again = error; });
  run_bounded(io_);
  EXPECT_EQ(again, transport::Errc::already_started);
  EXPECT_TRUE(client_stream_->established())
      << "a refused second handshake must not break the stream";

  error_code first_read = asio::error::would_block;
  error_code second_read;
  client_stream_->async_read_some(asio::buffer(buffer),
                                  [&](error_code error, std::size_t) { first_read = error; });
  client_stream_->async_read_some(asio::buffer(buffer),
                                  [&](error_code error, std::size_t) { second_read = error; });
  asio::post(io_, [&] { client_stream_->cancel(); });
  run_bounded(io_);
  EXPECT_EQ(second_read, transport::Errc::operation_in_progress);
  EXPECT_EQ(first_read, asio::error::operation_aborted);
}

TEST_F(StreamTest, UseFutureCompletesEveryOperation) {
  auto work = asio::make_work_guard(io_);
  std::thread runner([this] { io_.run(); });
  auto client_handshake = client_stream_->async_handshake(
      tls::Role::client, transport::HandshakeOptions::for_peer("a.example"), asio::use_future);
  auto server_handshake = server_stream_->async_handshake(tls::Role::server, {}, asio::use_future);
  const auto limit = std::chrono::seconds(20);
  bool ok = client_handshake.wait_for(limit) == std::future_status::ready &&
            server_handshake.wait_for(limit) == std::future_status::ready;
  if (ok) {
    EXPECT_NO_THROW(client_handshake.get());
    EXPECT_NO_THROW(server_handshake.get());
    const std::string text = "via futures";
    std::array<char, 32> buffer{};
    auto written = asio::async_write(*client_stream_, asio::buffer(text), asio::use_future);
    auto read = asio::async_read(*server_stream_, asio::buffer(buffer.data(), text.size()),
                                 asio::use_future);
    ok = written.wait_for(limit) == std::future_status::ready &&
         read.wait_for(limit) == std::future_status::ready;
    if (ok) {
      EXPECT_EQ(written.get(), text.size());
      EXPECT_EQ(read.get(), text.size());
      EXPECT_EQ(std::string(buffer.data(), text.size()), text);
    }
    // A failure arrives as an exception from the future.
    auto again = client_stream_->async_handshake(tls::Role::client, {}, asio::use_future);
    if (again.wait_for(limit) == std::future_status::ready) {
      EXPECT_THROW(again.get(), boost::system::system_error);
    }
  }
  EXPECT_TRUE(ok) << "a future did not become ready";
  work.reset();
  asio::post(io_, [this] { io_.stop(); });
  runner.join();
}

}  // namespace
}  // namespace pgptls::test
