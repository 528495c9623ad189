// client.h: transport::async_connect, which connects a TcpStream to the
// first reachable endpoint and runs the client handshake, all under one
// deadline, with TCP_NODELAY set on the socket. When the deadline passes the socket is closed and
// the operation completes with transport::Errc::handshake_timeout (stream.last_error() says in
// which engine state it was stuck).
//
// Usage:
//   transport::TcpStream tls(factory, io.get_executor());
//   tcp::resolver resolver(io);
//   auto endpoints = resolver.resolve("b.example", "5269");
//   transport::async_connect(tls, endpoints, transport::HandshakeOptions::for_peer("b.example"),
//                            std::chrono::seconds(10),
//                            [&](boost::system::error_code ec) { ... });
// Any completion token works (use_awaitable, use_future, ...); the
// completion signature is void(boost::system::error_code).
#pragma once

#include <algorithm>
#include <boost/asio/compose.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <utility>

#include "transport/errors.h"
#include "transport/server.h"
#include "transport/stream.h"

namespace pgptls::transport {

namespace detail {

// ConnectDeadline: shared between the operation and its timer, so a timer
// firing after completion touches nothing.
struct ConnectDeadline {
  explicit ConnectDeadline(const boost::asio::any_io_executor& executor) : timer(executor) {}
  boost::asio::steady_timer timer;
  std::chrono::steady_clock::time_point at;
  bool done = false;
};

template <class EndpointSequence>
class ConnectOp {
 public:
  ConnectOp(TcpStream& stream, EndpointSequence endpoints, HandshakeOptions options,
            std::chrono::milliseconds timeout)
      : stream_(stream),
        endpoints_(std::move(endpoints)),
        options_(std::move(options)),
        timeout_(timeout) {}

  template <class Self>
  void operator()(Self& self) {
    deadline_ = std::make_shared<ConnectDeadline>(stream_.get_executor());
    if (timeout_.count() > 0) {
      // The TCP connect runs under this timer; the handshake then runs under
      // the stream's own deadline (HandshakeOptions::timeout) with what is
      // left of the budget.
      deadline_->at = std::chrono::steady_clock::now() + timeout_;
      deadline_->timer.expires_at(deadline_->at);
      deadline_->timer.async_wait(
          [deadline = deadline_, stream = &stream_,
           milliseconds = timeout_.count()](boost::system::error_code error) {
            if (error || deadline->done) {
              return;
            }
            stream->fail_with(
                make_error(Errc::handshake_timeout,
                           "no connection within " + std::to_string(milliseconds) + " ms"));
            boost::system::error_code ignored;
            stream->next_layer().close(ignored);
          });
    }
    boost::asio::async_connect(stream_.next_layer(), endpoints_, std::move(self));
  }

  template <class Self>
  void operator()(Self& self, boost::system::error_code error,
                  const boost::asio::ip::tcp::endpoint& /*endpoint*/) {
    if (error) {
      finish(self, error);
      return;
    }
    // TLS flights and s2s stanzas are small writes that wait for an answer:
    // with Nagle's algorithm on, each flight after the first waits for the
    // peer's delayed ACK (about 40 ms on Linux). A failure here only costs
    // latency, so it does not fail the connection.
    boost::system::error_code ignored;
    stream_.next_layer().set_option(boost::asio::ip::tcp::no_delay(true), ignored);
    if (timeout_.count() > 0) {
      deadline_->done = true;
      deadline_->timer.cancel();
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(
          deadline_->at - std::chrono::steady_clock::now());
      options_.timeout = std::max(left, std::chrono::milliseconds(1));
    }
    stream_.async_handshake(tls::Role::client, std::move(options_), std::move(self));
  }

  template <class Self>
  void operator()(Self& self, boost::system::error_code error) {
    finish(self, error);
  }

 private:
  template <class Self>
  void finish(Self& self, boost::system::error_code error) {
    deadline_->done = true;
    deadline_->timer.cancel();
    if (error && stream_.last_error() && stream_.last_error()->code == Errc::handshake_timeout) {
      error = Errc::handshake_timeout;
    }
    self.complete(error);
  }

  TcpStream& stream_;
  EndpointSequence endpoints_;
  HandshakeOptions options_;
  std::chrono::milliseconds timeout_;
  std::shared_ptr<ConnectDeadline> deadline_;
};

}  // namespace detail

// async_connect: connect + client handshake under `timeout` (zero: none).
// `endpoints` is an Asio endpoint sequence (resolver results, a vector).
template <class EndpointSequence, class Token>
auto async_connect(TcpStream& stream, const EndpointSequence& endpoints, HandshakeOptions options,
                   std::chrono::milliseconds timeout, Token&& token) {
  return boost::asio::async_compose<Token, void(boost::system::error_code)>(
      detail::ConnectOp<EndpointSequence>(stream, endpoints, std::move(options), timeout), token,
      stream.next_layer());
}

}  // namespace pgptls::transport
