#include "tests/s2s/raw_peer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <stdexcept>
#include <utility>

namespace pgptls::test {

namespace {

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

}  // namespace

RawPeer::RawPeer(RawPeer&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), eof_(other.eof_), received_(std::move(other.received_)) {}

RawPeer& RawPeer::operator=(RawPeer&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) {
      ::close(fd_);
    }
    fd_ = std::exchange(other.fd_, -1);
    eof_ = other.eof_;
    received_ = std::move(other.received_);
  }
  return *this;
}

RawPeer::~RawPeer() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

std::optional<RawPeer> RawPeer::connect_to(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    return std::nullopt;
  }
  const sockaddr_in address = loopback(port);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return std::nullopt;
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return RawPeer(fd);
}

bool RawPeer::send(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent <= 0) {
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(sent));
  }
  return true;
}

int RawPeer::read_some(std::chrono::milliseconds timeout) {
  if (eof_) {
    return 0;
  }
  pollfd poll_fd{fd_, POLLIN, 0};
  const int ready = ::poll(&poll_fd, 1, static_cast<int>(timeout.count()));
  if (ready <= 0) {
    return -1;
  }
  std::array<char, 65536> buffer{};
  const ssize_t got = ::recv(fd_, buffer.data(), buffer.size(), 0);
  if (got <= 0) {
    eof_ = true;
    return 0;
  }
  received_.append(buffer.data(), static_cast<std::size_t>(got));
  return static_cast<int>(got);
}

bool RawPeer::read_until(std::string_view needle, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (received_.find(needle) == std::string::npos) {
    const int left = remaining_ms(deadline);
    if (left == 0 || read_some(std::chrono::milliseconds(left)) <= 0) {
      return received_.find(needle) != std::string::npos;
    }
  }
  return true;
}

bool RawPeer::read_at_least(std::size_t count, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (received_.size() < count) {
    const int left = remaining_ms(deadline);
    if (left == 0 || read_some(std::chrono::milliseconds(left)) <= 0) {
      return received_.size() >= count;
    }
  }
  return true;
}

bool RawPeer::closed_within(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!eof_) {
    const int left = remaining_ms(deadline);
    if (left == 0) {
      return false;
    }
    if (read_some(std::chrono::milliseconds(left)) == 0) {
      return true;
    }
  }
  return true;
}

RawListener::RawListener() {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  const int one = 1;
  ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in address = loopback(0);
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(fd_, 16) != 0) {
    throw std::runtime_error("RawListener: cannot listen on 127.0.0.1");
  }
  socklen_t size = sizeof address;
  ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size);
  port_ = ntohs(address.sin_port);
}

RawListener::~RawListener() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

std::optional<RawPeer> RawListener::accept(std::chrono::milliseconds timeout) {
  pollfd poll_fd{fd_, POLLIN, 0};
  if (::poll(&poll_fd, 1, static_cast<int>(timeout.count())) <= 0) {
    return std::nullopt;
  }
  const int fd = ::accept(fd_, nullptr, nullptr);
  if (fd < 0) {
    return std::nullopt;
  }
  return RawPeer(fd);
}

}  // namespace pgptls::test
