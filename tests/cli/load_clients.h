// load_clients.h: many TLS echo clients on one io_context, for the load
// test of `pgptls serve --echo` and its benchmark. Each client connects
// (transport::async_connect: TCP connect and handshake under one
// deadline), sends a message unique to it, reads the echo back, checks it,
// and ends with close_notify; then the next client starts, so at most
// `concurrency` are in flight. Every connection has a deadline for the whole
// exchange, so a broken server makes failures, never a hang.
//
// Usage:
//   asio::io_context io;
//   EchoLoad load(io, endpoint, factory, {.total = 1000, .concurrency = 50});
//   load.start();
//   while (!load.done()) { io.run_one_for(100ms); }
//   load.result().succeeded ...
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "transport/engine_factory.h"

namespace pgptls::test {

// EchoLoadOptions: how many clients, how many at once, the domain each
// client expects, and the deadline of one whole exchange.
struct EchoLoadOptions {
  std::size_t total = 1000;
  std::size_t concurrency = 50;
  std::string peer_domain = "a.example";
  std::chrono::milliseconds deadline{30'000};
  // Bytes each client sends (and expects back); at least 16.
  std::size_t message_size = 64;
  // End each message with '\n' (echo servers that echo whole lines, such
  // as gnutls-serv --echo).
  bool end_with_newline = false;
};

// EchoLoadResult: what the clients saw.
struct EchoLoadResult {
  std::size_t succeeded = 0;
  std::size_t failed = 0;
  // The first few failures ("client 17: handshake: ..."), for test output.
  std::vector<std::string> failures;
  // How many established sessions negotiated each protocol ("TLS1.3": 1000)
  // and each certificate type ("x509", "openpgp").
  std::map<std::string, std::size_t> protocols;
  std::map<std::string, std::size_t> certificate_types;
  std::chrono::steady_clock::time_point started;
  std::chrono::steady_clock::time_point first_success;
  std::chrono::steady_clock::time_point finished;
};

// EchoLoad: the client driver. Runs on `io`; not thread-safe (one thread).
class EchoLoad {
 public:
  EchoLoad(boost::asio::io_context& io, boost::asio::ip::tcp::endpoint server,
           transport::EngineFactory factory, EchoLoadOptions options);
  ~EchoLoad();
  EchoLoad(const EchoLoad&) = delete;
  EchoLoad& operator=(const EchoLoad&) = delete;

  // start: launches the first `concurrency` clients.
  void start();
  // done: every client has finished (succeeded or failed).
  [[nodiscard]] bool done() const;
  [[nodiscard]] const EchoLoadResult& result() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace pgptls::test
