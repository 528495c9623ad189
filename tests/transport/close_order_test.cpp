// Close order: close_notify is an alert in the record stream (RFC 5246 §6,
// §7.2.1; RFC 8446 §6.1), so it is received only when the application has
// read the data of the records before it. A TLS 1.2 engine answers it then
// (RFC 5246 §7.2.1: at once, discarding pending writes), not when its
// bytes are decrypted: an application that reads, writes its reply and
// reads again (an echo) has sent every reply before its answer. So a client
// that sends data and close_notify back to back and reads until the peer's
// close_notify gets the whole echo, with no quiet period. Checked for the
// GnuTLS engine (TLS 1.2 and 1.3) and the RFC 6091 engine (TLS 1.2), in
// memory and through transport::Stream over loopback TCP.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <thread>

#include "tests/support/engine_pump.h"
#include "tests/support/socket_driver.h"
#include "tests/transport/engine_flavor.h"
#include "transport/server.h"

namespace pgptls::test {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;
using tls::EngineStatus;

// read_exactly: `size` bytes of application data, in small pieces, without
// the further read that would meet a close_notify behind them.
std::string read_exactly(tls::Engine& engine, std::size_t size) {
  std::string text;
  std::array<std::uint8_t, 256> buffer{};
  while (text.size() < size) {
    const std::size_t want = std::min(buffer.size(), size - text.size());
    const auto got = engine.read_app(std::span(buffer).first(want));
    if (!got.ok() || *got == 0) {
      return text;
    }
    text.append(reinterpret_cast<const char*>(buffer.data()), *got);
  }
  return text;
}

// payload: `size` bytes of a repeating, position-dependent pattern, so a
// lost or reordered record shows in the comparison.
std::string payload(std::size_t size) {
  std::string text(size, '\0');
  for (std::size_t i = 0; i < size; ++i) {
    text[i] = static_cast<char>('a' + (i * 7 + i / 26) % 26);
  }
  return text;
}

class CloseOrderTest : public EngineFlavorTest {
 protected:
  // established: a client and a server engine of the flavor, their
  // handshake done in memory (a test failure if it fails).
  std::pair<std::unique_ptr<tls::Engine>, std::unique_ptr<tls::Engine>> established() {
    auto pair = engines();
    if (!pair.first || !pair.second) {
      ADD_FAILURE() << "no engines";
      return pair;
    }
    const PumpResult pumped = pump_engines_in_memory(*pair.first, *pair.second);
    EXPECT_TRUE(pumped.both_established()) << pumped.describe(*pair.first, *pair.second);
    return pair;
  }
};

INSTANTIATE_TEST_SUITE_P(Engines, CloseOrderTest,
                         ::testing::Values(Flavor::gnutls13, Flavor::gnutls12, Flavor::rfc6091),
                         flavor_name);

TEST_P(CloseOrderTest, CloseNotifyBehindDataTakesEffectOnlyOnceTheDataIsRead) {
  auto [client, server] = established();
  ASSERT_FALSE(HasFailure());

  // Two data records and the close_notify, fed to the server in one buffer.
  const std::string request = payload(20'000);
  ASSERT_TRUE(client->write_app(as_bytes_view(request)).ok());
  ASSERT_TRUE(client->close().ok());
  ASSERT_GT(transfer(*client, *server), request.size());

  // The close_notify is decrypted but not yet received: the data before it
  // is unread, so the server neither answers nor reports closed.
  EXPECT_EQ(server->status(), EngineStatus::established);
  EXPECT_TRUE(server->pending_output().empty());

  // The server reads the data and writes its reply, which is not refused;
  // the reply goes out alone (no close_notify answer yet).
  EXPECT_EQ(read_exactly(*server, request.size()), request);
  EXPECT_EQ(server->status(), EngineStatus::established);
  const auto echoed = server->write_app(as_bytes_view(request));
  ASSERT_TRUE(echoed.ok()) << echoed.error().message();
  transfer(*server, *client);
  EXPECT_EQ(server->status(), EngineStatus::established);
  EXPECT_EQ(read_exactly(*client, request.size()), request);
  EXPECT_EQ(client->status(), EngineStatus::established);

  // Its next read meets the close_notify: no data, and the close is
  // received. TLS 1.2 answers it at once (RFC 5246 §7.2.1); TLS 1.3 closes
  // only the client's direction (RFC 8446 §6.1) until the server closes.
  std::array<std::uint8_t, 16> more{};
  const auto at_close = server->read_app(more);
  ASSERT_TRUE(at_close.ok()) << at_close.error().message();
  EXPECT_EQ(*at_close, 0U);
  if (tls13()) {
    EXPECT_EQ(server->status(), EngineStatus::closed);
    ASSERT_TRUE(server->close().ok());
  }
  EXPECT_EQ(server->status(), EngineStatus::has_output);
  transfer(*server, *client);
  EXPECT_EQ(server->status(), EngineStatus::closed);
  const auto late = server->write_app(as_bytes_view("late"));
  ASSERT_FALSE(late.ok());
  EXPECT_NE(late.error().message().find("write_app() after close"), std::string::npos)
      << late.error().message();

  // The client's read after the reply meets the server's close_notify.
  EXPECT_EQ(read_all(*client), "");
  EXPECT_EQ(client->status(), EngineStatus::closed);
  EXPECT_FALSE(client->failure().has_value());
  EXPECT_FALSE(server->failure().has_value());
}

TEST_P(CloseOrderTest, BytesAfterCloseNotifyAreIgnoredWhileItsDataIsUnread) {
  if (gnutls()) {
    GTEST_SKIP() << "the RFC 6091 engine's rule; GnuTLS decides for itself";
  }
  auto [client, server] = established();
  ASSERT_FALSE(HasFailure());
  const std::string request = payload(1'000);
  ASSERT_TRUE(client->write_app(as_bytes_view(request)).ok());
  ASSERT_TRUE(client->close().ok());
  transfer(*client, *server);

  // RFC 5246 §7.2.1: nothing after close_notify counts. A peer that goes on
  // sending while the application has not read up to it gets nothing
  // delivered and no error (these bytes are no valid record: parsed, they
  // would fail the connection).
  const Bytes after(64 * 1024, 0x17);
  for (int i = 0; i < 16; ++i) {
    const Status fed = server->feed(after);
    ASSERT_TRUE(fed.ok()) << fed.error().message();
  }
  EXPECT_EQ(read_all(*server), request);
  EXPECT_EQ(server->status(), EngineStatus::has_output);
  EXPECT_FALSE(server->failure().has_value());
}

TEST_P(CloseOrderTest, CloseNotifyWithNoDataBeforeItIsAnsweredAtOnce) {
  auto [client, server] = established();
  ASSERT_FALSE(HasFailure());

  ASSERT_TRUE(client->close().ok());
  transfer(*client, *server);
  // Nothing is left to read before it: the close is received on arrival,
  // and a TLS 1.2 server has queued its answer (RFC 5246 §7.2.1).
  EXPECT_EQ(server->status(), tls13() ? EngineStatus::closed : EngineStatus::has_output);
  EXPECT_EQ(read_all(*server), "");
}

// EchoServer: a sequential echo on transport::Stream (read, write the
// reply in full, read again; at the client's close_notify, shut down), as
// `pgptls serve --echo` does, for one connection on a loopback port.
class EchoServer {
 public:
  EchoServer(asio::io_context& io, transport::EngineFactory factory)
      : acceptor_(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
        stream_(std::move(factory), io.get_executor()) {}

  [[nodiscard]] std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

  void start() {
    acceptor_.async_accept(stream_.next_layer(), [this](error_code error) {
      if (error) {
        result = error;
        return;
      }
      stream_.async_handshake(tls::Role::server, {}, [this](error_code handshake) {
        if (handshake) {
          result = handshake;
          return;
        }
        read();
      });
    });
  }

  error_code result = asio::error::would_block;
  std::string echoed;

 private:
  void read() {
    stream_.async_read_some(asio::buffer(buffer_), [this](error_code error, std::size_t count) {
      if (error == asio::error::eof) {
        stream_.async_shutdown([this](error_code shutdown) { result = shutdown; });
        return;
      }
      if (error) {
        result = error;
        return;
      }
      asio::async_write(stream_, asio::buffer(buffer_, count),
                        [this, count](error_code write_error, std::size_t) {
                          if (write_error) {
                            result = write_error;
                            return;
                          }
                          echoed.append(buffer_.data(), count);
                          read();
                        });
    });
  }

  tcp::acceptor acceptor_;
  transport::TcpStream stream_;
  std::array<char, 4096> buffer_{};
};

// EchoRun: what one connection to the echo server showed on both sides.
struct EchoRun {
  bool established = false;
  bool queued = false;
  std::string received;
  EngineStatus final_status = EngineStatus::need_input;
  std::string failure;
  std::string echoed;
  error_code server_result;
};

class CloseOrderStreamTest : public CloseOrderTest {
 protected:
  // echo_once: an EchoServer of the flavor and a blocking client that sends
  // `request` and its close_notify in one send(), then reads until the
  // server's close_notify.
  EchoRun echo_once(const std::string& request) {
    asio::io_context io;
    EchoServer server(io, [this](const transport::EngineRequest&) {
      return Result<std::unique_ptr<tls::Engine>>(engine(tls::Role::server));
    });
    server.start();
    auto client = engine(tls::Role::client);
    EchoRun run;
    if (!client) {
      return run;
    }
    std::thread peer([&, port = server.port()] {
      SocketDriver driver(connect_loopback(port, std::chrono::seconds(10)), *client);
      run.established = driver.handshake(std::chrono::seconds(10));
      if (!run.established) {
        run.failure = driver.error();
        return;
      }
      // Both queued, then one flush: one send() of data and close_notify.
      run.queued = client->write_app(as_bytes_view(request)).ok() && client->close().ok();
      driver.close(std::chrono::seconds(10));
      // Reads until the server's close_notify (the needle is never sent).
      run.received = driver.read_until("\x01 never sent", std::chrono::seconds(10));
      run.final_status = client->status();
      run.failure = client->failure() ? client->failure()->message() : driver.error();
    });
    run_bounded(io);
    peer.join();
    run.echoed = server.echoed;
    run.server_result = server.result;
    return run;
  }
};

INSTANTIATE_TEST_SUITE_P(Engines, CloseOrderStreamTest,
                         ::testing::Values(Flavor::gnutls13, Flavor::gnutls12, Flavor::rfc6091),
                         flavor_name);

TEST_P(CloseOrderStreamTest, EchoServerSendsTheWholeEchoBeforeAnsweringCloseNotify) {
  // One record, and several (more than the server reads at once).
  for (const std::string& request : {std::string("hello\n"), payload(40'000)}) {
    SCOPED_TRACE("request of " + std::to_string(request.size()) + " bytes");
    const EchoRun run = echo_once(request);
    ASSERT_TRUE(run.established) << run.failure;
    EXPECT_TRUE(run.queued);
    EXPECT_EQ(run.received.size(), request.size());
    EXPECT_TRUE(run.received == request) << "the echo differs from the request";
    EXPECT_EQ(run.final_status, EngineStatus::closed) << run.failure;
    EXPECT_TRUE(run.echoed == request) << "the server echoed " << run.echoed.size() << " bytes";
    EXPECT_FALSE(run.server_result) << run.server_result.message();
  }
}

}  // namespace
}  // namespace pgptls::test
