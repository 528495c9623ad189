// `pgptls authority add|list|remove`, run as a program against certificates
// made by gpg (keyring_world.h), with PGPTLS_HOME in a temporary directory.
#include <gtest/gtest.h>

#include "tests/cli/keyring_world.h"
#include "tests/keyring/store_gpg.h"
#include "tests/support/temp_dir.h"

namespace pgptls::test {
namespace {

class AuthorityCommandTest : public ::testing::Test {
 protected:
  const KeyringWorld& world = keyring_world();
  TempDir home;
  std::map<std::string, std::string> env() const { return {{"PGPTLS_HOME", home.path().string()}}; }
  ToolResult run(const std::vector<std::string>& args) const { return run_pgptls(args, env()); }
};

TEST_F(AuthorityCommandTest, AddListRemove) {
  const std::string signer = world.fpr.at("signer");
  const std::string signer2 = world.fpr.at("signer2");
  auto added = run({"authority", "add", world.file("signer.asc").string(), "--scope",
                    "*.Example.org", "--scope", "example.org"});
  ASSERT_EQ(added.exit_code, 0) << added.describe();
  EXPECT_EQ(added.out, "added authority " + signer +
                           " Designated Signer <signer@example.invalid> (scopes: *.example.org "
                           "example.org)\n");
  added = run({"authority", "add", world.file("signer2.asc").string()});
  ASSERT_EQ(added.exit_code, 0) << added.describe();
  EXPECT_EQ(added.out, "added authority " + signer2 +
                           " Second Signer <signer2@example.invalid> (scopes: any domain)\n");

  // The certificate went into the keyring of the state directory.
  EXPECT_TRUE(std::filesystem::exists(home.file("keyring") / signer));
  EXPECT_NE(read_text_file(home.file("authorities.json")).find(signer), std::string::npos);

  auto listed = run({"authority", "list"});
  ASSERT_EQ(listed.exit_code, 0) << listed.describe();
  EXPECT_EQ(listed.out, signer +
                            " Designated Signer <signer@example.invalid> (scopes: *.example.org "
                            "example.org)\n" +
                            signer2 +
                            " Second Signer <signer2@example.invalid> (scopes: any domain)\n");

  // Adding again replaces the scopes.
  const auto updated =
      run({"authority", "add", world.file("signer.asc").string(), "--scope", "a.example"});
  ASSERT_EQ(updated.exit_code, 0) << updated.describe();
  EXPECT_EQ(updated.out, "updated authority " + signer +
                             " Designated Signer <signer@example.invalid> (scopes: a.example)\n");

  const auto removed = run({"authority", "remove", signer2});
  ASSERT_EQ(removed.exit_code, 0) << removed.describe();
  EXPECT_EQ(removed.out, "removed authority " + signer2 + "\n");
  listed = run({"authority", "list"});
  EXPECT_EQ(listed.out,
            signer + " Designated Signer <signer@example.invalid> (scopes: a.example)\n");
  // The certificate itself stays in the keyring.
  EXPECT_TRUE(std::filesystem::exists(home.file("keyring") / signer2));

  const auto again = run({"authority", "remove", signer2});
  EXPECT_EQ(again.exit_code, 1) << again.describe();
  EXPECT_EQ(again.out, "");
  EXPECT_EQ(again.err, "pgptls: authority " + signer2 +
                           " is not configured (see `pgptls authority list`): not found\n");
}

TEST_F(AuthorityCommandTest, ListWithoutAuthoritiesIsEmpty) {
  const auto listed = run({"authority", "list"});
  EXPECT_EQ(listed.exit_code, 0) << listed.describe();
  EXPECT_EQ(listed.out, "");
  EXPECT_FALSE(std::filesystem::exists(home.file("authorities.json")));
}

TEST_F(AuthorityCommandTest, UsageAndInputErrorsExit2WithOneLine) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const Case cases[] = {
      {{"authority"}, "A subcommand is required"},
      {{"authority", "add"}, "FILE is required"},
      {{"authority", "add", world.file("signer.asc").string(), "--scope", "a b"},
       "scope 'a b': only letters"},
      {{"authority", "add", home.file("missing.asc").string()},
       "cannot open " + home.file("missing.asc").string()},
      {{"authority", "add", world.file("x.pgp").string()}, "holds 2 certificates"},
      {{"authority", "remove", "1234"}, "'1234' is not a fingerprint"},
  };
  for (const Case& c : cases) {
    const auto result = run(c.args);
    EXPECT_EQ(result.exit_code, 2) << c.args.back() << ": " << result.describe();
    EXPECT_NE(result.err.find(c.message), std::string::npos) << result.describe();
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    EXPECT_TRUE(result.err.starts_with("pgptls: ")) << result.err;
  }
  EXPECT_FALSE(std::filesystem::exists(home.file("authorities.json")));
}

TEST_F(AuthorityCommandTest, RevokedCertificateIsNoAuthority) {
  const std::string r = world.fpr.at("r");
  const auto added = run({"authority", "add", world.file("r.asc").string()});
  EXPECT_EQ(added.exit_code, 1) << added.describe();
  EXPECT_EQ(added.out, "");
  EXPECT_TRUE(added.err.starts_with("pgptls: not adding " + r +
                                    " as an authority: its certificate is not valid now (key " + r +
                                    " revoked"))
      << added.err;
  EXPECT_FALSE(std::filesystem::exists(home.file("authorities.json")));
  EXPECT_FALSE(std::filesystem::exists(home.file("keyring") / r));
}

TEST_F(AuthorityCommandTest, CorruptAuthoritiesFileIsReportedAndKept) {
  write_file(home.file("authorities.json"), "{broken");
  const auto listed = run({"authority", "list"});
  EXPECT_EQ(listed.exit_code, 2) << listed.describe();
  EXPECT_NE(listed.err.find(home.file("authorities.json").string() + ": not valid JSON"),
            std::string::npos)
      << listed.err;
  const auto added = run({"authority", "add", world.file("signer.asc").string()});
  EXPECT_EQ(added.exit_code, 2) << added.describe();
  EXPECT_EQ(read_text_file(home.file("authorities.json")), "{broken");
}

}  // namespace
}  // namespace pgptls::test
