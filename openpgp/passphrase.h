// passphrase.h: where the passphrase of a secret key comes from: a file (its
// first line), a file descriptor, an environment variable, or a no-echo
// prompt on the terminal. Every source returns the passphrase in wiped
// memory, without its line end, and never reads past the first line.
//
// Usage:
//   PGPTLS_TRY(base::SecretBytes pass, openpgp::passphrase_from_file(path));
//   PGPTLS_TRY(auto key, openpgp::unlock_secret_key(packet, pass));
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/secret.h"

namespace pgptls::openpgp {

// kMaxPassphraseSize: a longer first line is refused (a mistaken path to a
// key file, say, rather than a passphrase).
inline constexpr std::size_t kMaxPassphraseSize = 4096;

// passphrase_from_fd: reads up to the first LF (a CR before it is dropped)
// or end of file, one octet at a time so nothing after the line is consumed.
// Errors: base::Errc::io_error (read failure), Errc::invalid_argument (line
// longer than kMaxPassphraseSize).
[[nodiscard]] Result<base::SecretBytes> passphrase_from_fd(int fd);

// passphrase_from_file: the first line of the file. Errors as
// passphrase_from_fd, and base::Errc::io_error naming the path when the file
// cannot be opened.
[[nodiscard]] Result<base::SecretBytes> passphrase_from_file(const std::filesystem::path& path);

// passphrase_from_env: the value of the environment variable. Errors:
// Errc::not_found when it is unset, Errc::invalid_argument when it is longer
// than kMaxPassphraseSize.
[[nodiscard]] Result<base::SecretBytes> passphrase_from_env(const std::string& name);

// passphrase_from_terminal: writes the prompt to the terminal, reads one line
// with echo off, and restores the terminal settings. With terminal_fd < 0 it
// opens /dev/tty. Errors: Errc::invalid_argument when there is no terminal
// (the fix: use a passphrase file, fd or environment variable), else as
// passphrase_from_fd.
[[nodiscard]] Result<base::SecretBytes> passphrase_from_terminal(std::string_view prompt,
                                                                 int terminal_fd = -1);

}  // namespace pgptls::openpgp
