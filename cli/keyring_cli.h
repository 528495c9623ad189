// keyring_cli.h: what the keyring, authority and verify-cert commands share:
// where the keyring is, how errors are printed, how certificate files are
// read.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "keyring/keyring_store.h"

namespace pgptls::cli {

// Exit codes of commands.h: 0 success, 1 negative verdict or failed
// operation, 2 usage or I/O error.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;

// print_error: "pgptls: <message>" on stderr, one line.
void print_error(std::string_view message);
// fail: prints the error and returns `exit_code`.
int fail(const Error& error, int exit_code);

// keyring_directory: `option` when given, else the keyring of the state
// directory (endpoint::keyring_path(endpoint::state_dir())). With `create`, the state
// directory is created (mode 0700) when the default is used. Fails when
// neither is known.
[[nodiscard]] Result<std::filesystem::path> keyring_directory(const std::string& option,
                                                              bool create);

// key_algorithm_name: RFC 9580 §9.1 name of a public-key algorithm ID.
[[nodiscard]] std::string key_algorithm_name(std::uint8_t algorithm);

// program_time: the program's now (endpoint::program_clock: the system
// clock, or a test clock that main() has already checked).
[[nodiscard]] base::TimePoint program_time();

// primary_user_id: the user ID shown for a certificate in one-line listings:
// the first user ID, or "(no user ID)".
[[nodiscard]] std::string primary_user_id(const openpgp::Cert& cert);

}  // namespace pgptls::cli
