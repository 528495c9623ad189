// transport::Server, transport::async_connect and the synchronous Stream API
// over real loopback sockets, with GnuTLS engines and certtool-made X.509
// certificates: handshakes, the handshake deadline (silent peers, 200 of
// them at once while real clients still get through), the handshake and
// connection limits, the idle timeout, and the client's deadline.
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/transport/loopback_server_fixture.h"
#include "tls/wire/errors.h"
#include "transport/client.h"
#include "transport/errors.h"
#include "transport/server.h"
#include "transport/stream.h"

namespace pgptls::test {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

const tcp::endpoint kLoopback(asio::ip::make_address_v4("127.0.0.1"), 0);

// set_receive_timeout: bounds blocking reads (SO_RCVTIMEO) so a broken
// synchronous test fails instead of hanging.
void set_receive_timeout(tcp::socket& socket, std::chrono::seconds limit) {
  timeval value{};
  value.tv_sec = static_cast<time_t>(limit.count());
  ASSERT_EQ(::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &value, sizeof(value)),
            0);
}

class ServerTest : public LoopbackServerTest {
 protected:
  // connect_client: a TLS client that connects, handshakes, sends `text`,
  // reads the echo and closes; `done` gets the result.
  void connect_client(const std::string& text, std::function<void(error_code, std::string)> done,
                      std::chrono::milliseconds deadline = std::chrono::seconds(10)) {
    auto stream = std::make_shared<transport::TcpStream>(client_factory(), io_.get_executor());
    auto reply = std::make_shared<std::string>(text.size(), '\0');
    transport::async_connect(
        *stream, std::vector<tcp::endpoint>{endpoint_},
        transport::HandshakeOptions::for_peer("a.example"), deadline,
        [stream, reply, text, done](error_code error) {
          if (error) {
            done(error, {});
            return;
          }
          asio::async_write(*stream, asio::buffer(text),
                            [stream, reply, done](error_code write_error, std::size_t) {
                              if (write_error) {
                                done(write_error, {});
                                return;
                              }
                              asio::async_read(
                                  *stream, asio::buffer(*reply),
                                  [stream, reply, done](error_code read_error, std::size_t) {
                                    if (read_error) {
                                      done(read_error, {});
                                      return;
                                    }
                                    stream->async_shutdown(
                                        [stream, reply, done](error_code) { done({}, *reply); });
                                  });
                            });
        });
  }

  // connect_silent: `count` peers that connect and never send a byte
  // (slowloris); returns once the server accepted them all, so their
  // handshakes are in progress (see run_until_accepted).
  std::vector<std::unique_ptr<tcp::socket>> connect_silent(int count) {
    std::vector<std::unique_ptr<tcp::socket>> silent;
    for (int i = 0; i < count; ++i) {
      silent.push_back(std::make_unique<tcp::socket>(io_));
      silent.back()->connect(endpoint_);
    }
    run_until_accepted(server_->stats().accepted + static_cast<std::uint64_t>(count));
    return silent;
  }

  // run_until_accepted: runs handlers one at a time until the server has
  // accepted `total` connections: the event is seen after the handler that
  // made it, with no wait (bounded at 10 s, then the test fails).
  void run_until_accepted(std::uint64_t total) {
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    io_.restart();
    while (server_->stats().accepted < total && Clock::now() < deadline) {
      (void)io_.run_one_until(deadline);
    }
    EXPECT_EQ(server_->stats().accepted, total) << "the server did not accept in time";
  }
};

TEST_F(ServerTest, ClientsConnectAndEcho) {
  transport::ServerLimits limits;
  std::vector<std::shared_ptr<transport::Connection>> seen;
  start_server(limits, [&](std::shared_ptr<transport::Connection> connection) {
    EXPECT_EQ(connection->stream().session().peer->accepted_by, "test pin");
    echo(connection);
  });
  int ok = 0;
  for (int i = 0; i < 5; ++i) {
    connect_client("ping " + std::to_string(i), [&, i](error_code error, std::string reply) {
      EXPECT_FALSE(error) << error.message();
      EXPECT_EQ(reply, "ping " + std::to_string(i));
      if (++ok == 5) {
        server_->stop();
      }
    });
  }
  run_bounded(io_);
  EXPECT_EQ(ok, 5);
  EXPECT_EQ(server_->stats().established, 5U);
  EXPECT_TRUE(failures_.empty());
}

TEST_F(ServerTest, RejectedClientIsReportedWithTheVerifierMessage) {
  server_verifier_->accepted.clear();
  start_server({});
  error_code client_error;
  connect_client("x", [&](error_code error, std::string) {
    client_error = error;
    server_->stop();
  });
  run_bounded(io_);
  EXPECT_TRUE(client_error);
  ASSERT_EQ(failures_.size(), 1U);
  EXPECT_EQ(failures_[0].code, tls::Errc::peer_rejected);
  EXPECT_NE(failures_[0].message().find("matches no pin"), std::string::npos)
      << failures_[0].message();
  EXPECT_NE(failures_[0].message().find("handshake with 127.0.0.1:"), std::string::npos);
}

TEST_F(ServerTest, SilentConnectionsAreCutAtTheDeadlineWhileRealClientsGetThrough) {
  transport::ServerLimits limits;
  limits.handshake_timeout = std::chrono::milliseconds(1500);
  limits.max_handshakes = 256;
  start_server(limits);

  // 200 peers that connect and never send a byte (slowloris).
  constexpr int kSilent = 200;
  std::vector<Clock::time_point> cut_at(kSilent);
  std::vector<std::array<std::uint8_t, 1>> sink(kSilent);
  int cut = 0;
  int served = 0;
  int served_before_a_cut = 0;
  const auto maybe_stop = [&] {
    if (cut == kSilent && served == 10) {
      server_->stop();
    }
  };
  const auto start = Clock::now();
  std::vector<std::unique_ptr<tcp::socket>> silent = connect_silent(kSilent);
  for (std::size_t i = 0; i < silent.size(); ++i) {
    silent[i]->async_read_some(asio::buffer(sink[i]), [&, i](error_code error, std::size_t) {
      EXPECT_TRUE(error) << "a silent peer was sent data";
      cut_at[i] = Clock::now();
      ++cut;
      maybe_stop();
    });
  }

  // Then real clients connect and are served while every silent peer
  // still holds its slot.
  for (int i = 0; i < 10; ++i) {
    connect_client("real", [&](error_code error, std::string reply) {
      EXPECT_FALSE(error) << error.message();
      EXPECT_EQ(reply, "real");
      ++served;
      if (cut == 0) {
        ++served_before_a_cut;
      }
      maybe_stop();
    });
  }
  run_bounded(io_);

  EXPECT_EQ(served, 10);
  EXPECT_EQ(served_before_a_cut, 10) << "real clients waited for the silent ones";
  EXPECT_EQ(cut, kSilent);
  // Not cut before the deadline (a timer never fires early; a lower bound
  // cannot fail on a slow machine). How late the cut may come is no test's
  // business: handshake_timed_out below says the deadline cut them.
  for (const auto when : cut_at) {
    EXPECT_GE(when - start, limits.handshake_timeout);
  }
  const auto stats = server_->stats();
  EXPECT_EQ(stats.handshake_timed_out, static_cast<std::uint64_t>(kSilent));
  EXPECT_EQ(stats.established, 10U);
  ASSERT_FALSE(failures_.empty());
  EXPECT_EQ(failures_[0].code, transport::Errc::handshake_timeout);
  EXPECT_NE(failures_[0].message().find("no complete handshake from 127.0.0.1:"), std::string::npos)
      << failures_[0].message();
}

TEST_F(ServerTest, AtTheHandshakeLimitNewPeersWaitForAFreeSlot) {
  transport::ServerLimits limits;
  limits.handshake_timeout = std::chrono::milliseconds(500);
  limits.max_handshakes = 4;
  start_server(limits);
  const auto start = Clock::now();
  const auto silent = connect_silent(4);
  Clock::time_point served_at;
  std::uint64_t timed_out_when_served = 0;
  error_code client_error = asio::error::would_block;
  // Stop once the late client is served and every silent peer was cut.
  const auto maybe_stop = [&] {
    if (client_error != asio::error::would_block && server_->stats().handshake_timed_out == 4) {
      server_->stop();
    }
  };
  on_failure_ = maybe_stop;
  // The four silent peers take every handshake slot.
  connect_client("late", [&](error_code error, std::string) {
    client_error = error;
    served_at = Clock::now();
    timed_out_when_served = server_->stats().handshake_timed_out;
    maybe_stop();
  });
  run_bounded(io_);
  EXPECT_FALSE(client_error) << client_error.message();
  // The four silent peers held every handshake slot until their deadline:
  // the late client got one only after a deadline freed it.
  EXPECT_GE(timed_out_when_served, 1U) << "served while every slot was taken";
  EXPECT_GE(served_at - start, limits.handshake_timeout);
  EXPECT_EQ(server_->stats().handshake_timed_out, 4U);
}

TEST_F(ServerTest, ConnectionLimitHoldsNewPeersUntilAConnectionCloses) {
  transport::ServerLimits limits;
  limits.max_connections = 1;
  std::shared_ptr<transport::Connection> held;
  int accepted = 0;
  error_code second_error = asio::error::would_block;
  // connect_second: once the server holds its one connection, it does not
  // accept: the handshake of a second client cannot finish before its own
  // deadline.
  const auto connect_second = [&] {
    connect_client(
        "second",
        [&](error_code error, std::string) {
          second_error = error;
          // Dropping the held connection frees the slot for a third client.
          held.reset();
          connect_client("third", [&](error_code third_error, std::string reply) {
            EXPECT_FALSE(third_error) << third_error.message();
            EXPECT_EQ(reply, "third");
            server_->stop();
          });
        },
        std::chrono::milliseconds(400));
  };
  start_server(limits, [&](std::shared_ptr<transport::Connection> connection) {
    if (++accepted == 1) {
      held = connection;  // keep the first connection open, idle
      connect_second();
      return;
    }
    echo(connection);
  });
  auto first = std::make_shared<transport::TcpStream>(client_factory(), io_.get_executor());
  error_code first_error = asio::error::would_block;
  transport::async_connect(*first, std::vector<tcp::endpoint>{endpoint_},
                           transport::HandshakeOptions::for_peer("a.example"),
                           std::chrono::seconds(10),
                           [&](error_code error) { first_error = error; });
  run_bounded(io_);
  EXPECT_FALSE(first_error) << first_error.message();
  EXPECT_EQ(second_error, transport::Errc::handshake_timeout);
}

TEST_F(ServerTest, IdleConnectionIsClosedAfterTheIdleTimeout) {
  transport::ServerLimits limits;
  limits.idle_timeout = std::chrono::milliseconds(300);
  std::shared_ptr<transport::Connection> connection;
  error_code server_read = asio::error::would_block;
  std::array<std::uint8_t, 16> buffer{};
  Clock::time_point quiet_since;
  Clock::time_point closed_at;
  start_server(limits, [&](std::shared_ptr<transport::Connection> accepted) {
    connection = accepted;
    quiet_since = connection->stream().last_activity();
    connection->stream().async_read_some(asio::buffer(buffer), [&](error_code error, std::size_t) {
      server_read = error;
      closed_at = Clock::now();
      server_->stop();
    });
  });
  auto client = std::make_shared<transport::TcpStream>(client_factory(), io_.get_executor());
  error_code client_read = asio::error::would_block;
  std::array<std::uint8_t, 16> client_buffer{};
  transport::async_connect(*client, std::vector<tcp::endpoint>{endpoint_},
                           transport::HandshakeOptions::for_peer("a.example"),
                           std::chrono::seconds(10), [&](error_code error) {
                             ASSERT_FALSE(error) << error.message();
                             client->async_read_some(asio::buffer(client_buffer),
                                                     [&](error_code read_error, std::size_t) {
                                                       client_read = read_error;
                                                     });
                           });
  run_bounded(io_);
  ASSERT_TRUE(connection);
  EXPECT_TRUE(connection->idle_timed_out());
  EXPECT_EQ(server_read, asio::error::operation_aborted);
  // Closed after a whole idle_timeout without traffic, counted from the
  // last bytes the handshake moved (the handler may start later; a TLS 1.3
  // server's tickets may follow, which only makes the idle time longer).
  EXPECT_GE(closed_at - quiet_since, limits.idle_timeout);
  EXPECT_EQ(server_->stats().idle_closed, 1U);
  // The client sees the connection end without close_notify.
  EXPECT_EQ(client_read, transport::Errc::stream_truncated);
}

TEST_F(ServerTest, StopAbortsHandshakesAndStopsAccepting) {
  transport::ServerLimits limits;
  limits.handshake_timeout = std::chrono::seconds(20);
  start_server(limits);
  const auto silent = connect_silent(3);
  std::vector<std::array<std::uint8_t, 1>> sink(3);
  int ended = 0;
  for (std::size_t i = 0; i < silent.size(); ++i) {
    silent[i]->async_read_some(asio::buffer(sink[i]), [&](error_code error, std::size_t) {
      EXPECT_TRUE(error);
      ++ended;
    });
  }
  // Their three handshakes are in progress: stop now.
  EXPECT_EQ(server_->stats().handshaking, 3U);
  server_->stop();
  // Bounded below the handshake deadline: a stop() that waited for it
  // leaves the io_context with work and fails here.
  run_bounded(io_, std::chrono::seconds(10));
  EXPECT_EQ(ended, 3);
  EXPECT_EQ(server_->stats().handshake_timed_out, 0U) << "stop() waited for the handshake deadline";
  EXPECT_EQ(server_->stats().handshake_failed, 3U);
  EXPECT_EQ(server_->stats().connections, 0U);
  tcp::socket late(io_);
  error_code refused;
  late.connect(endpoint_, refused);
  EXPECT_EQ(refused, asio::error::connection_refused);
}

TEST_F(ServerTest, ClientDeadlineEndsAHandshakeWithASilentServer) {
  // A plain listener that accepts (in the kernel backlog) and never answers.
  tcp::acceptor silent(io_, kLoopback);
  auto client = std::make_shared<transport::TcpStream>(client_factory(), io_.get_executor());
  error_code client_error;
  const auto start = Clock::now();
  transport::async_connect(*client, std::vector<tcp::endpoint>{silent.local_endpoint()},
                           transport::HandshakeOptions::for_peer("a.example"),
                           std::chrono::milliseconds(300),
                           [&](error_code error) { client_error = error; });
  run_bounded(io_);
  EXPECT_EQ(client_error, transport::Errc::handshake_timeout);
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(280));
  ASSERT_TRUE(client->last_error().has_value());
  EXPECT_NE(client->last_error()->message().find("within 300 ms (engine in Handshake)"),
            std::string::npos)
      << client->last_error()->message();
}

TEST_F(ServerTest, ConnectToAClosedPortFails) {
  tcp::endpoint closed;
  {
    tcp::acceptor probe(io_, kLoopback);
    closed = probe.local_endpoint();
  }
  auto client = std::make_shared<transport::TcpStream>(client_factory(), io_.get_executor());
  error_code client_error;
  transport::async_connect(*client, std::vector<tcp::endpoint>{closed},
                           transport::HandshakeOptions::for_peer("a.example"),
                           std::chrono::seconds(5),
                           [&](error_code error) { client_error = error; });
  run_bounded(io_);
  EXPECT_EQ(client_error, asio::error::connection_refused);
}

TEST_F(ServerTest, StartFailsWithAnActionableMessageWhenThePortIsTaken) {
  tcp::acceptor taken(io_, kLoopback);
  transport::Server server(io_.get_executor(), taken.local_endpoint(), server_factory(), {}, {},
                           echo);
  const Status started = server.start();
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.error().message().find("cannot bind 127.0.0.1:"), std::string::npos)
      << started.error().message();
  EXPECT_NE(started.error().message().find("another server using the port"), std::string::npos);
}

TEST_F(ServerTest, SynchronousApiOverLoopback) {
  tcp::acceptor acceptor(io_, kLoopback);
  const tcp::endpoint endpoint = acceptor.local_endpoint();
  std::string server_got;
  std::string server_failure;
  std::thread server_thread([&] {
    try {
      asio::io_context server_io;
      tcp::socket socket(server_io);
      acceptor.accept(socket);
      set_receive_timeout(socket, std::chrono::seconds(10));
      transport::TcpStream stream(server_factory(), std::move(socket));
      stream.handshake(tls::Role::server);
      std::array<char, 64> buffer{};
      error_code error;
      for (;;) {
        const std::size_t got = stream.read_some(asio::buffer(buffer), error);
        if (error) {
          break;
        }
        server_got.append(buffer.data(), got);
        asio::write(stream, asio::buffer(buffer.data(), got));
      }
      if (error != asio::error::eof) {
        server_failure = "read: " + error.message();
      }
      stream.shutdown();
    } catch (const std::exception& failure) {
      server_failure = failure.what();
    }
  });
  asio::io_context client_io;
  transport::TcpStream client(client_factory(), client_io);
  client.next_layer().connect(endpoint);
  set_receive_timeout(client.next_layer(), std::chrono::seconds(10));
  error_code error;
  client.handshake(tls::Role::client, transport::HandshakeOptions::for_peer("a.example"), error);
  ASSERT_FALSE(error) << error.message();
  const std::string text = "synchronous hello";
  EXPECT_EQ(asio::write(client, asio::buffer(text)), text.size());
  std::string reply(text.size(), '\0');
  EXPECT_EQ(asio::read(client, asio::buffer(reply)), text.size());
  EXPECT_EQ(reply, text);
  client.shutdown(error);
  EXPECT_FALSE(error) << error.message();
  // A second handshake throws, with the reason in the exception.
  EXPECT_THROW(client.handshake(tls::Role::client), boost::system::system_error);
  server_thread.join();
  EXPECT_EQ(server_got, text);
  EXPECT_TRUE(server_failure.empty()) << server_failure;
}

}  // namespace
}  // namespace pgptls::test
