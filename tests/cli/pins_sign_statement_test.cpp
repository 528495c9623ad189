// `pgptls pins sign-statement` as the operator runs it: the statement is
// checked against openssl's own fingerprints of the certificates, the
// signature against gpg (`gpg --verify`), and the document against our
// POSH parser.
#include <gtest/gtest.h>

#include "base/encoding.h"
#include "pins/posh_statement.h"
#include "tests/cli/pins_world.h"
#include "tests/keyring/store_gpg.h"
#include "tests/support/temp_dir.h"

namespace pgptls::test {
namespace {

ByteView view(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

std::string b64(const Bytes& bytes) {
  return base::base64_encode(bytes);
}

class PinsSignStatementTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    certificates_ = new TempDir();
    first_ = make_x509(certificates_->path(), "first", "a.example");
    second_ = make_x509(certificates_->path(), "second", "a.example");
  }
  static void TearDownTestSuite() {
    delete certificates_;
    certificates_ = nullptr;
  }

  ToolResult sign(const std::vector<std::string>& extra,
                  const std::map<std::string, std::string>& env = {}) {
    std::vector<std::string> args{"pins", "sign-statement", "--out", out().string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_pgptls_in(home_.path(), args, env);
  }
  [[nodiscard]] std::filesystem::path out() const { return home_.file("xmpp-server.json"); }

  // gpg_verify: gpg's status lines for the signature over the statement,
  // in a keyring holding only `certificate`.
  ToolResult gpg_verify(const std::filesystem::path& certificate,
                        const std::filesystem::path& signature) {
    TempDir gnupg;
    run_tool(
        {"gpg", "--homedir", gnupg.path().string(), "--batch", "--import", certificate.string()});
    ToolResult result =
        run_tool({"gpg", "--homedir", gnupg.path().string(), "--batch", "--status-fd", "1",
                  "--verify", signature.string(), out().string()});
    run_tool({"gpgconf", "--homedir", gnupg.path().string(), "--kill", "all"});
    return result;
  }

  pins::PinStatement parsed() {
    const std::string text = read_text_file(out());
    auto document = pins::parse_posh_document(view(text));
    EXPECT_TRUE(document.ok()) << document.error().message() << "\n" << text;
    if (!document.ok() || !std::holds_alternative<pins::PinStatement>(*document)) {
      ADD_FAILURE() << "not a statement: " << text;
      return {};
    }
    return std::get<pins::PinStatement>(*document);
  }

  TempDir home_;
  static TempDir* certificates_;
  static X509Identity first_;
  static X509Identity second_;
};
TempDir* PinsSignStatementTest::certificates_ = nullptr;
X509Identity PinsSignStatementTest::first_;
X509Identity PinsSignStatementTest::second_;

TEST_F(PinsSignStatementTest, WritesAStatementGpgVerifiesAndOpensslAgreesWith) {
  const PinsWorld& world = pins_world();
  const ToolResult result = sign(
      {"--x509-cert", first_.certificate.string(), "--x509-cert", second_.certificate.string(),
       "--openpgp-key", world.secret("a").string(), "--domain", "A.Example", "--expires", "3600"});
  ASSERT_TRUE(result.ok()) << result.describe();
  EXPECT_NE(result.out.find("wrote " + out().string() +
                            " (2 certificate fingerprints, 2 spki pins, serial "),
            std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find(out().string() + ".sig signed by 0x" + world.fpr.at("a")),
            std::string::npos)
      << result.out;

  const ToolResult verified = gpg_verify(world.cert("a"), out().string() + ".sig");
  EXPECT_TRUE(verified.ok()) << verified.describe();
  EXPECT_NE(verified.out.find("[GNUPG:] VALIDSIG " + world.fpr.at("a")), std::string::npos)
      << verified.out;

  const pins::PinStatement statement = parsed();
  EXPECT_EQ(statement.domain, "a.example");
  EXPECT_EQ(statement.expires_seconds, 3600);
  ASSERT_EQ(statement.pins.certificate_sha256.size(), 2U);
  EXPECT_EQ(b64(statement.pins.certificate_sha256[0]),
            openssl_certificate_sha256(first_.certificate));
  EXPECT_EQ(b64(statement.pins.certificate_sha256[1]),
            openssl_certificate_sha256(second_.certificate));
  ASSERT_EQ(statement.pins.spki_sha256.size(), 2U);
  EXPECT_EQ(b64(statement.pins.spki_sha256[0]), openssl_spki_pin(first_.certificate));
  EXPECT_EQ(b64(statement.pins.spki_sha256[1]), openssl_spki_pin(second_.certificate));
  // issued is now, and the serial defaults to it in seconds.
  ASSERT_TRUE(statement.issued.has_value());
  ASSERT_TRUE(statement.serial.has_value());
  EXPECT_EQ(*statement.serial,
            static_cast<std::uint64_t>(statement.issued->time_since_epoch().count()));
  const auto age = std::chrono::system_clock::now() - *statement.issued;
  EXPECT_LT(std::chrono::abs(age), std::chrono::minutes(2));
}

TEST_F(PinsSignStatementTest, ArmoredSpkiOnlyWithSerial) {
  const PinsWorld& world = pins_world();
  // A chain file: only its first certificate (the server's) is pinned.
  write_file(home_.file("chain.pem"),
             read_text_file(first_.certificate) + read_text_file(second_.certificate));
  const ToolResult result =
      sign({"--x509-cert", home_.file("chain.pem").string(), "--openpgp-key",
            world.secret("authority").string(), "--spki-only", "--armor", "--serial", "42"});
  ASSERT_TRUE(result.ok()) << result.describe();
  EXPECT_FALSE(std::filesystem::exists(out().string() + ".sig"));
  EXPECT_NE(read_text_file(out().string() + ".asc").find("-----BEGIN PGP SIGNATURE-----"),
            std::string::npos);
  const ToolResult verified = gpg_verify(world.cert("authority"), out().string() + ".asc");
  EXPECT_NE(verified.out.find("[GNUPG:] VALIDSIG " + world.fpr.at("authority")), std::string::npos)
      << verified.describe();

  const pins::PinStatement statement = parsed();
  EXPECT_FALSE(statement.domain.has_value());
  EXPECT_EQ(statement.serial, 42U);
  EXPECT_EQ(statement.expires_seconds, 604800);  // the default, a week
  EXPECT_TRUE(statement.pins.certificate_sha256.empty());
  ASSERT_EQ(statement.pins.spki_sha256.size(), 1U);
  EXPECT_EQ(b64(statement.pins.spki_sha256[0]), openssl_spki_pin(first_.certificate));
}

TEST_F(PinsSignStatementTest, ProtectedKeyWithPassphraseFromFileEnvAndChosenSubkey) {
  const PinsWorld& world = pins_world();
  const std::string cert = first_.certificate.string();
  const std::string key = world.secret("p").string();

  // p has two signing keys: which one must be said.
  const ToolResult ambiguous = sign({"--x509-cert", cert, "--openpgp-key", key});
  EXPECT_EQ(ambiguous.exit_code, 2);
  EXPECT_NE(ambiguous.err.find("holds several signing keys (0x" + world.fpr.at("p").substr(24)),
            std::string::npos)
      << ambiguous.err;
  EXPECT_NE(ambiguous.err.find("choose one with --key"), std::string::npos) << ambiguous.err;

  const ToolResult by_file =
      sign({"--x509-cert", cert, "--openpgp-key", key, "--key", world.p_subkey, "--passphrase-file",
            world.file("p.pass").string()});
  ASSERT_TRUE(by_file.ok()) << by_file.describe();
  const ToolResult verified = gpg_verify(world.cert("p"), out().string() + ".sig");
  // VALIDSIG names the signing subkey, then (last field) the primary.
  EXPECT_NE(verified.out.find("[GNUPG:] VALIDSIG " + world.p_subkey), std::string::npos)
      << verified.describe();

  const ToolResult by_env =
      sign({"--x509-cert", cert, "--openpgp-key", key, "--key", "0x" + world.fpr.at("p").substr(24),
            "--passphrase-env", "SIGNING_PASS"},
           {{"SIGNING_PASS", "correct horse"}});
  ASSERT_TRUE(by_env.ok()) << by_env.describe();
  EXPECT_NE(gpg_verify(world.cert("p"), out().string() + ".sig")
                .out.find("[GNUPG:] VALIDSIG " + world.fpr.at("p")),
            std::string::npos);

  // --passphrase-fd: here standard input.
  ToolOptions piped;
  piped.stdin_data = "correct horse\nnot read\n";
  piped.env["PGPTLS_HOME"] = home_.path().string();
  const ToolResult by_fd =
      run_tool({pgptls_program(), "pins", "sign-statement", "--out", out().string(), "--x509-cert",
                cert, "--openpgp-key", key, "--key", world.p_subkey, "--passphrase-fd", "0"},
               piped);
  EXPECT_TRUE(by_fd.ok()) << by_fd.describe();

  const ToolResult wrong = sign({"--x509-cert", cert, "--openpgp-key", key, "--key", world.p_subkey,
                                 "--passphrase-env", "SIGNING_PASS"},
                                {{"SIGNING_PASS", "wrong horse"}});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.err.find("pgptls: key 0x" + world.p_subkey.substr(24)), std::string::npos)
      << wrong.err;
  EXPECT_NE(wrong.err.find("passphrase"), std::string::npos) << wrong.err;

  // Without a passphrase source and without a terminal, the prompt says
  // what to use instead.
  const ToolResult no_tty =
      sign({"--x509-cert", cert, "--openpgp-key", key, "--key", world.p_subkey});
  EXPECT_EQ(no_tty.exit_code, 2) << no_tty.describe();
  EXPECT_NE(no_tty.err.find("pgptls: "), std::string::npos);
}

TEST_F(PinsSignStatementTest, RefusesBadInputWithOneLine) {
  const PinsWorld& world = pins_world();
  const std::string cert = first_.certificate.string();
  const std::string key = world.secret("a").string();
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"--x509-cert", cert, "--openpgp-key", key, "--expires", "0"},
       "pgptls: --expires must be between 1 and 31622400 seconds (see pgptls pins "
       "sign-statement --help)\n"},
      {{"--x509-cert", key, "--openpgp-key", key},
       "pgptls: " + key + ": not an X.509 certificate in PEM or DER"},
      {{"--x509-cert", cert, "--openpgp-key", cert}, "pgptls: " + cert + ": "},
      {{"--x509-cert", cert, "--openpgp-key", world.cert("a").string()}, "holds no secret key"},
      {{"--x509-cert", cert, "--openpgp-key", key, "--key", "0x1234"},
       "pgptls: --key '0x1234' is not a key ID (16 hex digits) or fingerprint (40 or 64)"},
      {{"--x509-cert", cert, "--openpgp-key", key, "--key", world.fpr.at("u")},
       "pgptls: no secret key " + world.fpr.at("u") + " in " + key},
      {{"--x509-cert", cert, "--openpgp-key", key, "--domain", "bad..example"}, "bad..example"},
      {{"--openpgp-key", key}, "--x509-cert is required"},
  };
  for (const Case& c : cases) {
    const ToolResult result = sign(c.args);
    EXPECT_EQ(result.exit_code, 2) << c.message << ": " << result.describe();
    EXPECT_NE(result.err.find(c.message), std::string::npos) << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    EXPECT_FALSE(std::filesystem::exists(out())) << c.message;
  }
}

}  // namespace
}  // namespace pgptls::test
