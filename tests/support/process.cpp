#include "tests/support/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <span>
#include <sstream>
#include <utility>

extern char** environ;

namespace pgptls::test {
namespace {

// Spawn: argv and envp prepared before fork(), because the child of a
// multi-threaded process may only make async-signal-safe calls.
struct Spawn {
  std::vector<std::string> argv_storage;
  std::vector<std::string> env_storage;
  std::vector<char*> argv;
  std::vector<char*> envp;

  Spawn(const std::vector<std::string>& args, const std::map<std::string, std::string>& env)
      : argv_storage(args) {
    for (char** entry = environ; *entry != nullptr; ++entry) {
      const std::string text(*entry);
      const std::string name = text.substr(0, text.find('='));
      if (!env.contains(name)) {
        env_storage.push_back(text);
      }
    }
    for (const auto& [name, value] : env) {
      env_storage.push_back(name + "=" + value);
    }
    for (auto& arg : argv_storage) {
      argv.push_back(arg.data());
    }
    argv.push_back(nullptr);
    for (auto& entry : env_storage) {
      envp.push_back(entry.data());
    }
    envp.push_back(nullptr);
  }
};

int exit_code_of(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void close_fd(int& fd) {
  if (fd >= 0) {
    ::close(fd);
    fd = -1;
  }
}

using SteadyClock = std::chrono::steady_clock;

// remaining_ms: what is left of `deadline` as a poll(2) timeout (0 when past).
int remaining_ms(SteadyClock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now()).count();
  return left < 0 ? 0 : static_cast<int>(left);
}

// pidfd_open: a descriptor that becomes readable when the child exits
// (pidfd_open(2), Linux 5.3), so waiting for an exit is one poll(2) rather
// than a loop of waitpid(WNOHANG) and sleeps. glibc 2.36 has no wrapper.
int pidfd_open(pid_t pid) {
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
}

// poll_until: poll(2) on `fds` until one is ready or the deadline passes;
// false at the deadline. EINTR restarts the wait with what is left.
bool poll_until(std::span<pollfd> fds, SteadyClock::time_point deadline) {
  while (true) {
    const int ready = ::poll(fds.data(), fds.size(), remaining_ms(deadline));
    if (ready > 0) {
      return true;
    }
    if (ready == 0 || errno != EINTR) {
      return false;
    }
  }
}

// LogWatch: an inotify watch for writes to a log file (inotify(7)), so a
// wait for a line wakes when the program writes, not on a timer. It reads
// the file incrementally: each wake looks only at what was appended.
class LogWatch {
 public:
  LogWatch(const std::filesystem::path& file, std::string_view text)
      : file_(file), text_(text), fd_(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK)) {
    if (fd_ >= 0 && ::inotify_add_watch(fd_, file.c_str(), IN_MODIFY) < 0) {
      close_fd(fd_);
    }
  }
  LogWatch(const LogWatch&) = delete;
  LogWatch& operator=(const LogWatch&) = delete;
  ~LogWatch() { close_fd(fd_); }

  [[nodiscard]] bool valid() const { return fd_ >= 0; }
  [[nodiscard]] int fd() const { return fd_; }

  // count: how often the file holds the text now (overlapping matches
  // count). Reads what was appended since the last call and searches only
  // the new part, with an overlap of the text's length for a match split
  // across two writes.
  [[nodiscard]] std::size_t count() {
    const std::size_t searched = seen_.size();
    std::ifstream file(file_, std::ios::binary);
    file.seekg(static_cast<std::streamoff>(searched));
    std::ostringstream appended;
    appended << file.rdbuf();
    seen_ += appended.str();
    const std::size_t from = searched >= text_.size() ? searched - text_.size() + 1 : 0;
    for (auto at = seen_.find(text_, from); at != std::string::npos;
         at = seen_.find(text_, at + 1)) {
      first_ = std::min(first_, at);
      ++found_;
    }
    return found_;
  }

  // line: the first line holding the text, once its newline was written
  // (a program may write one line in several writes).
  [[nodiscard]] std::optional<std::string> line() {
    if (count() == 0) {
      return std::nullopt;
    }
    const std::size_t end = seen_.find('\n', first_);
    if (end == std::string::npos) {
      return std::nullopt;
    }
    const std::size_t start = seen_.rfind('\n', first_);
    const std::size_t begin = start == std::string::npos ? 0 : start + 1;
    return seen_.substr(begin, end - begin);
  }

 private:
  std::filesystem::path file_;
  std::string text_;
  int fd_ = -1;
  std::string seen_;
  std::size_t found_ = 0;
  std::size_t first_ = std::string::npos;  // where the first match starts
};

}  // namespace

std::string ToolResult::describe() const {
  std::ostringstream text;
  text << (timed_out ? "timed out" : "exit " + std::to_string(exit_code)) << "; stdout: " << out
       << "; stderr: " << err;
  return text.str();
}

bool has_tool(std::string_view name) {
  return run_tool({"sh", "-c", "command -v " + std::string(name) + " >/dev/null"}).ok();
}

ToolResult run_tool(const std::vector<std::string>& argv, const ToolOptions& options) {
  ToolResult result;
  std::array<int, 2> in{-1, -1};
  std::array<int, 2> out{-1, -1};
  std::array<int, 2> err{-1, -1};
  if (::pipe2(in.data(), O_CLOEXEC) != 0 || ::pipe2(out.data(), O_CLOEXEC) != 0 ||
      ::pipe2(err.data(), O_CLOEXEC) != 0) {
    result.exit_code = 127;
    result.err = "pipe failed";
    return result;
  }
  Spawn spawn(argv, options.env);
  const std::string cwd = options.cwd ? options.cwd->string() : std::string();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) {
      ::_exit(127);
    }
    ::execvpe(spawn.argv[0], spawn.argv.data(), spawn.envp.data());
    ::_exit(127);
  }
  close_fd(in[0]);
  close_fd(out[1]);
  close_fd(err[1]);
  if (pid < 0) {
    close_fd(in[1]);
    close_fd(out[0]);
    close_fd(err[0]);
    result.exit_code = 127;
    return result;
  }
  ::fcntl(in[1], F_SETFL, O_NONBLOCK);
  std::size_t written = 0;
  if (options.stdin_data.empty()) {
    close_fd(in[1]);
  }
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  std::array<char, 4096> buffer{};
  while (out[0] >= 0 || err[0] >= 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      ::kill(pid, SIGKILL);
      break;
    }
    std::array<pollfd, 3> fds{pollfd{out[0], POLLIN, 0}, pollfd{err[0], POLLIN, 0},
                              pollfd{in[1], POLLOUT, 0}};
    if (::poll(fds.data(), fds.size(), static_cast<int>(left.count())) < 0 && errno != EINTR) {
      break;
    }
    for (int index = 0; index < 2; ++index) {
      int& fd = index == 0 ? out[0] : err[0];
      if (fd >= 0 && (fds[index].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
        const ssize_t count = ::read(fd, buffer.data(), buffer.size());
        if (count > 0) {
          (index == 0 ? result.out : result.err).append(buffer.data(), count);
        } else if (count == 0 || errno != EINTR) {
          close_fd(fd);
        }
      }
    }
    if (in[1] >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP)) != 0) {
      const ssize_t count =
          ::write(in[1], options.stdin_data.data() + written, options.stdin_data.size() - written);
      if (count > 0) {
        written += static_cast<std::size_t>(count);
      }
      if (count < 0 && errno != EAGAIN && errno != EINTR) {
        close_fd(in[1]);
      }
      if (written == options.stdin_data.size()) {
        close_fd(in[1]);
      }
    }
  }
  close_fd(in[1]);
  close_fd(out[0]);
  close_fd(err[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = result.timed_out ? -1 : exit_code_of(status);
  return result;
}

std::optional<ChildProcess> ChildProcess::start(const std::vector<std::string>& argv,
                                                const std::filesystem::path& log_file,
                                                const std::map<std::string, std::string>& env) {
  std::array<int, 2> in{-1, -1};
  if (::pipe2(in.data(), O_CLOEXEC) != 0) {
    return std::nullopt;
  }
  const int log_fd = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (log_fd < 0) {
    close_fd(in[0]);
    close_fd(in[1]);
    return std::nullopt;
  }
  Spawn spawn(argv, env);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(in[0], 0);
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
    ::execvpe(spawn.argv[0], spawn.argv.data(), spawn.envp.data());
    ::_exit(127);
  }
  ::close(log_fd);
  close_fd(in[0]);
  if (pid < 0) {
    close_fd(in[1]);
    return std::nullopt;
  }
  const int pidfd = pidfd_open(pid);
  ChildProcess child(pid, pidfd, in[1], log_file);
  if (pidfd < 0) {
    return std::nullopt;  // the destructor kills and reaps the child
  }
  return child;
}

ChildProcess::ChildProcess(pid_t pid, int pidfd, int stdin_fd, std::filesystem::path log_file)
    : pid_(pid), pidfd_(pidfd), stdin_fd_(stdin_fd), log_file_(std::move(log_file)) {}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      pidfd_(std::exchange(other.pidfd_, -1)),
      stdin_fd_(std::exchange(other.stdin_fd_, -1)),
      log_file_(std::move(other.log_file_)),
      exit_code_(other.exit_code_) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    kill_and_reap();
    pid_ = std::exchange(other.pid_, -1);
    pidfd_ = std::exchange(other.pidfd_, -1);
    stdin_fd_ = std::exchange(other.stdin_fd_, -1);
    log_file_ = std::move(other.log_file_);
    exit_code_ = other.exit_code_;
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  kill_and_reap();
}

void ChildProcess::kill_and_reap() {
  close_fd(stdin_fd_);
  if (pid_ > 0 && !exit_code_) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  close_fd(pidfd_);
  pid_ = -1;
}

std::string ChildProcess::log() const {
  std::ifstream file(log_file_, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

bool ChildProcess::wait_for_log(std::string_view text, std::chrono::milliseconds timeout) {
  return wait_for_count(text, 1, timeout);
}

bool ChildProcess::wait_for_count(std::string_view text, std::size_t expected,
                                  std::chrono::milliseconds timeout) {
  LogWatch watch(log_file_, text);
  return watch.valid() &&
         wait_on_log(watch.fd(), timeout, [&] { return watch.count() >= expected; });
}

std::optional<std::string> ChildProcess::wait_for_line(std::string_view text,
                                                       std::chrono::milliseconds timeout) {
  LogWatch watch(log_file_, text);
  std::optional<std::string> line;
  (void)(watch.valid() && wait_on_log(watch.fd(), timeout, [&] {
           line = watch.line();
           return line.has_value();
         }));
  return line;
}

bool ChildProcess::wait_on_log(int watch_fd, std::chrono::milliseconds timeout,
                               const std::function<bool()>& done) {
  const auto deadline = SteadyClock::now() + timeout;
  // The watch exists before the first look, so no write is missed between
  // reading the file and waiting.
  while (true) {
    if (done()) {
      return true;
    }
    if (exit_code_ || wait(std::chrono::milliseconds(0))) {
      return done();  // it exited: what it wrote is all there is
    }
    std::array<pollfd, 2> fds{pollfd{watch_fd, POLLIN, 0}, pollfd{pidfd_, POLLIN, 0}};
    if (!poll_until(fds, deadline)) {
      return done();
    }
    // The events' content does not matter: each says "the log grew".
    std::array<char, 4096> events{};
    while (::read(watch_fd, events.data(), events.size()) > 0) {
    }
  }
}

bool ChildProcess::write_stdin(std::string_view data) {
  while (!data.empty()) {
    const ssize_t count = ::write(stdin_fd_, data.data(), data.size());
    if (count < 0) {
      if (errno == EINTR) {
        continue;
      }
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(count));
  }
  return true;
}

void ChildProcess::close_stdin() {
  close_fd(stdin_fd_);
}

void ChildProcess::signal(int signal_number) {
  if (pid_ > 0 && !exit_code_) {
    ::kill(pid_, signal_number);
  }
}

std::optional<int> ChildProcess::wait(std::chrono::milliseconds timeout) {
  if (exit_code_) {
    return exit_code_;
  }
  const auto deadline = SteadyClock::now() + timeout;
  pollfd exited{pidfd_, POLLIN, 0};
  // A zero timeout still asks waitpid once: the pidfd may not be polled yet.
  (void)poll_until(std::span(&exited, 1), deadline);
  int status = 0;
  pid_t done = -1;
  while ((done = ::waitpid(pid_, &status, WNOHANG)) < 0 && errno == EINTR) {
  }
  if (done != pid_) {
    return std::nullopt;
  }
  exit_code_ = exit_code_of(status);
  return exit_code_;
}

}  // namespace pgptls::test
