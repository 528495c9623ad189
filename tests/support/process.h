// process.h: running the real tools (gpg, sq, gnutls-cli, openssl, ...) that
// tests use as fixture makers and as peers. Every wait is bounded.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgptls::test {

// ToolOptions: how run_tool starts a program.
struct ToolOptions {
  std::string stdin_data;                     // written to the program's stdin, then closed
  std::map<std::string, std::string> env;     // added to (or replacing in) the environment
  std::optional<std::filesystem::path> cwd;   // working directory
  std::chrono::milliseconds timeout{60'000};  // killed with SIGKILL after this
};

// ToolResult: what a finished program did.
struct ToolResult {
  int exit_code = -1;  // -1 when killed by a signal or by the timeout
  bool timed_out = false;
  std::string out;
  std::string err;
  // ok: exited with code 0.
  [[nodiscard]] bool ok() const { return exit_code == 0; }
  // describe: "exit 2; stderr: ..." for assertion messages.
  [[nodiscard]] std::string describe() const;
};

// run_tool: runs argv[0] (searched in PATH) to completion, collecting its
// output. A program that cannot be started gives exit_code 127.
ToolResult run_tool(const std::vector<std::string>& argv, const ToolOptions& options = {});

// has_tool: whether a program is on PATH.
bool has_tool(std::string_view name);

// ChildProcess: a long-running program (a server, a client holding a
// connection). Its stdout and stderr go to a log file that tests can wait
// on; the destructor kills it (SIGKILL) and reaps it. Waits are events, not
// polling: a write to the log wakes wait_for_log (inotify), the child's exit
// wakes wait (a pidfd); the timeout only bounds them.
class ChildProcess {
 public:
  // start: runs argv with the given environment additions; stdin is a pipe
  // kept open until close_stdin(). Returns nullopt if it could not start.
  static std::optional<ChildProcess> start(const std::vector<std::string>& argv,
                                           const std::filesystem::path& log_file,
                                           const std::map<std::string, std::string>& env = {});
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  // wait_for_log: true once the log contains `text`; false at the timeout or
  // when the program exits without having written it. A server's "ready"
  // line (printed after listen(2)) is how tests know it accepts connections.
  [[nodiscard]] bool wait_for_log(std::string_view text, std::chrono::milliseconds timeout);
  // wait_for_count: true once the log contains `text` at least `expected`
  // times (one line per event, e.g. per handshake); false as wait_for_log.
  [[nodiscard]] bool wait_for_count(std::string_view text, std::size_t expected,
                                    std::chrono::milliseconds timeout);
  // wait_for_line: the first line of the log holding `text`, once the whole
  // line (up to its newline) was written, for tests that read a value from
  // it (a port); nullopt as wait_for_log fails.
  [[nodiscard]] std::optional<std::string> wait_for_line(std::string_view text,
                                                         std::chrono::milliseconds timeout);
  // log: everything the program wrote so far.
  [[nodiscard]] std::string log() const;
  // write_stdin / close_stdin: feed the program's stdin.
  bool write_stdin(std::string_view data);
  void close_stdin();
  // signal: sends a signal (e.g. SIGTERM for a clean shutdown).
  void signal(int signal_number);
  // wait: waits up to `timeout` for the program to exit; returns its exit
  // code (-1 for a signal), or nullopt if it is still running.
  [[nodiscard]] std::optional<int> wait(std::chrono::milliseconds timeout);
  [[nodiscard]] pid_t pid() const { return pid_; }

 private:
  ChildProcess(pid_t pid, int pidfd, int stdin_fd, std::filesystem::path log_file);
  void kill_and_reap();
  // wait_on_log: true once `done()` holds, looking again after each write
  // to the log (watch_fd, an inotify descriptor) and at the child's exit;
  // false at the timeout or when it exited without `done()`.
  [[nodiscard]] bool wait_on_log(int watch_fd, std::chrono::milliseconds timeout,
                                 const std::function<bool()>& done);

  pid_t pid_ = -1;
  int pidfd_ = -1;  // readable once the child exited (pidfd_open(2))
  int stdin_fd_ = -1;
  std::filesystem::path log_file_;
  std::optional<int> exit_code_;
};

}  // namespace pgptls::test
