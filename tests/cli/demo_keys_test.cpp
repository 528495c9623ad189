// demo_keys_test.cpp: the gpg part of `pgptls demo` (cli/demo_keys.cpp).
// The keys are made once for the suite by the real gpg; pgptls's own
// `verify-cert`, `authority` and `keyring` commands and the keyring library
// then check that they are what the demo says they are.
#include "cli/demo_keys.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <memory>
#include <sstream>

#include "openpgp/secret_key.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace pgptls::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

test::ToolResult run_pgptls(const std::vector<std::string>& args,
                            const std::map<std::string, std::string>& env = {}) {
  std::vector<std::string> argv{PGPTLS_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  test::ToolOptions options;
  options.env = env;
  options.timeout = std::chrono::seconds(60);
  return test::run_tool(argv, options);
}

class DemoKeysTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<test::TempDir>();
    std::ostringstream shown;
    keys_ = make_demo_keys(dir_->path(), shown);
    shown_ = shown.str();
  }
  static void TearDownTestSuite() { dir_.reset(); }

  void SetUp() override { ASSERT_TRUE(keys_.has_value()) << shown_; }

  static std::filesystem::path file(const std::string& name) { return dir_->file(name); }

  // verify: `pgptls verify-cert` of a certificate file for a domain.
  static test::ToolResult verify(const std::string& cert, const std::string& domain,
                                 const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{"verify-cert", "--authority", file("authority.asc").string(),
                                  "--domain", domain};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(file(cert).string());
    return run_pgptls(args);
  }

  static std::unique_ptr<test::TempDir> dir_;
  static std::optional<DemoKeys> keys_;
  static std::string shown_;
};

std::unique_ptr<test::TempDir> DemoKeysTest::dir_;
std::optional<DemoKeys> DemoKeysTest::keys_;
std::string DemoKeysTest::shown_;

TEST_F(DemoKeysTest, PrintsTheOperatorCommandsItRan) {
  EXPECT_THAT(shown_, HasSubstr("$ gpg --quick-gen-key 'Demo XMPP Authority"));
  EXPECT_THAT(shown_, HasSubstr("$ gpg --quick-gen-key xmpp:b.example ed25519 sign,cert never"));
  EXPECT_THAT(shown_, HasSubstr("$ gpg --quick-add-key <impostor> ed25519 auth never"));
  EXPECT_THAT(shown_,
              HasSubstr("$ gpg --default-key <authority> --quick-sign-key <c> xmpp:c.example"));
  EXPECT_THAT(shown_, Not(HasSubstr("--quick-sign-key <impostor>")));
  EXPECT_THAT(shown_, HasSubstr("$ gpg --import c.rev"));
  EXPECT_THAT(shown_, HasSubstr("$ gpg --armor --export <c> > c-revoked.asc"));
}

TEST_F(DemoKeysTest, TheAuthorityCertifiesAAndB) {
  for (const std::string name : {"a", "b"}) {
    const auto result = verify(name + ".asc", name + ".example");
    EXPECT_TRUE(result.ok()) << result.describe();
    EXPECT_THAT(result.out, HasSubstr("accepted: authority " + keys_->authority_fingerprint));
    // The handshake key is the authentication subkey gpg made.
    EXPECT_THAT(result.out, HasSubstr(keys_->key(name).subkey.substr(24)));
  }
}

TEST_F(DemoKeysTest, TheImpostorClaimsBButNobodyCertifiedIt) {
  const DemoKey& impostor = keys_->key("impostor");
  EXPECT_EQ(impostor.user_id, "xmpp:b.example");
  EXPECT_NE(impostor.fingerprint, keys_->key("b").fingerprint);
  const auto result = verify("impostor.asc", "b.example");
  EXPECT_EQ(result.exit_code, 1) << result.describe();
  EXPECT_THAT(result.out, HasSubstr("rejected: "));
  EXPECT_THAT(result.out, HasSubstr("not certified"));
}

TEST_F(DemoKeysTest, CIsCertifiedUntilItsRevocationIsKnown) {
  const auto before = verify("c.asc", "c.example");
  EXPECT_TRUE(before.ok()) << before.describe();

  const auto revoked = verify("c-revoked.asc", "c.example");
  EXPECT_EQ(revoked.exit_code, 1) << revoked.describe();
  EXPECT_THAT(revoked.out, HasSubstr("revoked"));

  // The old copy, with the revocation held in a keyring, is refused too.
  const auto old_copy = verify("c.asc", "c.example", {"--keyring", file("c-revoked.asc").string()});
  EXPECT_EQ(old_copy.exit_code, 1) << old_copy.describe();
  EXPECT_THAT(old_copy.out, HasSubstr("revoked"));
}

TEST_F(DemoKeysTest, SecretKeysAreExportedUnprotectedWithTheirAuthenticationSubkey) {
  for (const DemoKey& key : keys_->keys) {
    const std::string text = read_file(file(key.name + "-secret.asc"));
    auto secrets = openpgp::load_secret_keys(as_bytes_view(text));
    ASSERT_TRUE(secrets.ok()) << key.name << ": " << secrets.error().message();
    ASSERT_EQ(secrets->size(), 2U) << key.name;
    EXPECT_EQ((*secrets)[0].public_key.fingerprint_hex(), key.fingerprint);
    EXPECT_EQ((*secrets)[1].public_key.fingerprint_hex(), key.subkey);
    for (const openpgp::SecretKeyPacket& packet : *secrets) {
      EXPECT_EQ(packet.protection, openpgp::SecretKeyProtection::unprotected) << key.name;
    }
  }
}

TEST_F(DemoKeysTest, RegistersTheAuthorityAndImportsWithPgptlsCommands) {
  test::TempDir home;
  std::ostringstream shown;
  ASSERT_TRUE(
      register_authority(PGPTLS_BIN, home.path(), dir_->path(), {"b.asc", "c-revoked.asc"}, shown))
      << shown.str();
  EXPECT_THAT(shown.str(), HasSubstr("pgptls authority add authority.asc"));
  EXPECT_THAT(shown.str(), HasSubstr("pgptls keyring import c-revoked.asc"));
  const std::map<std::string, std::string> env{{"PGPTLS_HOME", home.path().string()}};
  const auto authorities = run_pgptls({"authority", "list"}, env);
  EXPECT_TRUE(authorities.ok()) << authorities.describe();
  EXPECT_THAT(authorities.out, HasSubstr(keys_->authority_fingerprint));
  const auto listed = run_pgptls({"keyring", "list"}, env);
  EXPECT_TRUE(listed.ok()) << listed.describe();
  EXPECT_THAT(listed.out, HasSubstr(keys_->key("b").fingerprint));
  EXPECT_THAT(listed.out, HasSubstr(keys_->key("c").fingerprint));
}

TEST_F(DemoKeysTest, RegisteringAMissingFileFailsAndSaysWhich) {
  test::TempDir home;
  std::ostringstream shown;
  EXPECT_FALSE(register_authority(PGPTLS_BIN, home.path(), dir_->path(), {"no-such.asc"}, shown));
  EXPECT_THAT(shown.str(), HasSubstr("pgptls keyring import no-such.asc failed: "));
  EXPECT_THAT(shown.str(), HasSubstr("no-such.asc"));
}

// Without gpg on PATH the demo cannot make keys: it says so and what to do.
TEST(DemoKeysWithoutGpg, SaysGpgIsMissing) {
  test::TempDir dir;
  test::TempDir empty_path;
  const std::string saved = ::getenv("PATH") != nullptr ? ::getenv("PATH") : "";
  ::setenv("PATH", empty_path.path().c_str(), 1);
  std::ostringstream shown;
  const auto keys = make_demo_keys(dir.path(), shown);
  ::setenv("PATH", saved.c_str(), 1);
  EXPECT_FALSE(keys.has_value());
  EXPECT_THAT(shown.str(), HasSubstr("gpg failed (is gnupg installed?)"));
}

}  // namespace
}  // namespace pgptls::cli
