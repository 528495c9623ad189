#include "pins/change_watch.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace pgptls::pins {

ChangeWatch::ChangeWatch(const std::filesystem::path& database)
    : name_(database.filename().string()) {
  fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd_ < 0) {
    return;
  }
  // The directory, not the file: SQLite creates the -wal file later, and a
  // new database is renamed into place (SqliteDb's atomic creation).
  std::filesystem::path directory = database.parent_path();
  if (directory.empty()) {
    directory = ".";
  }
  constexpr std::uint32_t kMask =
      IN_MODIFY | IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM;
  if (inotify_add_watch(fd_, directory.c_str(), kMask) < 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

ChangeWatch::~ChangeWatch() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

bool ChangeWatch::concerns_database(const std::string& name) const {
  return name == name_ || name == name_ + "-wal" || name == name_ + "-journal";
}

bool ChangeWatch::changed() {
  if (fd_ < 0) {
    return true;
  }
  bool changed = false;
  bool lost = false;  // the directory went away: no more events will come
  // inotify(7): a buffer aligned for struct inotify_event, big enough for
  // several events with names.
  alignas(inotify_event) std::array<char, 4096> buffer{};
  while (true) {
    const ssize_t got = ::read(fd_, buffer.data(), buffer.size());
    if (got < 0) {
      if (errno == EINTR) {
        continue;
      }
      // EAGAIN: drained. Anything else: we cannot tell, so say yes.
      changed = changed || errno != EAGAIN;
      break;
    }
    if (got == 0) {
      break;
    }
    std::size_t offset = 0;
    while (offset + sizeof(inotify_event) <= static_cast<std::size_t>(got)) {
      inotify_event event{};
      std::memcpy(&event, buffer.data() + offset, sizeof(event));
      const char* name = buffer.data() + offset + sizeof(inotify_event);
      lost = lost || (event.mask & IN_IGNORED) != 0;
      if ((event.mask & (IN_Q_OVERFLOW | IN_IGNORED)) != 0 ||
          (event.len > 0 && concerns_database(std::string(name, strnlen(name, event.len))))) {
        changed = true;
      }
      offset += sizeof(inotify_event) + event.len;
    }
  }
  if (lost) {
    ::close(fd_);
    fd_ = -1;
  }
  return changed;
}

}  // namespace pgptls::pins
