// `pgptls verify-cert`, run as a program on certificates made by gpg
// (keyring_world.h) and on the GnuTLS 3.5 reference keys, without any state
// directory.
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/cli/keyring_world.h"
#include "tests/keyring/store_gpg.h"
#include "tests/support/temp_dir.h"

namespace pgptls::test {
namespace {

// No PGPTLS_HOME and no HOME: verify-cert must not need a state directory.
const std::map<std::string, std::string> kNoState = {{"PGPTLS_HOME", ""}, {"HOME", ""}};
const std::string kAt = "2025-06-01T00:00:00Z";
// The reference keys were made on 2026-11-28.
const std::string kReferenceAt = "2026-11-29T00:00:00Z";

class VerifyCertTest : public ::testing::Test {
 protected:
  const KeyringWorld& world = keyring_world();
  std::string file(const std::string& name) const { return world.file(name).string(); }
  ToolResult verify(const std::vector<std::string>& authorities, const std::string& domain,
                    const std::string& cert, std::vector<std::string> extra = {},
                    const std::string& at = kAt) const {
    std::vector<std::string> args{"verify-cert"};
    for (const auto& authority : authorities) {
      args.push_back("--authority");
      args.push_back(authority);
    }
    args.insert(args.end(), {"--domain", domain, "--at", at});
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(cert);
    return run_pgptls(args, kNoState);
  }
  std::string signer() const { return world.fpr.at("signer"); }
};

TEST_F(VerifyCertTest, AcceptsCertifiedDomainWithItsAuthenticationKey) {
  const auto result = verify({file("signer.asc")}, "a.example", file("a.asc"));
  EXPECT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_EQ(result.out, "accepted: authority " + signer() +
                            ", user ID xmpp:a.example, authentication keys " +
                            key_id_of(world.sub.at("a")) + "\n");
  EXPECT_EQ(result.err, "");
  // Domains compare case-insensitively; the scope admits a.example.
  const auto scoped =
      verify({file("signer.asc") + ",scope=*.example,scope=other.org"}, "A.Example", file("a.asc"));
  EXPECT_EQ(scoped.exit_code, 0) << scoped.describe();
}

TEST_F(VerifyCertTest, GnuTls35PolicyAlsoOffersTheSigningPrimaryKey) {
  const auto result =
      verify({file("signer.asc")}, "a.example", file("a.asc"), {"--policy", "gnutls35"});
  EXPECT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_NE(result.out.find(key_id_of(world.fpr.at("a"))), std::string::npos) << result.out;
  EXPECT_NE(result.out.find(key_id_of(world.sub.at("a"))), std::string::npos) << result.out;
}

TEST_F(VerifyCertTest, ExpiringKeyIsAcceptedBeforeItsExpiry) {
  const auto result =
      verify({file("signer.asc")}, "e.example", file("e.asc"), {}, "2024-03-01T00:00:00Z");
  EXPECT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_EQ(result.out, "accepted: authority " + signer() +
                            ", user ID xmpp:e.example, authentication keys " +
                            key_id_of(world.fpr.at("e")) + "\n");
}

TEST_F(VerifyCertTest, SecondAuthorityCertifies) {
  // c2 has only its [SC] primary key: the gnutls35 policy lets it
  // authenticate.
  const auto result = verify({file("signer.asc"), file("signer2.asc")}, "c2.example",
                             file("c2.asc"), {"--policy", "gnutls35"});
  EXPECT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_TRUE(result.out.starts_with("accepted: authority " + world.fpr.at("signer2") +
                                     ", user ID xmpp:c2.example"))
      << result.out;
}

TEST_F(VerifyCertTest, RejectionsSayWhy) {
  struct Case {
    std::vector<std::string> authorities;
    std::string domain;
    std::string cert;
    std::string reason;
  };
  const Case cases[] = {
      {{file("signer.asc")}, "u.example", file("u.asc"), "not certified by any authority"},
      {{file("signer.asc")}, "c2.example", file("c2.asc"), "not certified by any authority"},
      {{file("signer.asc") + ",scope=*.example.org"},
       "a.example",
       file("a.asc"),
       "outside the authority's scope"},
      {{file("signer.asc")}, "r.example", file("r.asc"), "key revoked"},
      {{file("signer.asc")}, "b.example", file("a.asc"), "no matching xmpp: user ID"},
      {{file("signer.asc")}, "rc.example", file("rc.asc"), "certification revoked"},
      {{file("signer.asc")}, "e.example", file("e.asc"), "key expired"},
  };
  for (const Case& c : cases) {
    const auto result = verify(c.authorities, c.domain, c.cert);
    EXPECT_EQ(result.exit_code, 1) << c.cert << ": " << result.describe();
    EXPECT_TRUE(result.out.starts_with("rejected: ")) << result.out;
    EXPECT_EQ(std::count(result.out.begin(), result.out.end(), '\n'), 1) << result.out;
    EXPECT_NE(result.out.find(c.reason), std::string::npos) << c.cert << ": " << result.out;
    EXPECT_EQ(result.err, "");
  }
}

TEST_F(VerifyCertTest, KeyringCopyBringsTheRevocation) {
  // r-old.asc alone is accepted; with a keyring holding the revoked copy it
  // is not.
  // (r has only its [SC] primary key: the gnutls35 policy lets it
  // authenticate.)
  const auto old =
      verify({file("signer.asc")}, "r.example", file("r-old.asc"), {"--policy", "gnutls35"});
  EXPECT_EQ(old.exit_code, 0) << old.describe();
  TempDir keyring;
  write_file(keyring.file("r.asc"), read_text_file(world.file("r.asc")));
  const auto revoked = verify({file("signer.asc")}, "r.example", file("r-old.asc"),
                              {"--keyring", keyring.path().string(), "--policy", "gnutls35"});
  EXPECT_EQ(revoked.exit_code, 1) << revoked.describe();
  EXPECT_NE(revoked.out.find("key revoked"), std::string::npos) << revoked.out;
}

TEST_F(VerifyCertTest, GnuTls35ReferenceKeys) {
  const std::filesystem::path keys =
      std::filesystem::path(PGPTLS_TEST_DATA_DIR) / "gnutls-3.5/keys";
  const std::string signer = (keys / "signer.pub.asc").string();
  for (const char* name : {"a", "b", "sub3-a"}) {
    const auto result = verify({signer}, std::string(name) + ".example",
                               (keys / (std::string(name) + ".pub.asc")).string(),
                               {"--policy", "gnutls35"}, kReferenceAt);
    EXPECT_EQ(result.exit_code, 0) << name << ": " << result.describe();
    EXPECT_TRUE(result.out.starts_with(
        "accepted: authority 55FD06606D652C8FC252D9A60E8DFFE12011AF66, user ID xmpp:"))
        << result.out;
  }
  const auto sub3 =
      verify({signer}, "sub3-a.example", (keys / "sub3-a.pub.asc").string(), {}, kReferenceAt);
  EXPECT_NE(sub3.out.find("authentication keys 8E622E61C5955DD4"), std::string::npos) << sub3.out;
  const auto unsigned_key =
      verify({signer}, "unsigned.example", (keys / "unsigned.pub.asc").string(), {}, kReferenceAt);
  EXPECT_EQ(unsigned_key.exit_code, 1) << unsigned_key.describe();
  EXPECT_NE(unsigned_key.out.find("not certified by any authority"), std::string::npos)
      << unsigned_key.out;
  const auto stranger =
      verify({(keys / "stranger.pub.asc").string()}, "a.example", (keys / "a.pub.asc").string(),
             {"--policy", "gnutls35"}, kReferenceAt);
  EXPECT_EQ(stranger.exit_code, 1) << stranger.describe();
  EXPECT_NE(stranger.out.find("not certified by any authority"), std::string::npos) << stranger.out;
}

TEST_F(VerifyCertTest, UsageAndInputErrorsExit2WithOneLine) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::string a = file("a.asc");
  const std::string s = file("signer.asc");
  const Case cases[] = {
      {{"verify-cert", "--domain", "a.example", a}, "--authority is required"},
      {{"verify-cert", "--authority", s, a}, "--domain is required"},
      {{"verify-cert", "--authority", s, "--domain", "a.example"}, "CERTFILE is required"},
      {{"verify-cert", "--authority", s, "--domain", "a.example", "--at", "yesterday", a},
       "--at 'yesterday' is not a time"},
      {{"verify-cert", "--authority", s + ",scope=a b", "--domain", "a.example", a}, "scope 'a b'"},
      {{"verify-cert", "--authority", s + ",color=red", "--domain", "a.example", a},
       "unknown part 'color=red'"},
      {{"verify-cert", "--authority", s, "--domain", "*.example", a}, "is not a domain name"},
      {{"verify-cert", "--authority", s, "--domain", "a.example", "/nonexistent/peer.asc"},
       "cannot open /nonexistent/peer.asc"},
      {{"verify-cert", "--authority", file("x.pgp"), "--domain", "a.example", a},
       "holds 2 certificates"},
      {{"verify-cert", "--authority", s, "--domain", "a.example", "--policy", "lax", a},
       "--policy"},
  };
  for (const Case& c : cases) {
    const auto result = run_pgptls(c.args, kNoState);
    EXPECT_EQ(result.exit_code, 2) << c.message << ": " << result.describe();
    EXPECT_EQ(result.out, "");
    EXPECT_NE(result.err.find(c.message), std::string::npos) << result.describe();
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  }
}

}  // namespace
}  // namespace pgptls::test
