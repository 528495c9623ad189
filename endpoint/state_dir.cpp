#include "endpoint/state_dir.h"

#include <sys/stat.h>

#include <cstdlib>
#include <string>
#include <system_error>

#include "base/errors.h"

namespace pgptls::endpoint {

Result<std::filesystem::path> state_dir() {
  const char* home = std::getenv("PGPTLS_HOME");
  if (home != nullptr && *home != '\0') {
    return std::filesystem::path(home);
  }
  const char* user_home = std::getenv("HOME");
  if (user_home != nullptr && *user_home != '\0') {
    return std::filesystem::path(user_home) / ".pgptls";
  }
  return make_error(base::Errc::io_error,
                    "no state directory: set PGPTLS_HOME (or HOME) or pass the path explicitly");
}

Result<std::filesystem::path> ensure_state_dir() {
  PGPTLS_TRY(std::filesystem::path path, state_dir());
  std::error_code error;
  std::filesystem::create_directories(path, error);
  if (error) {
    return make_error(base::Errc::io_error,
                      "cannot create state directory " + path.string() + ": " + error.message());
  }
  // The keyring and the pin store decide whom we trust: keep them private.
  ::chmod(path.c_str(), 0700);
  return path;
}

}  // namespace pgptls::endpoint
