// running_server.h: a transport::Server with the production engine factory
// (transport::make_server_engine_factory, as `serve` builds it) on
// 127.0.0.1 and an ephemeral port, run by its own io_context thread, for
// tests that talk to it over plain sockets or real client programs.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <future>
#include <memory>
#include <thread>

#include <gtest/gtest.h>

#include "transport/engine_selection.h"
#include "transport/server.h"

namespace pgptls::conformance {

// RunningServer: the server; stopped (and its thread joined) on destruction.
class RunningServer {
 public:
  explicit RunningServer(std::shared_ptr<const transport::EngineSettings> settings) {
    server_ = std::make_unique<transport::Server>(
        io_.get_executor(),
        boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address_v4("127.0.0.1"), 0),
        transport::make_server_engine_factory(std::move(settings)), transport::HandshakeOptions{},
        transport::ServerLimits{}, [](std::shared_ptr<transport::Connection> /*connection*/) {},
        [](const transport::HandshakeFailure& /*failure*/) {});
    const Status started = server_->start();
    EXPECT_TRUE(started.ok()) << started.error().message();
    port_ = server_->local_endpoint().port();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~RunningServer() {
    std::promise<void> stopped;
    boost::asio::post(io_, [&] {
      server_->stop();
      stopped.set_value();
    });
    stopped.get_future().wait();
    work_.reset();
    io_.stop();
    thread_.join();
  }
  RunningServer(const RunningServer&) = delete;
  RunningServer& operator=(const RunningServer&) = delete;

  [[nodiscard]] std::uint16_t port() const { return port_; }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
      io_.get_executor()};
  std::unique_ptr<transport::Server> server_;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

}  // namespace pgptls::conformance
