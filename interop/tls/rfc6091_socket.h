// rfc6091_socket.h: drives an Engine over a blocking loopback TCP socket
// with bounded waits, for the interop tests against real TLS peers.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "tls/engine.h"

namespace pgptls::tls::test {

// EngineSocket: one TCP connection and the engine that speaks over it.
class EngineSocket {
 public:
  EngineSocket(int fd, Engine& engine) : fd_(fd), engine_(engine) {}
  ~EngineSocket();
  EngineSocket(const EngineSocket&) = delete;
  EngineSocket& operator=(const EngineSocket&) = delete;

  // connect_to: a connected socket to 127.0.0.1:port, or -1.
  static int connect_to(std::uint16_t port);
  // Listener: a listening socket on 127.0.0.1:port; accept() waits up to
  // `timeout` and returns -1 on timeout.
  static int listen_on(std::uint16_t port);
  static int accept_from(int listener, std::chrono::milliseconds timeout);

  // handshake: runs until established (true) or failed/closed/timeout.
  bool handshake(std::chrono::milliseconds timeout);
  // send: encrypts and sends all of `text`.
  bool send(const std::string& text);
  // receive_until: reads application data until `expected` appears in what
  // was received; returns everything received.
  std::string receive_until(const std::string& expected, std::chrono::milliseconds timeout);
  // pump_once: sends pending output, then waits up to `timeout` for input
  // and feeds it; false when the connection ended or the engine failed.
  bool pump_once(std::chrono::milliseconds timeout);
  // drain_app: moves decrypted application data into `received_`.
  void drain_app();

  [[nodiscard]] const std::string& received() const { return received_; }

 private:
  bool flush();

  int fd_;
  Engine& engine_;
  std::string received_;
  bool eof_ = false;
};

}  // namespace pgptls::tls::test
