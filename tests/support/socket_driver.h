// socket_driver.h: drives a tls::Engine over a loopback TCP socket, so tests
// can run either engine against real peers (gnutls-cli/serv, openssl).
// Every operation has a deadline; nothing blocks forever.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "tls/engine/engine.h"

namespace pgptls::test {

// Socket: an owned file descriptor.
class Socket {
 public:
  Socket() = default;
  explicit Socket(int fd) : fd_(fd) {}
  Socket(Socket&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  Socket& operator=(Socket&& other) noexcept;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket();
  [[nodiscard]] int fd() const { return fd_; }
  [[nodiscard]] bool valid() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// LoopbackListener: a listening socket on 127.0.0.1 with a kernel-chosen
// port (no race with other tests for the port number).
class LoopbackListener {
 public:
  // open: nullopt when no socket can be bound.
  static std::optional<LoopbackListener> open();
  [[nodiscard]] std::uint16_t port() const { return port_; }
  // accept: the next connection, or an invalid Socket at the timeout.
  [[nodiscard]] Socket accept(std::chrono::milliseconds timeout);

 private:
  Socket socket_;
  std::uint16_t port_ = 0;
};

// connect_loopback: a TCP connection to 127.0.0.1:port within the timeout;
// invalid on failure. It is not retried: wait for the server's ready line
// (ready_lines.h) first.
Socket connect_loopback(std::uint16_t port, std::chrono::milliseconds timeout);

// SocketDriver: shuttles bytes between an engine and a socket.
class SocketDriver {
 public:
  SocketDriver(Socket socket, tls::Engine& engine) : socket_(std::move(socket)), engine_(engine) {}

  // handshake: start()s the engine and runs it until established (true),
  // or failed, closed, the peer hung up, or the timeout (false; the
  // engine's failure() or error() says why). Pending alerts are sent.
  [[nodiscard]] bool handshake(std::chrono::milliseconds timeout);
  // write: encrypts and sends all of `data`; false on any failure.
  [[nodiscard]] bool write(std::string_view data, std::chrono::milliseconds timeout);
  // read_until: application data until it contains `needle`, the peer
  // closes, or the timeout; returns what was read.
  [[nodiscard]] std::string read_until(std::string_view needle, std::chrono::milliseconds timeout);
  // run_until_end: keeps reading (discarding application data) until the
  // engine fails or closes or the peer hangs up (true), or the timeout
  // (false); for tests that expect the peer to end the connection.
  [[nodiscard]] bool run_until_end(std::chrono::milliseconds timeout);
  // close: sends close_notify (engine close()) and flushes it.
  void close(std::chrono::milliseconds timeout);
  // error: the last socket-level problem ("timeout", "peer hung up", ...).
  [[nodiscard]] const std::string& error() const { return error_; }
  // peer_hung_up: the socket reached end of stream.
  [[nodiscard]] bool peer_hung_up() const { return eof_; }

 private:
  bool flush(std::chrono::steady_clock::time_point deadline);
  // receive_once: waits for bytes until the deadline and feeds them.
  bool receive_once(std::chrono::steady_clock::time_point deadline);

  Socket socket_;
  tls::Engine& engine_;
  std::string error_;
  bool eof_ = false;
};

}  // namespace pgptls::test
