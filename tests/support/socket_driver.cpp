#include "tests/support/socket_driver.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace pgptls::test {
namespace {

using SteadyClock = std::chrono::steady_clock;

int remaining_ms(SteadyClock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now()).count();
  return left < 0 ? 0 : static_cast<int>(left);
}

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

}  // namespace

Socket& Socket::operator=(Socket&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) {
      ::close(fd_);
    }
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

Socket::~Socket() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

std::optional<LoopbackListener> LoopbackListener::open() {
  Socket socket(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!socket.valid()) {
    return std::nullopt;
  }
  sockaddr_in address = loopback(0);
  socklen_t length = sizeof(address);
  if (::bind(socket.fd(), reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0 ||
      ::listen(socket.fd(), 8) != 0 ||
      ::getsockname(socket.fd(), reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    return std::nullopt;
  }
  LoopbackListener listener;
  listener.socket_ = std::move(socket);
  listener.port_ = ntohs(address.sin_port);
  return listener;
}

Socket LoopbackListener::accept(std::chrono::milliseconds timeout) {
  pollfd descriptor{socket_.fd(), POLLIN, 0};
  if (::poll(&descriptor, 1, static_cast<int>(timeout.count())) <= 0) {
    return Socket();
  }
  return Socket(::accept4(socket_.fd(), nullptr, nullptr, SOCK_CLOEXEC));
}

Socket connect_loopback(std::uint16_t port, std::chrono::milliseconds timeout) {
  // One non-blocking connect(2) bounded by the timeout: the caller waited
  // for the server's ready line, so a refusal is a failure, not "not yet".
  Socket socket(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!socket.valid()) {
    return Socket();
  }
  const sockaddr_in address = loopback(port);
  if (::connect(socket.fd(), reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    if (errno != EINPROGRESS) {
      return Socket();
    }
    pollfd descriptor{socket.fd(), POLLOUT, 0};
    int error = 0;
    socklen_t length = sizeof(error);
    if (::poll(&descriptor, 1, static_cast<int>(timeout.count())) <= 0 ||
        ::getsockopt(socket.fd(), SOL_SOCKET, SO_ERROR, &error, &length) != 0 || error != 0) {
      return Socket();
    }
  }
  // The driver polls before every send and recv; blocking mode keeps the
  // rest of it as it was.
  const int flags = ::fcntl(socket.fd(), F_GETFL);
  if (flags < 0 || ::fcntl(socket.fd(), F_SETFL, flags & ~O_NONBLOCK) != 0) {
    return Socket();
  }
  return socket;
}

bool SocketDriver::flush(SteadyClock::time_point deadline) {
  while (!engine_.pending_output().empty()) {
    pollfd descriptor{socket_.fd(), POLLOUT, 0};
    if (::poll(&descriptor, 1, remaining_ms(deadline)) <= 0) {
      error_ = "timeout while sending";
      return false;
    }
    const auto pending = engine_.pending_output();
    const ssize_t sent = ::send(socket_.fd(), pending.data(), pending.size(), MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR || errno == EAGAIN) {
        continue;
      }
      error_ = std::string("send: ") + std::strerror(errno);
      return false;
    }
    engine_.consume_output(static_cast<std::size_t>(sent));
  }
  return true;
}

bool SocketDriver::receive_once(SteadyClock::time_point deadline) {
  pollfd descriptor{socket_.fd(), POLLIN, 0};
  if (::poll(&descriptor, 1, remaining_ms(deadline)) <= 0) {
    error_ = "timeout while receiving";
    return false;
  }
  std::array<std::uint8_t, 16384> buffer{};
  const ssize_t received = ::recv(socket_.fd(), buffer.data(), buffer.size(), 0);
  if (received < 0) {
    if (errno == EINTR || errno == EAGAIN) {
      return true;
    }
    error_ = std::string("recv: ") + std::strerror(errno);
    return false;
  }
  if (received == 0) {
    eof_ = true;
    error_ = "peer hung up";
    return false;
  }
  (void)engine_.feed(ByteView(buffer.data(), static_cast<std::size_t>(received)));
  return true;
}

bool SocketDriver::handshake(std::chrono::milliseconds timeout) {
  const auto deadline = SteadyClock::now() + timeout;
  if (!engine_.start().ok()) {
    flush(deadline);
    return false;
  }
  for (;;) {
    if (!flush(deadline)) {
      return false;
    }
    const auto status = engine_.status();
    if (status == tls::EngineStatus::established) {
      return true;
    }
    if (status == tls::EngineStatus::failed || status == tls::EngineStatus::closed) {
      return false;
    }
    if (!receive_once(deadline)) {
      flush(deadline);
      return false;
    }
  }
}

bool SocketDriver::write(std::string_view data, std::chrono::milliseconds timeout) {
  const auto written = engine_.write_app(as_bytes_view(data));
  if (!written.ok() || *written != data.size()) {
    return false;
  }
  return flush(SteadyClock::now() + timeout);
}

std::string SocketDriver::read_until(std::string_view needle, std::chrono::milliseconds timeout) {
  const auto deadline = SteadyClock::now() + timeout;
  std::string text;
  std::array<std::uint8_t, 4096> buffer{};
  for (;;) {
    for (;;) {
      const auto count = engine_.read_app(buffer);
      if (!count.ok() || *count == 0) {
        break;
      }
      text.append(reinterpret_cast<const char*>(buffer.data()), *count);
    }
    if (text.find(needle) != std::string::npos) {
      return text;
    }
    // Send what reading produced (e.g. our answering close_notify).
    if (!flush(deadline) || engine_.status() == tls::EngineStatus::failed ||
        engine_.status() == tls::EngineStatus::closed || !receive_once(deadline)) {
      return text;
    }
  }
}

bool SocketDriver::run_until_end(std::chrono::milliseconds timeout) {
  const auto deadline = SteadyClock::now() + timeout;
  std::array<std::uint8_t, 4096> buffer{};
  for (;;) {
    while (true) {
      const auto count = engine_.read_app(buffer);
      if (!count.ok() || *count == 0) {
        break;
      }
    }
    const bool flushed = flush(deadline);
    if (engine_.status() == tls::EngineStatus::failed ||
        engine_.status() == tls::EngineStatus::closed) {
      return true;
    }
    if (!flushed || !receive_once(deadline)) {
      return eof_;
    }
  }
}

void SocketDriver::close(std::chrono::milliseconds timeout) {
  (void)engine_.close();
  flush(SteadyClock::now() + timeout);
}

}  // namespace pgptls::test
