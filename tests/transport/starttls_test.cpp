// STARTTLS (XMPP, RFC 6120 §5.4): a plain TCP exchange of <starttls/> and
// <proceed/>, then the upgrade of the same socket to TLS with
// transport::Stream, including the case where the peer's first TLS bytes
// arrive in the same read as <proceed/> and must not be lost.
#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "tests/transport/transport_fixture.h"
#include "transport/stream.h"

namespace pgptls::test {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

// PrefixedFirstWrite: a next layer that sends `prefix` glued to its first
// write, so the peer receives "<proceed/>" and the first TLS record in one
// TCP segment, as a fast peer on a real network may deliver them.
class PrefixedFirstWrite {
 public:
  using executor_type = tcp::socket::executor_type;

  PrefixedFirstWrite(tcp::socket socket, std::string prefix)
      : socket_(std::move(socket)), prefix_(std::move(prefix)) {}

  executor_type get_executor() { return socket_.get_executor(); }

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return socket_.async_read_some(buffers, std::forward<Token>(token));
  }

  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    if (prefix_.empty()) {
      return socket_.async_write_some(buffers, std::forward<Token>(token));
    }
    auto glued = std::make_shared<std::string>(std::exchange(prefix_, {}));
    const std::size_t size = asio::buffer_size(buffers);
    glued->resize(glued->size() + size);
    asio::buffer_copy(asio::buffer(glued->data() + glued->size() - size, size), buffers);
    return asio::async_initiate<Token, void(error_code, std::size_t)>(
        [this, glued, size](auto handler) {
          asio::async_write(
              socket_, asio::buffer(*glued),
              [glued, size, handler = std::move(handler)](error_code error, std::size_t) mutable {
                std::move(handler)(error, error ? 0 : size);
              });
        },
        token);
  }

 private:
  tcp::socket socket_;
  std::string prefix_;
};

class StartTlsTest : public TransportTest {
 protected:
  asio::io_context io_;
};

// In XMPP the initiating entity becomes the TLS client, and since a TLS
// client speaks first, nothing can follow <proceed/> in its read. This test
// swaps the TLS roles so that the side reading <proceed/> does receive the
// peer's first TLS bytes (the ClientHello) in that same read: the point is
// that bytes read past the delimiter reach the engine (through the server's
// engine factory, which peeks at them) and nothing is read twice or lost.
TEST_F(StartTlsTest, FirstTlsBytesInTheSameReadAsProceedAreNotLost) {
  tcp::acceptor acceptor(io_, tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), 0));
  std::size_t leftover_size = 0;
  std::string initiator_heard;
  std::string responder_heard;

  // The initiating side: asks for TLS, reads <proceed/> (and whatever came
  // with it), then upgrades its socket with the extra bytes.
  asio::co_spawn(
      io_,
      [&]() -> asio::awaitable<void> {
        tcp::socket socket(io_);
        co_await socket.async_connect(acceptor.local_endpoint(), asio::use_awaitable);
        co_await asio::async_write(socket, asio::buffer(std::string("<starttls/>")),
                                   asio::use_awaitable);
        // The answer and the TLS bytes behind it are one write
        // (PrefixedFirstWrite): once the socket is readable, both are there.
        co_await socket.async_wait(tcp::socket::wait_read, asio::use_awaitable);
        std::string plain;
        const std::size_t end = co_await asio::async_read_until(socket, asio::dynamic_buffer(plain),
                                                                "<proceed/>", asio::use_awaitable);
        const std::string leftover = plain.substr(end);
        leftover_size = leftover.size();
        transport::Stream<tcp::socket> tls(server_factory(), std::move(socket));
        tls.add_received(as_bytes_view(leftover));
        co_await tls.async_handshake(tls::Role::server, {}, asio::use_awaitable);
        std::string line(8, '\0');
        co_await asio::async_read(tls, asio::buffer(line), asio::use_awaitable);
        initiator_heard = line;
        co_await asio::async_write(tls, asio::buffer(std::string("<stream>")), asio::use_awaitable);
        co_await tls.async_shutdown(asio::use_awaitable);
      },
      report("initiator"));

  // The receiving side: answers <proceed/> and starts TLS at once.
  asio::co_spawn(
      io_,
      [&]() -> asio::awaitable<void> {
        tcp::socket socket = co_await acceptor.async_accept(asio::use_awaitable);
        std::string plain;
        co_await asio::async_read_until(socket, asio::dynamic_buffer(plain), "<starttls/>",
                                        asio::use_awaitable);
        transport::Stream<PrefixedFirstWrite> tls(client_factory(), std::move(socket),
                                                  "<proceed/>");
        co_await tls.async_handshake(tls::Role::client,
                                     transport::HandshakeOptions::for_peer("a.example"),
                                     asio::use_awaitable);
        co_await asio::async_write(tls, asio::buffer(std::string("<stream>")), asio::use_awaitable);
        std::string line(8, '\0');
        co_await asio::async_read(tls, asio::buffer(line), asio::use_awaitable);
        responder_heard = line;
        std::array<char, 1> end{};
        auto [error, got] =
            co_await tls.async_read_some(asio::buffer(end), asio::as_tuple(asio::use_awaitable));
        EXPECT_EQ(error, asio::error::eof);
        EXPECT_EQ(got, 0U);
      },
      report("responder"));

  run_bounded(io_);
  // The scenario really happened: TLS bytes came with <proceed/> and the
  // engine factory saw exactly them, with no read of its own before.
  EXPECT_GT(leftover_size, 5U);
  EXPECT_EQ(server_factory_calls_, 1);
  EXPECT_EQ(server_first_bytes_, leftover_size);
  EXPECT_EQ(initiator_heard, "<stream>");
  EXPECT_EQ(responder_heard, "<stream>");
}

TEST_F(StartTlsTest, UpgradeInRfc6120OrderWithTheInitiatorAsTlsClient) {
  tcp::acceptor acceptor(io_, tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), 0));
  std::string verified_domain;
  std::string received;
  asio::co_spawn(
      io_,
      [&]() -> asio::awaitable<void> {
        tcp::socket socket(io_);
        co_await socket.async_connect(acceptor.local_endpoint(), asio::use_awaitable);
        co_await asio::async_write(socket, asio::buffer(std::string("<starttls/>")),
                                   asio::use_awaitable);
        std::string plain;
        const std::size_t end = co_await asio::async_read_until(socket, asio::dynamic_buffer(plain),
                                                                "<proceed/>", asio::use_awaitable);
        transport::Stream<tcp::socket> tls(client_factory(), std::move(socket));
        tls.add_received(as_bytes_view(std::string_view(plain).substr(end)));
        co_await tls.async_handshake(tls::Role::client,
                                     transport::HandshakeOptions::for_peer("a.example"),
                                     asio::use_awaitable);
        verified_domain = tls.session().peer->domains.at(0);
        co_await asio::async_write(tls, asio::buffer(std::string("<db:result/>")),
                                   asio::use_awaitable);
        co_await tls.async_shutdown(asio::use_awaitable);
      },
      report("initiator"));
  asio::co_spawn(
      io_,
      [&]() -> asio::awaitable<void> {
        tcp::socket socket = co_await acceptor.async_accept(asio::use_awaitable);
        std::string plain;
        const std::size_t end = co_await asio::async_read_until(socket, asio::dynamic_buffer(plain),
                                                                "<starttls/>", asio::use_awaitable);
        co_await asio::async_write(socket, asio::buffer(std::string("<proceed/>")),
                                   asio::use_awaitable);
        transport::Stream<tcp::socket> tls(server_factory(), std::move(socket));
        tls.add_received(as_bytes_view(std::string_view(plain).substr(end)));
        co_await tls.async_handshake(tls::Role::server, {}, asio::use_awaitable);
        std::string text(12, '\0');
        co_await asio::async_read(tls, asio::buffer(text), asio::use_awaitable);
        received = text;
      },
      report("responder"));
  run_bounded(io_);
  EXPECT_EQ(verified_domain, "a.example");
  EXPECT_EQ(received, "<db:result/>");
}

}  // namespace
}  // namespace pgptls::test
