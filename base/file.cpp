#include "base/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "base/errors.h"

namespace pgptls::base {
namespace {

Error io_error(const std::filesystem::path& path, std::string_view what) {
  return make_error(Errc::io_error,
                    std::string(what) + " " + path.string() + ": " + std::strerror(errno));
}

// FileDescriptor: closes on scope exit.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  [[nodiscard]] int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

Result<Bytes> read_file(const std::filesystem::path& path, std::size_t max_size) {
  const FileDescriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (file.get() < 0) {
    return io_error(path, "cannot open");
  }
  Bytes content;
  std::uint8_t chunk[65536];
  for (;;) {
    const ssize_t got = ::read(file.get(), chunk, sizeof chunk);
    if (got < 0) {
      if (errno == EINTR) {
        continue;
      }
      return io_error(path, "cannot read");
    }
    if (got == 0) {
      break;
    }
    if (content.size() + static_cast<std::size_t>(got) > max_size) {
      return make_error(Errc::value_too_large,
                        path.string() + " is larger than " + std::to_string(max_size) + " bytes");
    }
    content.insert(content.end(), chunk, chunk + got);
  }
  return content;
}

Status write_file_atomic(const std::filesystem::path& path, ByteView content, unsigned mode) {
  const std::filesystem::path directory =
      path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  std::string temp_name = (directory / ("." + path.filename().string() + ".XXXXXX")).string();
  const FileDescriptor file(::mkstemp(temp_name.data()));
  if (file.get() < 0) {
    return io_error(directory, "cannot create a temporary file in");
  }
  const std::filesystem::path temp_path(temp_name);
  auto fail = [&](std::string_view what) {
    Error error = io_error(temp_path, what);
    ::unlink(temp_name.c_str());
    return error;
  };
  if (::fchmod(file.get(), static_cast<mode_t>(mode)) != 0) {
    return fail("cannot set permissions of");
  }
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t put = ::write(file.get(), content.data() + written, content.size() - written);
    if (put < 0) {
      if (errno == EINTR) {
        continue;
      }
      return fail("cannot write");
    }
    written += static_cast<std::size_t>(put);
  }
  if (::fsync(file.get()) != 0) {
    return fail("cannot sync");
  }
  if (::rename(temp_name.c_str(), path.c_str()) != 0) {
    return fail("cannot rename into place");
  }
  const FileDescriptor dir(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0 || ::fsync(dir.get()) != 0) {
    return io_error(directory, "cannot sync directory");
  }
  return {};
}

}  // namespace pgptls::base
