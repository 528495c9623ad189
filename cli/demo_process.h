// demo_process.h: the child processes `pgptls demo` runs (gpg and openssl
// to make keys, this program's own serve/connect/pin/authority/keyring),
// every wait bounded and cut short by SIGINT/SIGTERM/SIGHUP once
// catch_interrupts() is in force, so that the demo can still clean up.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pgptls::cli {

// catch_interrupts: from now on SIGINT, SIGTERM and SIGHUP only set a flag
// (interrupted()); run_program and Background waits stop early when it is
// set. Without SA_RESTART, a blocked poll or sleep returns at once.
void catch_interrupts();

// interrupted: the signal that arrived since catch_interrupts(), or 0.
[[nodiscard]] int interrupted();

// ProgramResult: a finished program's exit code (-1: killed) and output.
struct ProgramResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Interrupts: whether an interrupt cuts a program short. Cleanup (stopping
// gpg's agent) runs to its end even after an interrupt.
enum class Interrupts : std::uint8_t { stop, ignore };

// run_program: runs argv (argv[0] searched in PATH) with `env` added to the
// environment and stdin from `input`; kills it after `timeout`, or on an
// interrupt unless told to ignore them (exit_code -1 then).
[[nodiscard]] ProgramResult run_program(const std::vector<std::string>& argv,
                                        const std::map<std::string, std::string>& env,
                                        const std::string& input, std::chrono::milliseconds timeout,
                                        Interrupts interrupts = Interrupts::stop);

// first_line_with: the first line of `text` containing `needle`, or "".
[[nodiscard]] std::string first_line_with(const std::string& text, const std::string& needle);

// free_loopback_port: a port on 127.0.0.1 that was free a moment ago
// (bound to port 0 and released); 0 when no socket can be made.
[[nodiscard]] std::uint16_t free_loopback_port();

// Background: a long-running program whose stdout and stderr go to a file.
class Background {
 public:
  Background(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
             const std::filesystem::path& log);
  ~Background();
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;

  [[nodiscard]] bool started() const { return pid_ > 0; }
  // wait_for: the log once it holds a whole line containing `text`,
  // nullopt at the timeout or when the program ended without writing it.
  [[nodiscard]] std::optional<std::string> wait_for(const std::string& text,
                                                    std::chrono::milliseconds timeout);
  [[nodiscard]] std::string log() const;
  // stop: SIGTERM, then the exit code (SIGKILL after `timeout` or on an
  // interrupt: -1).
  int stop(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  std::filesystem::path log_;
};

}  // namespace pgptls::cli
