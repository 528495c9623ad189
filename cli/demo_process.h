// demo_process.h: the child processes `pgptls demo` runs (openssl to make
// keys, this program's own serve/connect/pin), every wait bounded.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pgptls::cli {

// ProgramResult: a finished program's exit code (-1: killed) and output.
struct ProgramResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// run_program: runs argv (argv[0] searched in PATH) with `env` added to the
// environment and stdin from `input`; kills it after `timeout`.
[[nodiscard]] ProgramResult run_program(const std::vector<std::string>& argv,
                                        const std::map<std::string, std::string>& env,
                                        const std::string& input,
                                        std::chrono::milliseconds timeout);

// Background: a long-running program whose stdout and stderr go to a file.
class Background {
 public:
  Background(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
             const std::filesystem::path& log);
  ~Background();
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;

  [[nodiscard]] bool started() const { return pid_ > 0; }
  // wait_for: the log once it contains `text`, nullopt at the timeout or
  // when the program ended without writing it.
  [[nodiscard]] std::optional<std::string> wait_for(const std::string& text,
                                                    std::chrono::milliseconds timeout);
  [[nodiscard]] std::string log() const;
  // stop: SIGTERM, then the exit code (SIGKILL after `timeout`: -1).
  int stop(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  std::filesystem::path log_;
};

}  // namespace pgptls::cli
