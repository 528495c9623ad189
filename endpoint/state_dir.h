// state_dir.h: where the pgptls program keeps its state. Every command uses
// these paths by default, so `keyring import`, `authority add`, `pin add`
// and `serve` agree without options.
#pragma once

#include <filesystem>

#include "base/result.h"

namespace pgptls::endpoint {

// state_dir: $PGPTLS_HOME when set and non-empty, else $HOME/.pgptls.
// Fails when neither variable is set.
[[nodiscard]] Result<std::filesystem::path> state_dir();

// ensure_state_dir: state_dir(), created with mode 0700 when missing.
// Fails (naming the path) when it cannot be created.
[[nodiscard]] Result<std::filesystem::path> ensure_state_dir();

// The files and folders inside the state directory.
inline std::filesystem::path keyring_path(const std::filesystem::path& state) {
  return state / "keyring";
}
inline std::filesystem::path authorities_path(const std::filesystem::path& state) {
  return state / "authorities.json";
}
inline std::filesystem::path pins_path(const std::filesystem::path& state) {
  return state / "pins.sqlite";
}

}  // namespace pgptls::endpoint
