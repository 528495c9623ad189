#include "interop/tls/rfc6091_socket.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>

namespace pgptls::tls::test {

namespace {

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

}  // namespace

EngineSocket::~EngineSocket() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

int EngineSocket::connect_to(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    return -1;
  }
  const sockaddr_in address = loopback(port);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

int EngineSocket::listen_on(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    return -1;
  }
  const int one = 1;
  (void)::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  const sockaddr_in address = loopback(port);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0 ||
      ::listen(fd, 8) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

int EngineSocket::accept_from(int listener, std::chrono::milliseconds timeout) {
  pollfd entry{listener, POLLIN, 0};
  if (::poll(&entry, 1, static_cast<int>(timeout.count())) <= 0) {
    return -1;
  }
  return ::accept(listener, nullptr, nullptr);
}

bool EngineSocket::flush() {
  while (true) {
    const ByteView pending = engine_.pending_output();
    if (pending.empty()) {
      return true;
    }
    const ssize_t sent = ::send(fd_, pending.data(), pending.size(), MSG_NOSIGNAL);
    if (sent <= 0) {
      if (sent < 0 && errno == EINTR) {
        continue;
      }
      return false;
    }
    engine_.consume_output(static_cast<std::size_t>(sent));
  }
}

void EngineSocket::drain_app() {
  std::array<std::uint8_t, 4096> buffer{};
  while (true) {
    auto read = engine_.read_app(buffer);
    if (!read.ok() || *read == 0) {
      return;
    }
    received_.append(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(*read));
  }
}

bool EngineSocket::pump_once(std::chrono::milliseconds timeout) {
  if (!flush() || eof_) {
    return false;
  }
  pollfd entry{fd_, POLLIN, 0};
  const int ready = ::poll(&entry, 1, static_cast<int>(timeout.count()));
  if (ready <= 0) {
    return ready == 0;
  }
  std::array<std::uint8_t, 16384> buffer{};
  const ssize_t got = ::recv(fd_, buffer.data(), buffer.size(), 0);
  if (got <= 0) {
    eof_ = true;
    return false;
  }
  const auto fed = engine_.feed(ByteView(buffer.data(), static_cast<std::size_t>(got)));
  drain_app();
  flush();
  return fed.ok();
}

bool EngineSocket::handshake(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (!flush()) {
      return false;
    }
    const EngineStatus status = engine_.status();
    if (status == EngineStatus::established) {
      return true;
    }
    if (status == EngineStatus::failed || status == EngineStatus::closed) {
      return false;
    }
    if (!pump_once(std::chrono::milliseconds(remaining_ms(deadline)))) {
      flush();
      return engine_.status() == EngineStatus::established;
    }
  }
  return false;
}

bool EngineSocket::send(const std::string& text) {
  auto written = engine_.write_app(as_bytes_view(text));
  return written.ok() && flush();
}

std::string EngineSocket::receive_until(const std::string& expected,
                                        std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  drain_app();
  while (received_.find(expected) == std::string::npos && Clock::now() < deadline) {
    if (!pump_once(std::chrono::milliseconds(std::min(remaining_ms(deadline), 200)))) {
      break;
    }
  }
  return received_;
}

}  // namespace pgptls::tls::test
