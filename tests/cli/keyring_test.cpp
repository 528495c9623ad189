// `pgptls keyring import|list|show`, run as a program against certificates
// made by gpg (keyring_world.h), with PGPTLS_HOME in a temporary directory.
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/cli/keyring_world.h"
#include "tests/keyring/store_gpg.h"
#include "tests/support/temp_dir.h"

namespace pgptls::test {
namespace {

class KeyringCommandTest : public ::testing::Test {
 protected:
  const KeyringWorld& world = keyring_world();
  TempDir home;
  std::map<std::string, std::string> env() const { return {{"PGPTLS_HOME", home.path().string()}}; }
  ToolResult run(const std::vector<std::string>& args) const { return run_pgptls(args, env()); }
  std::string file(const std::string& name) const { return world.file(name).string(); }
};

TEST_F(KeyringCommandTest, ImportListShow) {
  const std::string a = world.fpr.at("a");
  const std::string signer = world.fpr.at("signer");
  const std::string signer2 = world.fpr.at("signer2");
  const std::string c2 = world.fpr.at("c2");
  auto imported = run({"keyring", "import", file("a.asc"), file("signer.asc")});
  ASSERT_EQ(imported.exit_code, 0) << imported.describe();
  EXPECT_EQ(imported.out, "added " + a + " xmpp:a.example\nadded " + signer +
                              " Designated Signer <signer@example.invalid>\n");
  // A binary file with two certificates.
  imported = run({"keyring", "import", file("x.pgp")});
  ASSERT_EQ(imported.exit_code, 0) << imported.describe();
  EXPECT_EQ(imported.out, "added " + signer2 + " Second Signer <signer2@example.invalid>\nadded " +
                              c2 + " xmpp:c2.example\n");
  // Again: nothing new.
  imported = run({"keyring", "import", file("a.asc")});
  EXPECT_EQ(imported.out, "unchanged " + a + " xmpp:a.example\n");
  for (const auto& fingerprint : {a, signer, signer2, c2}) {
    EXPECT_TRUE(std::filesystem::exists(home.file("keyring") / fingerprint)) << fingerprint;
  }

  std::vector<std::string> expected = {
      a + " xmpp:a.example", signer + " Designated Signer <signer@example.invalid>",
      signer2 + " Second Signer <signer2@example.invalid>", c2 + " xmpp:c2.example"};
  std::sort(expected.begin(), expected.end());
  std::string expected_list;
  for (const auto& line : expected) {
    expected_list += line + "\n";
  }
  const auto listed = run({"keyring", "list"});
  ASSERT_EQ(listed.exit_code, 0) << listed.describe();
  EXPECT_EQ(listed.out, expected_list);

  // show by fingerprint, by the subkey's key ID, by a subkey fingerprint.
  const std::string sub = world.sub.at("a");
  const std::string shown_a =
      "certificate " + a + "\n  primary key " + key_id_of(a) +
      " EdDSA 255 bits, created 2024-01-01T00:00:00Z, flags CS, expires never: valid\n"
      "  user ID xmpp:a.example: valid\n"
      "    certification by " +
      signer + ", created 2024-01-01T00:00:00Z: good signature by " + signer +
      " (Designated Signer <signer@example.invalid>)\n"
      "  subkey " +
      key_id_of(sub) +
      " EdDSA 255 bits, created 2024-01-01T00:00:00Z, flags A, expires never: valid\n";
  for (const std::string& key : {a, key_id_of(sub), sub, "0x" + key_id_of(sub)}) {
    const auto shown = run({"keyring", "show", key});
    ASSERT_EQ(shown.exit_code, 0) << key << ": " << shown.describe();
    EXPECT_EQ(shown.out, shown_a) << key;
  }
}

TEST_F(KeyringCommandTest, ImportMergesNewPackets) {
  // r.asc is r-old.asc plus its revocation: importing it over the older
  // copy adds the revocation, and show then reports the key revoked.
  const std::string r = world.fpr.at("r");
  ASSERT_EQ(run({"keyring", "import", file("r-old.asc")}).exit_code, 0);
  const auto before = run({"keyring", "show", r});
  EXPECT_NE(before.out.find("expires never: valid\n"), std::string::npos) << before.out;
  // The authority is not in the keyring: its certification cannot be checked.
  EXPECT_NE(before.out.find("certification by " + world.fpr.at("signer") +
                            ", created 2024-01-01T00:00:00Z: issuer not in the keyring (import "
                            "its certificate to check)\n"),
            std::string::npos)
      << before.out;
  const auto merged = run({"keyring", "import", file("r.asc")});
  ASSERT_EQ(merged.exit_code, 0) << merged.describe();
  EXPECT_EQ(merged.out, "updated " + r + " xmpp:r.example\n");
  const auto after = run({"keyring", "show", r});
  EXPECT_NE(after.out.find("flags CS, expires never: invalid: key " + r + " revoked (unspecified)"),
            std::string::npos)
      << after.out;
}

TEST_F(KeyringCommandTest, ShowGivesTheVerdictOnEachCertification) {
  const std::string signer = world.fpr.at("signer");
  ASSERT_EQ(run({"keyring", "import", file("signer.asc"), file("rc.asc"), file("e.asc")}).exit_code,
            0);
  const auto revoked = run({"keyring", "show", world.fpr.at("rc")});
  EXPECT_NE(revoked.out.find("    certification by " + signer +
                             ", created 2024-01-01T00:00:00Z: good signature by " + signer +
                             " (Designated Signer <signer@example.invalid>), revoked "
                             "2024-01-01T00:00:00Z\n"),
            std::string::npos)
      << revoked.out;
  const auto expired = run({"keyring", "show", world.fpr.at("e")});
  EXPECT_NE(expired.out.find("flags CSA, expires 2024-04-10T00:00:00Z: invalid: key "),
            std::string::npos)
      << expired.out;
}

TEST_F(KeyringCommandTest, ExplicitKeyringNeedsNoStateDirectory) {
  const auto keyring = home.file("elsewhere");
  const std::map<std::string, std::string> no_home = {{"PGPTLS_HOME", ""}, {"HOME", ""}};
  const auto imported =
      run_pgptls({"keyring", "import", "--keyring", keyring.string(), file("u.asc")}, no_home);
  ASSERT_EQ(imported.exit_code, 0) << imported.describe();
  EXPECT_TRUE(std::filesystem::exists(keyring / world.fpr.at("u")));
  const auto listed = run_pgptls({"keyring", "list", "--keyring", keyring.string()}, no_home);
  EXPECT_EQ(listed.out, world.fpr.at("u") + " xmpp:u.example\n");
  const auto without = run_pgptls({"keyring", "list"}, no_home);
  EXPECT_EQ(without.exit_code, 2);
  EXPECT_EQ(without.err,
            "pgptls: no state directory: set PGPTLS_HOME (or HOME) or pass the path explicitly: "
            "file input/output failed\n");
}

TEST_F(KeyringCommandTest, ListOfMissingKeyringIsEmptyAndCreatesNothing) {
  const auto listed = run({"keyring", "list"});
  EXPECT_EQ(listed.exit_code, 0) << listed.describe();
  EXPECT_EQ(listed.out, "");
  EXPECT_FALSE(std::filesystem::exists(home.file("keyring")));
}

TEST_F(KeyringCommandTest, DamagedFilesAreNamedAndKept) {
  ASSERT_EQ(run({"keyring", "import", file("a.asc")}).exit_code, 0);
  const auto damaged = home.file("keyring") / world.fpr.at("u");
  write_file(damaged, "garbage");
  const auto listed = run({"keyring", "list"});
  EXPECT_EQ(listed.exit_code, 2);
  EXPECT_EQ(listed.out, world.fpr.at("a") + " xmpp:a.example\n");
  EXPECT_NE(listed.err.find("pgptls: skipped damaged keyring file: " + damaged.string()),
            std::string::npos)
      << listed.err;
  const auto imported = run({"keyring", "import", file("u.asc")});
  EXPECT_EQ(imported.exit_code, 2);
  EXPECT_NE(imported.err.find("move it out of the keyring first"), std::string::npos)
      << imported.err;
  EXPECT_EQ(read_text_file(damaged), "garbage");
}

TEST_F(KeyringCommandTest, ErrorsExitWithOneLinePerProblem) {
  struct Case {
    std::vector<std::string> args;
    int exit_code;
    std::string message;
  };
  const Case cases[] = {
      {{"keyring"}, 2, "A subcommand is required"},
      {{"keyring", "import"}, 2, "FILE is required"},
      {{"keyring", "import", home.file("none.asc").string()},
       2,
       "cannot open " + home.file("none.asc").string()},
      {{"keyring", "show"}, 2, "FPR is required"},
      {{"keyring", "show", "xyz"}, 2, "is neither a fingerprint"},
      {{"keyring", "show", std::string(40, 'A')}, 1, "no certificate with key"},
  };
  for (const Case& c : cases) {
    const auto result = run(c.args);
    EXPECT_EQ(result.exit_code, c.exit_code) << c.args.back() << ": " << result.describe();
    EXPECT_NE(result.err.find(c.message), std::string::npos) << result.describe();
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    EXPECT_TRUE(result.err.starts_with("pgptls: ")) << result.err;
  }
}

}  // namespace
}  // namespace pgptls::test
