#include "openpgp/passphrase.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include "base/errors.h"
#include "openpgp/errors.h"

namespace pgptls::openpgp {
namespace {

// FdCloser: closes a descriptor this file opened, on every path.
class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;

 private:
  int fd_;
};

// EchoOff: turns terminal echo off and restores the previous settings when
// it goes out of scope.
class EchoOff {
 public:
  explicit EchoOff(int fd) : fd_(fd) {
    if (::tcgetattr(fd_, &saved_) == 0) {
      termios quiet = saved_;
      quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
      quiet.c_lflag |= ECHONL;  // still move to the next line on Enter
      active_ = ::tcsetattr(fd_, TCSAFLUSH, &quiet) == 0;
    }
  }
  ~EchoOff() {
    if (active_) {
      ::tcsetattr(fd_, TCSAFLUSH, &saved_);
    }
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;
  [[nodiscard]] bool active() const { return active_; }

 private:
  int fd_;
  termios saved_{};
  bool active_ = false;
};

Error system_error(const std::string& what) {
  return make_error(base::Errc::io_error, what + ": " + std::strerror(errno));
}

Error too_long() {
  return make_error(Errc::invalid_argument,
                    "passphrase longer than " + std::to_string(kMaxPassphraseSize) +
                        " octets; check that the passphrase source holds only the passphrase");
}

}  // namespace

Result<base::SecretBytes> passphrase_from_fd(int fd) {
  base::SecretBytes passphrase;
  // Reserve once so the buffer never reallocates: the wiping allocator
  // would wipe the old block, but one block is simpler to reason about.
  passphrase.reserve(kMaxPassphraseSize + 1);
  for (;;) {
    std::uint8_t octet = 0;
    const ssize_t got = ::read(fd, &octet, 1);
    if (got < 0) {
      if (errno == EINTR) {
        continue;
      }
      return system_error("reading the passphrase from file descriptor " + std::to_string(fd));
    }
    if (got == 0 || octet == '\n') {
      break;
    }
    if (passphrase.size() == kMaxPassphraseSize) {
      return too_long();
    }
    passphrase.push_back(octet);
  }
  if (!passphrase.empty() && passphrase.back() == '\r') {
    passphrase.pop_back();
  }
  return passphrase;
}

Result<base::SecretBytes> passphrase_from_file(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return system_error("cannot open passphrase file " + path.string());
  }
  const FdCloser closer(fd);
  auto passphrase = passphrase_from_fd(fd);
  if (!passphrase.ok()) {
    return passphrase.error().wrap("passphrase file " + path.string());
  }
  return passphrase;
}

Result<base::SecretBytes> passphrase_from_env(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) {
    return make_error(Errc::not_found, "environment variable " + name +
                                           " is not set; export it with the key's passphrase");
  }
  const std::size_t size = std::strlen(value);
  if (size > kMaxPassphraseSize) {
    return too_long();
  }
  const auto* octets = reinterpret_cast<const std::uint8_t*>(value);
  return base::SecretBytes(octets, octets + size);
}

Result<base::SecretBytes> passphrase_from_terminal(std::string_view prompt, int terminal_fd) {
  int fd = terminal_fd;
  int opened = -1;
  if (fd < 0) {
    opened = ::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    fd = opened;
  }
  const FdCloser closer(opened);
  if (fd < 0 || ::isatty(fd) == 0) {
    return make_error(Errc::invalid_argument,
                      "cannot prompt for the passphrase: not a terminal; give it with a "
                      "passphrase file, file descriptor or environment variable instead");
  }
  const EchoOff echo_off(fd);
  if (!echo_off.active()) {
    return system_error("cannot turn off terminal echo for the passphrase prompt");
  }
  std::size_t written = 0;
  while (written < prompt.size()) {
    const ssize_t n = ::write(fd, prompt.data() + written, prompt.size() - written);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return system_error("writing the passphrase prompt");
    }
    written += static_cast<std::size_t>(n);
  }
  return passphrase_from_fd(fd);
}

}  // namespace pgptls::openpgp
