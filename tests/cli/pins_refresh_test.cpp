// `pgptls pins refresh` and `pgptls pins import-signed` as the operator runs
// them: keys made by gpg, statements made by `pgptls pins sign-statement`
// (or signed by `gpg --detach-sign` where a past issue time is needed),
// served by real HTTPS servers on 127.0.0.1 (openssl s_server, private CA)
// reached with --connect-to; then a real TLS handshake with the X.509-only
// peer, accepted by its signed pin and refused again once the statement
// expired.
#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <thread>

#include "base/clock.h"
#include "tests/cli/pins_world.h"
#include "tests/fetch/https_test_site.h"
#include "tests/keyring/store_gpg.h"
#include "tests/support/network.h"
#include "tests/support/ready_lines.h"
#include "tests/support/temp_dir.h"

namespace pgptls::test {
namespace {

using namespace std::chrono_literals;
using fetch::test_site::HttpsSiteTest;

const std::string kPath = "/.well-known/posh/xmpp-server.json";

struct RefreshDomains {
  static std::vector<std::string> list() {
    return {"auth.example",     "a.example",       "bad.example", "u.example",
            "scope.example",    "expired.example", "big.example", "missing.example",
            "redirect.example", "host.example",    "e2e.example"};
  }
};

// row: the table line of `domain` in the output, or "" when missing.
std::string row(const ToolResult& result, const std::string& domain) {
  std::istringstream lines(result.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with(domain + " ")) {
      return line;
    }
  }
  return "";
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class PinsRefreshTest : public HttpsSiteTest<RefreshDomains> {
 protected:
  static void SetUpTestSuite() {
    HttpsSiteTest::SetUpTestSuite();
    files_ = new TempDir();
    server_ = make_x509(files_->path(), "server", "auth.example");
    e2e_ = make_x509(files_->path(), "e2e", "e2e.example");
    client_ = make_x509(files_->path(), "client", "client.example");
    // gpg holding the authority's secret key, for statements made outside
    // pgptls (a past issue time, bundles).
    gpg_ = new GpgHome();
    gpg_->import(pins_world().secret("authority"));
    gpg_->import(pins_world().secret("a"));
  }
  static void TearDownTestSuite() {
    delete gpg_;
    gpg_ = nullptr;
    delete files_;
    files_ = nullptr;
    HttpsSiteTest::TearDownTestSuite();
  }

  void SetUp() override {
    HttpsSiteTest::SetUp();
    const PinsWorld& world = pins_world();
    for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
             {"keyring", "import", world.cert("a").string()},
             {"keyring", "import", world.cert("u").string()},
             {"authority", "add", world.cert("authority").string(), "--scope", "*.example"},
             {"authority", "add", world.cert("narrow").string(), "--scope", "*.other.test"}}) {
      const ToolResult result = pgptls(args);
      ASSERT_TRUE(result.ok()) << args[0] << " " << args[1] << ": " << result.describe();
    }
  }

  ToolResult pgptls(const std::vector<std::string>& args) {
    return run_pgptls_in(home_.path(), args);
  }

  // statement: `pins sign-statement` by `signer` for the server's (or
  // another) certificate; returns the JSON and signature file paths.
  std::pair<std::string, std::string> statement(const std::string& name, const std::string& signer,
                                                const std::vector<std::string>& extra = {},
                                                const X509Identity* identity = nullptr) {
    const std::string out = temp_.file(name + ".json").string();
    std::vector<std::string> args{
        "pins",          "sign-statement",
        "--x509-cert",   (identity != nullptr ? *identity : server_).certificate.string(),
        "--openpgp-key", pins_world().secret(signer).string(),
        "--out",         out};
    args.insert(args.end(), extra.begin(), extra.end());
    const ToolResult signed_statement = pgptls(args);
    EXPECT_TRUE(signed_statement.ok()) << signed_statement.describe();
    return {out, out + ".sig"};
  }

  // publish: serves a statement and its signature at the domain's
  // well-known URL (or `path`).
  void publish(const std::string& domain, const std::pair<std::string, std::string>& files,
               const std::string& path = kPath) {
    site_->serve(domain, path, read_text_file(files.first));
    site_->serve(domain, path + ".sig", read_text_file(files.second));
  }

  // refresh: `pins refresh` through the test site.
  ToolResult refresh(const std::vector<std::string>& domains,
                     const std::vector<std::string>& extra = {}, const std::string& timeout = "5") {
    std::vector<std::string> args{"pins", "refresh", "--timeout", timeout};
    const std::vector<std::string> routes = site_->command_line();
    args.insert(args.end(), routes.begin(), routes.end());
    args.insert(args.end(), extra.begin(), extra.end());
    args.insert(args.end(), domains.begin(), domains.end());
    return pgptls(args);
  }

  // gpg_sign: gpg --detach-sign by `signer` (the authority by default) over
  // `text`; returns the paths of the document and its signature.
  std::pair<std::string, std::string> gpg_sign(const std::string& name, const std::string& text,
                                               const std::string& signer = "authority") {
    const std::filesystem::path document = temp_.file(name);
    write_file(document, text);
    std::filesystem::remove(document.string() + ".sig");
    gpg_->run({"--local-user", pins_world().fpr.at(signer), "--detach-sign", "--output",
               document.string() + ".sig", document.string()});
    return {document.string(), document.string() + ".sig"};
  }

  TempDir home_;
  TempDir temp_;
  static TempDir* files_;
  static GpgHome* gpg_;
  static X509Identity server_;
  static X509Identity e2e_;
  static X509Identity client_;
};
TempDir* PinsRefreshTest::files_ = nullptr;
GpgHome* PinsRefreshTest::gpg_ = nullptr;
X509Identity PinsRefreshTest::server_;
X509Identity PinsRefreshTest::e2e_;
X509Identity PinsRefreshTest::client_;

TEST_F(PinsRefreshTest, SignedByAnAuthorityUpdatesThenIsUnchangedThenRefusesARollback) {
  publish("auth.example",
          statement("auth", "authority", {"--domain", "auth.example", "--serial", "100"}));
  const ToolResult first = refresh({"auth.example"});
  EXPECT_EQ(first.exit_code, 0) << first.describe();
  EXPECT_TRUE(has(row(first, "auth.example"), "updated")) << first.out;
  EXPECT_EQ(first.err, "");  // no progress bar without a terminal

  const ToolResult listed = pgptls({"pins", "list", "auth.example"});
  ASSERT_TRUE(listed.ok()) << listed.describe();
  EXPECT_TRUE(has(listed.out, "auth.example\tpin-sha256=\"" +
                                  openssl_spki_pin(server_.certificate) + "\"\tsigned\t"))
      << listed.out;
  EXPECT_TRUE(has(listed.out, "auth.example\tcert-sha256=\"" +
                                  openssl_certificate_sha256(server_.certificate) + "\"\tsigned\t"))
      << listed.out;

  const ToolResult again = refresh({"auth.example"});
  EXPECT_EQ(again.exit_code, 0) << again.describe();
  EXPECT_TRUE(has(row(again, "auth.example"), "unchanged")) << again.out;

  publish("auth.example",
          statement("old", "authority", {"--domain", "auth.example", "--serial", "50"}));
  const ToolResult rollback = refresh({"auth.example"});
  EXPECT_EQ(rollback.exit_code, 1) << rollback.describe();
  EXPECT_TRUE(has(row(rollback, "auth.example"), "failed: ")) << rollback.out;
  EXPECT_TRUE(has(
      row(rollback, "auth.example"),
      "has serial 50, lower than the accepted serial 100 by " + pins_world().fpr.at("authority")))
      << rollback.out;
  EXPECT_TRUE(has(row(rollback, "auth.example"), "pin statement rolled back")) << rollback.out;
  // The newer statement's pins stay.
  EXPECT_TRUE(has(pgptls({"pins", "list", "auth.example"}).out, "\tsigned\t"));
}

TEST_F(PinsRefreshTest, SignedByTheDomainsOwnCertifiedKey) {
  publish("a.example", statement("a", "a", {"--domain", "a.example"}));
  const ToolResult result = refresh({"a.example"});
  EXPECT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_TRUE(has(row(result, "a.example"), "updated")) << result.out;
}

TEST_F(PinsRefreshTest, EveryRefusalIsItsOwnRowAndTheBatchFinishes) {
  publish("auth.example", statement("auth", "authority"));
  // bad.example: one byte of the signed document changed.
  const auto bad = statement("bad", "authority");
  std::string tampered = read_text_file(bad.first);
  tampered[tampered.find("\"expires\": ") + 11] = '9';
  site_->serve("bad.example", kPath, tampered);
  site_->serve("bad.example", kPath + ".sig", read_text_file(bad.second));
  // u.example: u's key is certified by nobody, and u is no authority.
  publish("u.example", statement("u", "u"));
  // scope.example: narrow is an authority, but for *.other.test only.
  publish("scope.example", statement("scope", "narrow"));
  // expired.example: issued in 2024 for an hour.
  publish("expired.example",
          gpg_sign("expired.json", "{\"fingerprints\":[],\"spki-sha-256\":[\"" +
                                       openssl_spki_pin(server_.certificate) +
                                       "\"],\"expires\":3600,\"issued\":\"2024-01-01T00:00:00Z\","
                                       "\"serial\":1}"));
  site_->serve("big.example", kPath, std::string(70 * 1024, ' ') + "{}");
  site_->serve("missing.example", kPath, "not here", "404 Not Found");

  // A timeout no real server here comes near: no row depends on how fast a
  // loaded machine answers (the silent server's row has its own test).
  const ToolResult result = refresh({"auth.example", "bad.example", "u.example", "scope.example",
                                     "expired.example", "big.example", "missing.example"},
                                    {}, "60");
  EXPECT_EQ(result.exit_code, 1) << result.describe();
  EXPECT_TRUE(has(row(result, "auth.example"), "updated")) << result.out;
  const std::string authority = pins_world().fpr.at("authority");
  const std::map<std::string, std::string> expected = {
      {"bad.example", "failed: the signature by key " + authority + " of certificate " + authority +
                          " does not verify over the document"},
      {"u.example", "failed: the statement for u.example is signed by keyring certificate " +
                        pins_world().fpr.at("u") +
                        ", which may not vouch for u.example: peer key " +
                        pins_world().fpr.at("u") +
                        " (xmpp:u.example) is not certified by any configured authority"},
      {"scope.example", "failed: the statement for scope.example is signed by authority " +
                            pins_world().fpr.at("narrow") +
                            ", but that domain is outside its scope"},
      {"expired.example",
       "failed: the statement for expired.example issued 2024-01-01T00:00:00Z expired on "
       "2024-01-01T01:00:00Z; its publisher must sign a fresh one: pin statement expired"},
      {"big.example", "document larger than 65536 bytes, refused"},
      {"missing.example", "https://missing.example" + kPath + ": HTTP 404"},
  };
  for (const auto& [domain, reason] : expected) {
    const std::string line = row(result, domain);
    EXPECT_TRUE(has(line, "  -      failed: ")) << domain << "\n" << result.out;
    EXPECT_TRUE(has(line, reason)) << domain << ": " << reason << "\n" << result.out;
  }
  // Nothing refused was stored.
  const ToolResult listed = pgptls({"pins", "list"});
  EXPECT_TRUE(has(listed.out, "auth.example\t")) << listed.out;
  for (const auto& [domain, reason] : expected) {
    EXPECT_FALSE(has(listed.out, domain + "\t")) << listed.out;
  }
}

TEST_F(PinsRefreshTest, ASilentServerTimesOutInItsOwnRowAndTheBatchFinishes) {
  // Only the silent server is timed: the other domain's port has no
  // listener, so its connection is refused at once and neither row depends
  // on how fast a real server answers.
  const fetch::test_site::SilentListener silent;
  ASSERT_NE(silent.port(), 0);
  const std::uint16_t closed = test::free_port();
  ASSERT_NE(closed, 0);
  const ToolResult result =
      refresh({"silent.example", "closed.example"},
              {"--connect-to", "silent.example:443:127.0.0.1:" + std::to_string(silent.port()),
               "--connect-to", "closed.example:443:127.0.0.1:" + std::to_string(closed)},
              "1");
  EXPECT_EQ(result.exit_code, 1) << result.describe();
  EXPECT_TRUE(has(row(result, "silent.example"),
                  "  -      failed: https://silent.example" + kPath + ": timed out after 1000 ms"))
      << result.out;
  EXPECT_TRUE(has(row(result, "closed.example"),
                  "  -      failed: https://closed.example" + kPath + ": Couldn't connect"))
      << result.out;
  EXPECT_FALSE(has(pgptls({"pins", "list"}).out, "silent.example\t"));
}

TEST_F(PinsRefreshTest, FollowsAPoshRedirect) {
  site_->serve("redirect.example", kPath,
               R"({"url":"https://host.example/posh/redirect.json","expires":600})");
  publish("host.example", statement("redirect", "authority", {"--domain", "redirect.example"}),
          "/posh/redirect.json");
  const ToolResult result = refresh({"redirect.example"});
  EXPECT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_TRUE(has(row(result, "redirect.example"), "updated")) << result.out;
}

TEST_F(PinsRefreshTest, WithoutDomainsRefreshesEveryKnownDomain) {
  const ToolResult pinned =
      pgptls({"pins", "add", "missing.example", "--cert", server_.certificate.string()});
  ASSERT_TRUE(pinned.ok()) << pinned.describe();
  publish("a.example", statement("a", "a"));
  site_->serve("u.example", kPath, "", "404 Not Found");
  site_->serve("missing.example", kPath, "", "404 Not Found");
  const ToolResult result = refresh({});
  EXPECT_EQ(result.exit_code, 1) << result.describe();
  // The keyring's xmpp: user IDs and the pin store's domains, sorted.
  EXPECT_TRUE(has(row(result, "a.example"), "updated")) << result.out;
  EXPECT_TRUE(has(row(result, "missing.example"), "HTTP 404")) << result.out;
  EXPECT_TRUE(has(row(result, "u.example"), "HTTP 404")) << result.out;
  EXPECT_EQ(std::count(result.out.begin(), result.out.end(), '\n'), 4) << result.out;
}

TEST_F(PinsRefreshTest, RefusesBadOptionsWithOneLine) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {{"--parallel", "0"}, "pgptls: --parallel must be between 1 and 64"},
           {{"--timeout", "0"}, "pgptls: --timeout must be between 1 and 600 seconds"},
           {{"--max-size", "70000"}, "pgptls: --max-size must be between 1 and 65536 bytes"},
           {{"bad..example"}, "bad..example"},
       }) {
    std::vector<std::string> args{"pins", "refresh"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    const ToolResult result = pgptls(args);
    EXPECT_EQ(result.exit_code, 2) << result.describe();
    EXPECT_TRUE(has(result.err, c.message)) << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  }
}

TEST_F(PinsRefreshTest, ImportsABundleDomainByDomainWithinTheAuthoritysScope) {
  const std::string pin = openssl_spki_pin(server_.certificate);
  const auto bundle = [&](int serial) {
    return gpg_sign("bundle-" + std::to_string(serial) + ".json",
                    R"({"domains":{"b1.example":{"spki-sha-256":[")" + pin +
                        R"("]},"b2.example":{"spki-sha-256":[")" + pin +
                        R"("]},"out.test":{"spki-sha-256":[")" + pin + R"("]}},"issued":")" +
                        base::format_utc(std::chrono::system_clock::now()) + R"(","serial":)" +
                        std::to_string(serial) + R"(,"expires":3600})");
  };
  const auto current = bundle(7);
  const ToolResult imported = pgptls({"pins", "import-signed", current.first, current.second});
  EXPECT_EQ(imported.exit_code, 1) << imported.describe();
  EXPECT_TRUE(has(row(imported, "b1.example"), "updated")) << imported.out;
  EXPECT_TRUE(has(row(imported, "b2.example"), "updated")) << imported.out;
  EXPECT_TRUE(has(row(imported, "out.test"), "failed: ")) << imported.out;
  EXPECT_TRUE(has(row(imported, "out.test"),
                  "failed: the bundle lists out.test, but that domain is outside the scope of its "
                  "signer, authority " +
                      pins_world().fpr.at("authority")))
      << imported.out;
  const ToolResult listed = pgptls({"pins", "list"});
  EXPECT_TRUE(has(listed.out, "b1.example\t")) << listed.out;
  EXPECT_TRUE(has(listed.out, "b2.example\t")) << listed.out;
  EXPECT_FALSE(has(listed.out, "out.test\t")) << listed.out;

  const ToolResult again = pgptls({"pins", "import-signed", current.first, current.second});
  EXPECT_EQ(again.exit_code, 1) << again.describe();  // out.test is still out of scope
  EXPECT_TRUE(has(row(again, "b1.example"), "unchanged")) << again.out;
  EXPECT_TRUE(has(row(again, "b2.example"), "unchanged")) << again.out;

  const auto older = bundle(6);
  const ToolResult rollback = pgptls({"pins", "import-signed", older.first, older.second});
  EXPECT_EQ(rollback.exit_code, 1) << rollback.describe();
  EXPECT_TRUE(has(row(rollback, "b1.example"), "has serial 6, lower than the accepted serial 7"))
      << rollback.out;
  EXPECT_TRUE(has(row(rollback, "b2.example"), "pin statement rolled back")) << rollback.out;

  // A bundle signed by a key that is no authority is refused as a whole,
  // even by a.example's own certified key.
  const std::string newer = read_text_file(bundle(8).first);
  const auto by_a = gpg_sign("by-a.json", newer, "a");
  const ToolResult refused = pgptls({"pins", "import-signed", by_a.first, by_a.second});
  EXPECT_EQ(refused.exit_code, 1) << refused.describe();
  EXPECT_TRUE(has(refused.err, "pgptls: " + by_a.first + ": the bundle is signed by " +
                                   pins_world().fpr.at("a") +
                                   ", which is not a configured authority; only authorities may "
                                   "sign bundles"))
      << refused.err;
}

// One bundle for a whole community, far over a single
// statement's 64 KiB, imports under the bundle cap; a larger file is
// refused naming that cap.
TEST_F(PinsRefreshTest, ImportsABundleForAWholeCommunityUnderTheBundleCap) {
  const std::string pin = openssl_spki_pin(server_.certificate);
  std::string text = R"({"domains":{)";
  for (int index = 0; index < 5000; ++index) {
    text += (index == 0 ? "\"m" : ",\"m") + std::to_string(index) +
            R"(.example":{"spki-sha-256":[")" + pin + R"("]})";
  }
  text += R"(},"issued":")" + base::format_utc(std::chrono::system_clock::now()) +
          R"(","serial":1,"expires":3600})";
  ASSERT_GT(text.size(), std::size_t{64} * 1024);
  const auto community = gpg_sign("community.json", text);
  const ToolResult imported = pgptls({"pins", "import-signed", community.first, community.second});
  EXPECT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_TRUE(has(row(imported, "m0.example"), "updated")) << imported.err;
  EXPECT_TRUE(has(row(imported, "m4999.example"), "updated")) << imported.err;
  const ToolResult listed = pgptls({"pins", "list", "m4999.example"});
  EXPECT_TRUE(has(listed.out, "m4999.example\tpin-sha256=\"" + pin + "\"\tsigned\t"))
      << listed.describe();

  const std::filesystem::path huge = temp_.file("huge.json");
  write_file(huge, std::string(std::size_t{4} * 1024 * 1024 + 1, ' '));
  const ToolResult refused = pgptls({"pins", "import-signed", huge.string(), community.second});
  EXPECT_EQ(refused.exit_code, 1) << refused.describe();
  EXPECT_TRUE(has(refused.err, "pgptls: " + huge.string() +
                                   " is larger than the bundle cap of 4194304 bytes; ask its "
                                   "authority to split it into several bundles"))
      << refused.err;
  EXPECT_EQ(std::count(refused.err.begin(), refused.err.end(), '\n'), 1) << refused.err;
}

TEST_F(PinsRefreshTest, SaysWhatIsMissingInTheState) {
  // A state that names no domain at all: nothing to do, and it says so.
  TempDir empty;
  const ToolResult nothing = run_pgptls_in(empty.path(), {"pins", "refresh"});
  EXPECT_EQ(nothing.exit_code, 0) << nothing.describe();
  EXPECT_EQ(nothing.out, "");
  EXPECT_EQ(nothing.err,
            "pgptls: no domain to refresh: the pin store and the keyring name none; name the "
            "domains on the command line\n");

  // An authority whose certificate left the keyring cannot vouch for
  // anything: refuse to run rather than silently trust less.
  const std::string authority = pins_world().fpr.at("authority");
  ASSERT_TRUE(std::filesystem::remove(home_.file("keyring") / authority));
  const ToolResult broken = refresh({"auth.example"});
  EXPECT_EQ(broken.exit_code, 2) << broken.describe();
  EXPECT_EQ(broken.err,
            "pgptls: authority " + authority + " of " + home_.file("authorities.json").string() +
                " has no certificate in the keyring; import it with 'pgptls keyring "
                "import FILE' or remove it with 'pgptls authority remove': not found\n");

  const ToolResult unreadable =
      pgptls({"pins", "import-signed", temp_.file("none.json").string(), "x.sig"});
  EXPECT_EQ(unreadable.exit_code, 2) << unreadable.describe();
  EXPECT_TRUE(has(unreadable.err, "pgptls: ")) << unreadable.err;
  EXPECT_TRUE(has(unreadable.err, temp_.file("none.json").string())) << unreadable.err;
  EXPECT_EQ(std::count(unreadable.err.begin(), unreadable.err.end(), '\n'), 1);
}

TEST_F(PinsRefreshTest, ResolveOverridesTheAddress) {
  // .invalid never resolves (RFC 6761 §6.4); with --resolve the name is
  // not looked up, and the connection to the given address is tried.
  const ToolResult unresolved = pgptls({"pins", "refresh", "--timeout", "5", "nowhere.invalid"});
  EXPECT_EQ(unresolved.exit_code, 1) << unresolved.describe();
  EXPECT_TRUE(has(row(unresolved, "nowhere.invalid"),
                  "failed: https://nowhere.invalid" + kPath + ": Couldn't resolve host name"))
      << unresolved.out;
  const ToolResult resolved = pgptls({"pins", "refresh", "--timeout", "5", "--resolve",
                                      "nowhere.invalid:443:127.0.0.1", "nowhere.invalid"});
  EXPECT_EQ(resolved.exit_code, 1) << resolved.describe();
  EXPECT_TRUE(has(row(resolved, "nowhere.invalid"), "failed: https://nowhere.invalid" + kPath))
      << resolved.out;
  EXPECT_FALSE(has(row(resolved, "nowhere.invalid"), "resolve")) << resolved.out;
}

TEST_F(PinsRefreshTest, DrawsAProgressBarOnATerminal) {
  publish("auth.example", statement("auth", "authority"));
  // script(1) runs the command on a pseudo-terminal.
  std::string command = "PGPTLS_HOME='" + home_.path().string() + "' '" + pgptls_program() +
                        "' pins refresh --timeout 5";
  for (const std::string& argument : site_->command_line()) {
    command += " '" + argument + "'";
  }
  command += " auth.example";
  ToolOptions options;
  options.timeout = 60s;
  const ToolResult result = run_tool({"script", "-qec", command, "/dev/null"}, options);
  EXPECT_EQ(result.exit_code, 0) << result.describe();
  // The bar is redrawn in place and cleared before the table.
  EXPECT_TRUE(has(result.out, "\r[##############################] 2/2")) << result.out;
  EXPECT_TRUE(has(result.out, "auth.example  2      updated")) << result.out;
}

// A signed pin decides real handshakes: after a successful refresh a real
// handshake with the X.509-only peer is accepted by its signed pin, and
// refused again once the statement expired. Nothing waits for the expiry:
// the later runs see the program's clock moved past it
// (PGPTLS_TEST_CLOCK, endpoint/program_clock.h).
TEST_F(PinsRefreshTest, AHandshakeIsAcceptedByTheSignedPinUntilTheStatementExpires) {
  const std::uint16_t port = free_port();
  auto server =
      ChildProcess::start({"openssl", "s_server", "-accept", "127.0.0.1:" + std::to_string(port),
                           "-cert", e2e_.certificate.string(), "-key", e2e_.key.string(), "-rev"},
                          temp_.file("s_server.log"));
  ASSERT_TRUE(server);
  ASSERT_TRUE(server->wait_for_log(kOpensslServerReady, 10s)) << server->log();
  // after_expiry: the environment of a run one hour after the statement
  // (which lives ten minutes) was signed.
  const std::map<std::string, std::string> after_expiry{{"PGPTLS_TEST_CLOCK", "+3600"},
                                                        {"PGPTLS_ALLOW_TEST_CLOCK", "1"}};
  const auto connect = [&](const std::map<std::string, std::string>& env = {}) {
    ToolOptions options;
    options.stdin_data = "abc\n";
    options.env = env;
    options.env["PGPTLS_HOME"] = home_.path().string();
    options.timeout = 30s;
    return run_tool(
        {pgptls_program(), "connect", "127.0.0.1:" + std::to_string(port), "--peer", "e2e.example",
         "--x509-cert", client_.certificate.string(), "--x509-key", client_.key.string()},
        options);
  };

  const ToolResult unpinned = connect();
  EXPECT_EQ(unpinned.exit_code, 1) << unpinned.describe();
  EXPECT_TRUE(has(unpinned.err, "handshake failed: x509 key for e2e.example matches no pin"))
      << unpinned.err;

  publish("e2e.example",
          statement("e2e", "authority", {"--domain", "e2e.example", "--expires", "600"}, &e2e_));
  const ToolResult refreshed = refresh({"e2e.example"});
  ASSERT_EQ(refreshed.exit_code, 0) << refreshed.describe();
  EXPECT_TRUE(has(row(refreshed, "e2e.example"), "updated")) << refreshed.out;

  const ToolResult accepted = connect();
  EXPECT_EQ(accepted.exit_code, 0) << accepted.describe();
  EXPECT_TRUE(has(accepted.err, "handshake ok: ")) << accepted.err;
  EXPECT_TRUE(has(accepted.err, " cert=x509 peer=e2e.example pin sha256/")) << accepted.err;
  EXPECT_TRUE(has(accepted.out, "cba")) << accepted.describe();

  const ToolResult expired = connect(after_expiry);
  EXPECT_EQ(expired.exit_code, 1) << expired.describe();
  // The statement gave both pins (the key's and the certificate's); the
  // pin check reports whichever it matched first.
  const std::string spki = openssl_spki_pin(e2e_.certificate);
  const std::string whole = openssl_certificate_sha256(e2e_.certificate);
  EXPECT_TRUE(has(expired.err, "handshake failed: x509 key for e2e.example matches a signed "))
      << expired.err;
  EXPECT_TRUE(has(expired.err, "=\"" + spki + "\" whose statement expired on ") ||
              has(expired.err, "=\"" + whole + "\" whose statement expired on "))
      << expired.err;
  EXPECT_TRUE(has(accepted.err, " cert=x509 peer=e2e.example pin sha256/" + spki + " (signed)") ||
              has(accepted.err, " cert=x509 peer=e2e.example pin sha256/" + whole + " (signed)"))
      << accepted.err;
  // Refreshing the same, now expired, statement does not bring it back.
  std::vector<std::string> refresh_args{"pins", "refresh", "--timeout", "5"};
  for (const std::string& route : site_->command_line()) {
    refresh_args.push_back(route);
  }
  refresh_args.push_back("e2e.example");
  const ToolResult stale = run_pgptls_in(home_.path(), refresh_args, after_expiry);
  EXPECT_EQ(stale.exit_code, 1) << stale.describe();
  EXPECT_TRUE(has(row(stale, "e2e.example"), "failed: the statement for e2e.example issued "))
      << stale.out;
  EXPECT_TRUE(has(row(stale, "e2e.example"), "pin statement expired")) << stale.out;
}

// The test clock is for tests only: set without its permission, every
// command refuses to run, naming both variables.
TEST_F(PinsRefreshTest, TheTestClockIsRefusedUnlessAllowed) {
  const ToolResult refused =
      run_pgptls_in(home_.path(), {"pin", "list"}, {{"PGPTLS_TEST_CLOCK", "+3600"}});
  EXPECT_EQ(refused.exit_code, 2) << refused.describe();
  EXPECT_TRUE(has(refused.err,
                  "PGPTLS_TEST_CLOCK: is for tests and is refused unless "
                  "PGPTLS_ALLOW_TEST_CLOCK=1 is set too"))
      << refused.err;
  const ToolResult malformed =
      run_pgptls_in(home_.path(), {"pin", "list"},
                    {{"PGPTLS_TEST_CLOCK", "soon"}, {"PGPTLS_ALLOW_TEST_CLOCK", "1"}});
  EXPECT_EQ(malformed.exit_code, 2) << malformed.describe();
  EXPECT_TRUE(has(malformed.err, "PGPTLS_TEST_CLOCK: 'soon' is neither")) << malformed.err;
  const ToolResult allowed =
      run_pgptls_in(home_.path(), {"pin", "list"},
                    {{"PGPTLS_TEST_CLOCK", "+3600"}, {"PGPTLS_ALLOW_TEST_CLOCK", "1"}});
  EXPECT_EQ(allowed.exit_code, 0) << allowed.describe();
}

}  // namespace
}  // namespace pgptls::test
