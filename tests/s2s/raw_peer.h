// raw_peer.h: blocking loopback sockets for the s2s tests' small XMPP peers
// (a local XMPP server behind the proxy, a remote server, a hostile
// client). Every wait is bounded by poll(2) timeouts.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pgptls::test {

class RawPeer {
 public:
  explicit RawPeer(int fd = -1) : fd_(fd) {}
  RawPeer(RawPeer&& other) noexcept;
  RawPeer& operator=(RawPeer&& other) noexcept;
  RawPeer(const RawPeer&) = delete;
  RawPeer& operator=(const RawPeer&) = delete;
  ~RawPeer();

  // connect_to: a TCP connection to 127.0.0.1:port (nullopt on failure).
  static std::optional<RawPeer> connect_to(std::uint16_t port);

  bool send(std::string_view bytes);
  // read_until: reads until received() contains `needle`; false at the
  // timeout or when the peer closes first.
  bool read_until(std::string_view needle, std::chrono::milliseconds timeout);
  // read_at_least: until received() holds `count` bytes.
  bool read_at_least(std::size_t count, std::chrono::milliseconds timeout);
  // closed_within: true once the peer closed (EOF or reset), reading and
  // keeping whatever arrives before.
  bool closed_within(std::chrono::milliseconds timeout);
  [[nodiscard]] const std::string& received() const { return received_; }
  void clear() { received_.clear(); }
  [[nodiscard]] bool valid() const { return fd_ >= 0; }

 private:
  // read_some: one read (0: EOF/error; -1: timeout).
  int read_some(std::chrono::milliseconds timeout);
  int fd_ = -1;
  bool eof_ = false;
  std::string received_;
};

// RawListener: a loopback listening socket on a free port.
class RawListener {
 public:
  RawListener();
  ~RawListener();
  RawListener(const RawListener&) = delete;
  RawListener& operator=(const RawListener&) = delete;
  [[nodiscard]] std::uint16_t port() const { return port_; }
  // accept: the next connection, or nullopt at the timeout.
  std::optional<RawPeer> accept(std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace pgptls::test
