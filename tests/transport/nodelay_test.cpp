// TCP_NODELAY on both ends of a real loopback connection: the socket that
// transport::async_connect connected and the one transport::Server accepted.
// Without it every handshake flight after the first waits for the peer's
// delayed ACK (about 40 ms on Linux), which the serve benchmark showed as 22
// instead of hundreds of handshakes per second for one client. The option is
// read back with getsockopt on the stream's lowest layer, as the kernel sees
// it.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <optional>
#include <vector>

#include "tests/transport/transport_fixture.h"
#include "transport/client.h"
#include "transport/server.h"
#include "transport/stream.h"

namespace pgptls::test {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

// nodelay_of: the TCP_NODELAY value of `socket` as the kernel reports it
// (nullopt when getsockopt fails).
std::optional<int> nodelay_of(tcp::socket::lowest_layer_type& socket) {
  int value = -1;
  socklen_t size = sizeof(value);
  if (::getsockopt(socket.native_handle(), IPPROTO_TCP, TCP_NODELAY, &value, &size) != 0) {
    return std::nullopt;
  }
  return value;
}

class NoDelayTest : public TransportTest {};

TEST_F(NoDelayTest, ClientAndAcceptedSocketsHaveNagleOff) {
  asio::io_context io;
  std::optional<int> server_side;
  std::shared_ptr<transport::Connection> accepted;
  transport::Server server(
      io.get_executor(), tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), 0), server_factory(),
      transport::HandshakeOptions{}, transport::ServerLimits{},
      [&](std::shared_ptr<transport::Connection> connection) {
        server_side = nodelay_of(connection->stream().lowest_layer());
        accepted = std::move(connection);
      },
      [](const transport::HandshakeFailure& failure) {
        ADD_FAILURE() << "server handshake failed: " << failure.error.message();
      });
  const Status started = server.start();
  ASSERT_TRUE(started.ok()) << started.error().message();

  transport::TcpStream client(client_factory(), io.get_executor());
  // A fresh socket has Nagle's algorithm on; async_connect must turn it off.
  std::optional<error_code> connected;
  transport::async_connect(client, std::vector<tcp::endpoint>{server.local_endpoint()},
                           transport::HandshakeOptions::for_peer("a.example"),
                           std::chrono::seconds(10), [&](error_code error) {
                             connected = error;
                             if (accepted || error) {
                               server.stop();
                             }
                           });
  // Stop once both sides are done (the handler may run before or after the
  // client's completion).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while ((!connected || (!*connected && !server_side)) &&
         std::chrono::steady_clock::now() < deadline) {
    io.run_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(connected.has_value()) << "the client did not finish within 30 s";
  ASSERT_FALSE(*connected) << connected->message();
  EXPECT_EQ(nodelay_of(client.lowest_layer()), std::optional<int>(1))
      << "async_connect left Nagle's algorithm on";
  ASSERT_TRUE(server_side.has_value()) << "the server did not hand over the connection";
  EXPECT_EQ(server_side, std::optional<int>(1))
      << "the accepted connection has Nagle's algorithm on";
  server.stop();
  accepted.reset();
}

// The baseline the test above relies on: a socket connected without
// async_connect keeps the kernel default (Nagle on), so the checks above
// see what async_connect and the Server changed, not a system default.
TEST_F(NoDelayTest, PlainSocketKeepsNagleOn) {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), 0));
  tcp::socket socket(io);
  socket.connect(acceptor.local_endpoint());
  EXPECT_EQ(nodelay_of(socket), std::optional<int>(0));
}

}  // namespace
}  // namespace pgptls::test
