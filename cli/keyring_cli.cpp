#include "cli/keyring_cli.h"

#include <iostream>

#include "base/file.h"
#include "endpoint/program_clock.h"
#include "endpoint/state_dir.h"
#include "openpgp/errors.h"

namespace pgptls::cli {

void print_error(std::string_view message) {
  std::cerr << "pgptls: " << message << "\n";
}

int fail(const Error& error, int exit_code) {
  print_error(error.message());
  return exit_code;
}

Result<std::filesystem::path> keyring_directory(const std::string& option, bool create) {
  if (!option.empty()) {
    return std::filesystem::path(option);
  }
  PGPTLS_TRY(const std::filesystem::path state,
             create ? endpoint::ensure_state_dir() : endpoint::state_dir());
  return endpoint::keyring_path(state);
}

std::string key_algorithm_name(std::uint8_t algorithm) {
  switch (algorithm) {
    case 1:
    case 2:
    case 3:
      return "RSA";
    case 16:
      return "Elgamal";
    case 17:
      return "DSA";
    case 18:
      return "ECDH";
    case 19:
      return "ECDSA";
    case 22:
      return "EdDSA (legacy)";
    case 25:
      return "X25519";
    case 26:
      return "X448";
    case 27:
      return "Ed25519";
    case 28:
      return "Ed448";
    default:
      return "algorithm " + std::to_string(algorithm);
  }
}

base::TimePoint program_time() {
  auto clock = endpoint::program_clock();
  return clock.ok() ? (*clock)->now() : std::chrono::system_clock::now();
}

std::string primary_user_id(const openpgp::Cert& cert) {
  for (const openpgp::UserId& user_id : cert.user_ids) {
    if (!user_id.is_attribute) {
      return user_id.text();
    }
  }
  return "(no user ID)";
}

}  // namespace pgptls::cli
