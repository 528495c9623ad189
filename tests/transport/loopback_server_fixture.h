// loopback_server_fixture.h: a transport::Server on 127.0.0.1 (an ephemeral
// port) over the shared X.509 identities, with every handshake failure
// recorded, for the tests that drive a real server with real clients.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "tests/transport/transport_fixture.h"
#include "transport/server.h"

namespace pgptls::test {

class LoopbackServerTest : public TransportTest {
 protected:
  // start_server: starts server_ with `limits` and `handler`; endpoint_ is
  // where it listens. Each handshake failure is appended to failures_, then
  // on_failure_ (when set) is called.
  void start_server(transport::ServerLimits limits, transport::ConnectionHandler handler = echo) {
    const boost::asio::ip::tcp::endpoint loopback(boost::asio::ip::make_address_v4("127.0.0.1"), 0);
    server_ = std::make_unique<transport::Server>(
        io_.get_executor(), loopback, server_factory(), transport::HandshakeOptions{}, limits,
        std::move(handler), [this](const transport::HandshakeFailure& failure) {
          failures_.push_back(failure.error);
          if (on_failure_) {
            on_failure_();
          }
        });
    const Status started = server_->start();
    ASSERT_TRUE(started.ok()) << started.error().message();
    endpoint_ = server_->local_endpoint();
  }

  boost::asio::io_context io_;
  std::unique_ptr<transport::Server> server_;
  boost::asio::ip::tcp::endpoint endpoint_;
  std::vector<Error> failures_;
  std::function<void()> on_failure_;  // called after each handshake failure
};

}  // namespace pgptls::test
