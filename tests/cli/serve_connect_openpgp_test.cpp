// Tests of the OpenPGP options of `pgptls serve` and `pgptls connect` that
// fail before any connection: credential loading (wrong passphrase, no
// passphrase and no terminal, unknown or non-authentication subkey,
// certificate and key not matching), trust options, usage errors and the
// same options from a --config file. Keys come from gpg (openpgp_world.h).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/cli/openpgp_world.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace pgptls::test {
namespace {

using namespace std::chrono_literals;

const std::string kProgram = PGPTLS_PROGRAM;

std::string key_id(const std::string& fingerprint) {
  return fingerprint.substr(fingerprint.size() - 16);
}

class OpenPgpOptionsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { world_ = &openpgp_world(); }

  // connect: `pgptls connect` to a port nobody listens on; every case here
  // fails while loading, before it would dial. stdin is a pipe, not a tty.
  ToolResult connect(const std::vector<std::string>& extra,
                     const std::map<std::string, std::string>& env = {}) {
    std::vector<std::string> argv{kProgram,
                                  "connect",
                                  "127.0.0.1:1",
                                  "--peer",
                                  "a.example",
                                  "--pins",
                                  home_.file("pins.sqlite").string()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    ToolOptions options;
    options.env = env;
    options.env["PGPTLS_HOME"] = home_.path().string();
    options.timeout = 30s;
    return run_tool(argv, options);
  }

  static std::vector<std::string> credential(const std::string& cert, const std::string& key) {
    return {"--openpgp-cert", world_->file(cert + ".asc"), "--openpgp-key",
            world_->file(key + ".sec")};
  }

  std::string write(const std::string& name, const std::string& text) {
    const auto path = home_.file(name);
    std::ofstream(path) << text;
    return path.string();
  }

  static const OpenPgpWorld* world_;
  TempDir home_;
};

const OpenPgpWorld* OpenPgpOptionsTest::world_ = nullptr;

// expect_fails: exit code 2 and the message on stderr.
void expect_fails(const ToolResult& result, const std::string& message) {
  EXPECT_EQ(result.exit_code, 2) << result.describe();
  EXPECT_NE(result.err.find(message), std::string::npos) << result.err;
}

TEST_F(OpenPgpOptionsTest, WrongPassphraseNamesTheKey) {
  auto args = credential("pb", "pb");
  args.insert(args.end(), {"--passphrase-file", write("wrong.pass", "not the passphrase\n")});
  expect_fails(connect(args), "wrong passphrase for key 0x" + key_id(world_->sub.at("pb")) +
                                  " of " + world_->file("pb.sec"));
  // The environment variable and file descriptor sources read the same way.
  args = credential("pb", "pb");
  args.insert(args.end(), {"--passphrase-env", "PGPTLS_TEST_PASS"});
  expect_fails(connect(args, {{"PGPTLS_TEST_PASS", "wrong"}}), "wrong passphrase for key 0x");
}

TEST_F(OpenPgpOptionsTest, ProtectedKeyWithoutPassphraseAndTerminal) {
  expect_fails(connect(credential("pb", "pb")),
               "is passphrase-protected and there is no terminal to ask on; give "
               "--passphrase-file, --passphrase-fd or --passphrase-env");
  auto args = credential("pb", "pb");
  args.insert(args.end(), {"--passphrase-env", "PGPTLS_TEST_UNSET_VARIABLE"});
  expect_fails(connect(args), "--passphrase-env PGPTLS_TEST_UNSET_VARIABLE");
  args = credential("pb", "pb");
  args.insert(args.end(), {"--passphrase-file", home_.file("missing.pass").string()});
  expect_fails(connect(args), "--passphrase-file");
}

TEST_F(OpenPgpOptionsTest, CertificateAndKeyMustMatch) {
  expect_fails(connect(credential("a", "b")),
               "holds no secret key of certificate " + world_->fpr.at("a") + " (--openpgp-cert " +
                   world_->file("a.asc") + "): the certificate and the key do not match");
}

TEST_F(OpenPgpOptionsTest, ExpiredCertificateIsRefused) {
  expect_fails(connect(credential("old", "old")), "--openpgp-cert " + world_->file("old.asc") +
                                                      ": certificate " + world_->fpr.at("old") +
                                                      " is not valid now; renew or replace it");
}

TEST_F(OpenPgpOptionsTest, SkippedKeyringFilesAreReported) {
  // A file in the state directory's keyring that is not a certificate
  // does not stop the program, but it says so.
  std::filesystem::create_directories(home_.file("keyring"));
  write("keyring/NOT-A-CERTIFICATE", "junk");
  const auto result = connect({});
  EXPECT_EQ(result.exit_code, 1) << result.describe();  // loads, then cannot dial
  EXPECT_NE(result.err.find("pgptls connect: warning: keyring file " +
                            home_.file("keyring/NOT-A-CERTIFICATE").string() + " skipped: "),
            std::string::npos)
      << result.err;
}

TEST_F(OpenPgpOptionsTest, SubkeySelection) {
  auto args = credential("a", "a");
  args.insert(args.end(), {"--openpgp-subkey", "0123456789ABCDEF"});
  expect_fails(connect(args), "--openpgp-subkey 0123456789ABCDEF: no such key in certificate " +
                                  world_->fpr.at("a"));
  // a's primary key signs and certifies, but is not flagged for
  // authentication.
  args = credential("a", "a");
  args.insert(args.end(), {"--openpgp-subkey", key_id(world_->fpr.at("a"))});
  expect_fails(connect(args),
               "--openpgp-subkey " + key_id(world_->fpr.at("a")) + ": key cannot authenticate");
  args = credential("a", "a");
  args.insert(args.end(), {"--openpgp-subkey", "xyz"});
  expect_fails(connect(args), "--openpgp-subkey 'xyz' is not a key ID");
  // The [A] subkey by key ID and by fingerprint loads; the connection then
  // fails (nobody listens), which is exit 1, not a usage error.
  for (const std::string& id : {key_id(world_->sub.at("a")), "0x" + world_->sub.at("a")}) {
    args = credential("a", "a");
    args.insert(args.end(), {"--openpgp-subkey", id});
    const auto loaded = connect(args);
    EXPECT_EQ(loaded.exit_code, 1) << id << ": " << loaded.describe();
    EXPECT_NE(loaded.err.find("handshake failed:"), std::string::npos) << loaded.err;
  }
}

TEST_F(OpenPgpOptionsTest, UsageErrors) {
  expect_fails(connect({"--mode", "pgp"}), "--mode");
  expect_fails(connect({"--openpgp-cert", world_->file("a.asc")}), "--openpgp-key");
  expect_fails(connect({"--openpgp-key", world_->file("a.sec")}), "--openpgp-cert");
  expect_fails(connect({"--fingerprint-only"}), "--fingerprint-only needs an OpenPGP credential");
  expect_fails(connect({"--passphrase-file", "x", "--passphrase-env", "Y"}), "excludes");
  expect_fails(connect({"--authority", world_->file("ca.asc") + ",scope="}),
               "scope= needs a pattern");
  expect_fails(connect({"--authority", world_->file("ca.asc") + ",scope=a..example"}),
               "--authority " + world_->file("ca.asc") +
                   ",scope=a..example: scope 'a..example': the pattern has an empty label");
  expect_fails(connect({"--authority", home_.file("missing.asc").string()}), "--authority: ");
  expect_fails(connect({"--keyring", home_.file("missing").string()}), "--keyring ");
  // --authority takes one value, so the target may follow it.
  const auto before_target =
      run_tool({kProgram, "connect", "--authority", world_->file("ca.asc"), "127.0.0.1:1", "--peer",
                "a.example", "--authority", world_->file("ca.asc"), "--pins",
                home_.file("pins.sqlite").string()},
               {.stdin_data = "",
                .env = {{"PGPTLS_HOME", home_.path().string()}},
                .cwd = std::nullopt,
                .timeout = 30s});
  EXPECT_EQ(before_target.exit_code, 1) << before_target.describe();  // parsed, cannot dial
  // A server needs one certificate of either type.
  ToolOptions options;
  options.env["PGPTLS_HOME"] = home_.path().string();
  const auto serve = run_tool({kProgram, "serve", "--listen", "127.0.0.1:1", "--echo"}, options);
  expect_fails(serve,
               "a server needs a certificate: give --openpgp-cert and --openpgp-key, or "
               "--x509-cert and --x509-key");
}

TEST_F(OpenPgpOptionsTest, AuthoritiesFileEntryNeedsItsCertificate) {
  // authorities.json names a fingerprint whose certificate is in no keyring.
  std::ofstream(home_.file("authorities.json"))
      << R"({"format": "pgptls-authorities", "version": 1, "authorities": [{"fingerprint": ")"
      << world_->fpr.at("ca") << R"(", "scopes": []}]})";
  expect_fails(connect({}), "authority " + world_->fpr.at("ca") + " of " +
                                home_.file("authorities.json").string() +
                                " has no certificate in the keyring; import it");
  // With the certificate in the given keyring it loads (and fails to dial).
  const auto loaded = connect({"--keyring", world_->file("ca.asc")});
  EXPECT_EQ(loaded.exit_code, 1) << loaded.describe();
}

TEST_F(OpenPgpOptionsTest, ConfigFileTakesTheOpenPgpOptions) {
  // Every new option by its long name; a bad value is reported as the
  // option's own error, so each name reached its option.
  const std::string good = "openpgp-cert = \"" + world_->file("pb.asc") +
                           "\"\n"
                           "openpgp-key = \"" +
                           world_->file("pb.sec") +
                           "\"\n"
                           "openpgp-subkey = \"auto\"\n"
                           "passphrase-file = \"" +
                           world_->file("pb.pass") +
                           "\"\n"
                           "authority = [\"" +
                           world_->file("ca.asc") + ",scope=*.example\", \"" +
                           world_->file("ca.asc") +
                           "\"]\n"
                           "keyring = \"" +
                           world_->file("a.asc") +
                           "\"\n"
                           "tofu = true\n"
                           "require-openpgp = true\n"
                           "fingerprint-only = true\n"
                           "mode = \"openpgp\"\n";
  const auto loaded = connect({"--config", write("good.toml", good)});
  EXPECT_EQ(loaded.exit_code, 1) << loaded.describe();  // loads, then cannot dial
  EXPECT_NE(loaded.err.find("handshake failed:"), std::string::npos) << loaded.err;

  expect_fails(connect({"--config", write("mode.toml", "mode = \"pgp\"\n")}), "mode.toml: ");
  expect_fails(connect({"--config", write("wrong.toml", good + "passphrase-env = \"X\"\n")}),
               "give only one of --passphrase-file, --passphrase-fd and --passphrase-env");
  expect_fails(
      connect({"--config", write("subkey.toml", "openpgp-cert = \"" + world_->file("a.asc") +
                                                    "\"\nopenpgp-key = \"" + world_->file("a.sec") +
                                                    "\"\nopenpgp-subkey = \"nothex\"\n")}),
      "--openpgp-subkey 'nothex' is not a key ID");
  expect_fails(connect({"--config",
                        write("half.toml", "openpgp-cert = \"" + world_->file("a.asc") + "\"\n")}),
               "--openpgp-cert and --openpgp-key come together");
}

}  // namespace
}  // namespace pgptls::test
