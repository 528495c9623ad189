// store_gpg.h: a throwaway GnuPG home for tests that need real OpenPGP
// certificates. Every call runs the real gpg (bounded by run_tool's
// timeout) in batch mode with an empty passphrase; failures throw
// std::runtime_error carrying gpg's output, so a fixture that cannot be made
// fails the test loudly instead of testing nothing.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/temp_dir.h"

namespace pgptls::test {

class GpgHome {
 public:
  GpgHome();
  ~GpgHome();
  GpgHome(const GpgHome&) = delete;
  GpgHome& operator=(const GpgHome&) = delete;

  [[nodiscard]] const std::filesystem::path& path() const { return dir_.path(); }

  // faked_time: runs later commands as if at this time
  // (gpg --faked-system-time, "20200101T000000"); nullopt for the real time.
  void faked_time(std::optional<std::string> time) { faked_time_ = std::move(time); }

  // run: gpg ARGS with the batch options; returns stdout.
  std::string run(const std::vector<std::string>& args, const std::string& stdin_data = {});

  // generate: a new certificate (gpg --quick-gen-key); returns its
  // fingerprint (uppercase hex).
  std::string generate(const std::string& user_id, const std::string& algo = "ed25519",
                       const std::string& usage = "sign,cert", const std::string& expire = "never");
  // add_subkey: a subkey (gpg --quick-add-key); returns its fingerprint.
  std::string add_subkey(const std::string& fingerprint, const std::string& algo,
                         const std::string& usage, const std::string& expire = "never");
  // add_user_id: gpg --quick-add-uid.
  void add_user_id(const std::string& fingerprint, const std::string& user_id);
  // certify: `signer` certifies the user ID of `target` (gpg --quick-sign-key).
  void certify(const std::string& signer, const std::string& target, const std::string& user_id);
  // revoke_key: imports the revocation certificate gpg made at generation.
  void revoke_key(const std::string& fingerprint);
  // export_cert: gpg --export, binary or armored.
  std::string export_cert(const std::string& fingerprint, bool armored = false);
  // import: gpg --import of the file's content.
  void import(const std::filesystem::path& file);
  // fingerprints: "fpr" records of gpg --with-colons --list-keys FPR, in
  // order (primary, then subkeys).
  std::vector<std::string> fingerprints(const std::string& fingerprint);
  // keygrips: the "grp" records (gpg --with-keygrip), in the same order.
  std::vector<std::string> keygrips(const std::string& fingerprint);
  // key_ids: the 16-hex-digit key IDs of the same records.
  std::vector<std::string> key_ids(const std::string& fingerprint);

 private:
  TempDir dir_;
  std::optional<std::string> faked_time_;
};

// cached_fixture: the directory PGPTLS_BINARY_DIR/test-fixtures/<name>,
// filled by `make` the first time any test process asks for it. ctest runs
// every test in its own process, in parallel: a file lock makes one process
// generate while the others wait, and `make` fills a temporary directory
// that is renamed into place only when complete, so a crash never leaves a
// half-made fixture behind. Change `name` when `make` changes.
std::filesystem::path cached_fixture(const std::string& name,
                                     const std::function<void(const std::filesystem::path&)>& make);

// write_file: writes text (or binary data held in a string) to a file.
void write_file(const std::filesystem::path& path, const std::string& content);
// read_text_file: the whole file, or "" when it cannot be read.
std::string read_text_file(const std::filesystem::path& path);

}  // namespace pgptls::test
