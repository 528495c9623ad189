#include "tests/conformance/probe.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "tests/conformance/corpus.h"
#include "tests/support/socket_driver.h"

namespace pgptls::conformance {
namespace {

constexpr std::uint8_t kAlert = 21;
constexpr std::uint8_t kHandshake = 22;

std::size_t be(const Bytes& bytes, std::size_t offset, std::size_t width) {
  std::size_t value = 0;
  for (std::size_t i = 0; i < width; ++i) {
    value = value << 8 | bytes[offset + i];
  }
  return value;
}

// read_server_hello: the extensions of a ServerHello body (RFC 5246
// §7.4.1.3), read independently of tls/messages.
void read_server_hello(const Bytes& body, Observation& seen) {
  seen.server_hello = true;
  std::size_t at = 2 + 32;  // server_version, random
  if (body.size() < at + 1) {
    seen.problem = "short ServerHello";
    return;
  }
  at += 1 + body[at] + 2 + 1;  // session_id, cipher_suite, compression_method
  if (body.size() < at + 2) {
    return;  // no extensions
  }
  const std::size_t end = at + 2 + be(body, at, 2);
  at += 2;
  while (at + 4 <= end && end <= body.size()) {
    const auto type = static_cast<std::uint16_t>(be(body, at, 2));
    const std::size_t length = be(body, at + 2, 2);
    seen.extensions.push_back(type);
    if (type == 9 && length == 1) {
      seen.cert_type = body[at + 4];
    }
    at += 4 + length;
  }
}

// interpret: the plaintext records the server sent before it closed.
void interpret(const Bytes& received, Observation& seen) {
  Bytes handshake;
  std::size_t at = 0;
  while (at + 5 <= received.size()) {
    const std::uint8_t type = received[at];
    const std::size_t length = be(received, at + 3, 2);
    if (at + 5 + length > received.size()) {
      break;
    }
    const Bytes fragment(received.begin() + static_cast<std::ptrdiff_t>(at + 5),
                         received.begin() + static_cast<std::ptrdiff_t>(at + 5 + length));
    at += 5 + length;
    if (type == kAlert && fragment.size() == 2 && !seen.alert) {
      seen.alert = fragment[1];
    } else if (type == kHandshake) {
      handshake.insert(handshake.end(), fragment.begin(), fragment.end());
    } else if (type != kHandshake) {
      break;  // ChangeCipherSpec or beyond: nothing more in plaintext
    }
  }
  // The first handshake message, when it is a ServerHello.
  if (handshake.size() >= 4 && handshake[0] == 2) {
    const std::size_t length = be(handshake, 1, 3);
    if (handshake.size() >= 4 + length) {
      read_server_hello(
          Bytes(handshake.begin() + 4, handshake.begin() + 4 + static_cast<std::ptrdiff_t>(length)),
          seen);
    }
  }
}

}  // namespace

std::string Observation::outcome() const {
  if (!problem.empty()) {
    return problem;
  }
  if (server_hello) {
    return alert ? "ServerHello, then " + alert_outcome(*alert) : "ServerHello";
  }
  if (alert) {
    return alert_outcome(*alert);
  }
  return "closed";
}

Observation probe(std::uint16_t port, const Bytes& wire, std::chrono::milliseconds timeout) {
  Observation seen;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  test::Socket socket = test::connect_loopback(port, timeout);
  if (!socket.valid()) {
    seen.problem = "cannot connect";
    return seen;
  }
  const int fd = socket.fd();
  Bytes received;
  std::size_t sent = 0;
  bool write_closed = false;
  std::uint8_t buffer[16384];
  // Write and read together: a server that refuses early may close while
  // the rest of the flight is on its way, and its alert must still be read.
  while (true) {
    if (sent == wire.size() && !write_closed) {
      ::shutdown(fd, SHUT_WR);
      write_closed = true;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      seen.problem = "timeout (the server neither answered nor closed)";
      break;
    }
    pollfd events{fd, static_cast<short>(POLLIN | (write_closed ? 0 : POLLOUT)), 0};
    if (::poll(&events, 1, static_cast<int>(left.count())) < 0) {
      if (errno == EINTR) {
        continue;
      }
      seen.problem = std::string("poll: ") + std::strerror(errno);
      break;
    }
    if ((events.revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      const ssize_t got = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
      if (got > 0) {
        received.insert(received.end(), buffer, buffer + got);
        continue;
      }
      if (got == 0 || errno == ECONNRESET || errno == EPIPE) {
        seen.closed = true;
        break;
      }
      if (errno != EINTR && errno != EAGAIN) {
        seen.problem = std::string("recv: ") + std::strerror(errno);
        break;
      }
    }
    if (!write_closed && (events.revents & POLLOUT) != 0) {
      const ssize_t put =
          ::send(fd, wire.data() + sent, wire.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (put > 0) {
        sent += static_cast<std::size_t>(put);
      } else if (errno == EPIPE || errno == ECONNRESET) {
        write_closed = true;  // the server is gone; read what it said
      }
    }
  }
  interpret(received, seen);
  return seen;
}

}  // namespace pgptls::conformance
