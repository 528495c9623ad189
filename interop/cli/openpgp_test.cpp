// `pgptls connect` ↔ `pgptls serve` with OpenPGP (RFC 6091), as an operator
// runs them: gpg made an authority and keys for xmpp:a.example and
// xmpp:b.example and certified them (tests/cli/openpgp_world.h); both
// programs run as real processes on 127.0.0.1. Mutual authentication with
// Ed25519 and RSA-2048 keys, fingerprint-only (RFC 6091 §3.3), a
// passphrase-protected key, an uncertified client, X.509 with pins next to
// OpenPGP on one server, --require-openpgp, --tofu, and --config files.
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "tests/cli/openpgp_world.h"
#include "tests/support/network.h"
#include "tests/support/process.h"
#include "tests/support/ready_lines.h"
#include "tests/support/temp_dir.h"

namespace pgptls::test {
namespace {

using namespace std::chrono_literals;

const std::string kProgram = PGPTLS_PROGRAM;

class OpenPgpServeConnectTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    world_ = &openpgp_world();
    x509_ = new TempDir();
    // X.509 certificates for the same domains, as in the X.509 tests.
    for (const std::string name : {"a", "b"}) {
      const std::string domain = name + ".example";
      const auto made =
          run_tool({"openssl", "req", "-x509", "-newkey", "ed25519", "-nodes", "-keyout",
                    x509(name + ".key"), "-out", x509(name + ".pem"), "-days", "30", "-subj",
                    "/CN=" + domain, "-addext", "subjectAltName=DNS:" + domain});
      ASSERT_TRUE(made.ok()) << made.describe();
    }
  }
  static void TearDownTestSuite() {
    delete x509_;
    x509_ = nullptr;
  }

  static std::string x509(const std::string& name) { return x509_->file(name).string(); }
  static std::string key(const std::string& name) { return world_->file(name); }

  // openpgp: the credential options of key NAME (auto subkey).
  static std::vector<std::string> openpgp(const std::string& name) {
    return {"--openpgp-cert", key(name + ".asc"), "--openpgp-key", key(name + ".sec")};
  }
  static std::vector<std::string> x509_credential(const std::string& name) {
    return {"--x509-cert", x509(name + ".pem"), "--x509-key", x509(name + ".key")};
  }
  static std::vector<std::string> join(std::vector<std::vector<std::string>> parts) {
    std::vector<std::string> all;
    for (auto& part : parts) {
      all.insert(all.end(), part.begin(), part.end());
    }
    return all;
  }

  std::string server_pins() const { return temp_.file("server-pins.sqlite").string(); }
  std::string client_pins() const { return temp_.file("client-pins.sqlite").string(); }

  // serve: `pgptls serve --echo` for a.example on a free port, trusting
  // the authority unless the options say otherwise.
  std::optional<ChildProcess> serve(const std::vector<std::string>& extra,
                                    const std::string& log = "serve.log") {
    port_ = free_port();
    std::vector<std::string> argv{kProgram,   "serve",
                                  "--listen", "127.0.0.1:" + std::to_string(port_),
                                  "--pins",   server_pins()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto child = ChildProcess::start(argv, temp_.file(log), {{"PGPTLS_HOME", home_.path()}});
    if (child && !child->wait_for_log(kServeReady, 10s)) {
      ADD_FAILURE() << "serve did not start: " << child->log();
    }
    return child;
  }

  // connect: `pgptls connect` to the server for a.example with stdin
  // `input`.
  ToolResult connect(const std::vector<std::string>& extra, const std::string& input = "hello\n") {
    std::vector<std::string> argv{kProgram,     "connect",   "127.0.0.1:" + std::to_string(port_),
                                  "--peer",     "a.example", "--pins",
                                  client_pins()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    ToolOptions options;
    options.stdin_data = input;
    options.env["PGPTLS_HOME"] = home_.path().string();
    options.timeout = 30s;
    return run_tool(argv, options);
  }

  // pin: `pgptls pin add DOMAIN --cert CERT --pins DB`.
  void pin(const std::string& domain, const std::string& cert, const std::string& db) {
    const auto added = run_tool({kProgram, "pin", "add", domain, "--cert", cert, "--pins", db},
                                {.stdin_data = "",
                                 .env = {{"PGPTLS_HOME", home_.path().string()}},
                                 .cwd = std::nullopt,
                                 .timeout = 30s});
    ASSERT_TRUE(added.ok()) << added.describe();
  }

  static void stop(ChildProcess& child) {
    child.signal(SIGTERM);
    EXPECT_EQ(child.wait(10s), std::optional<int>(0)) << child.log();
  }

  // accepted_by_ca: the handshake line's tail for an OpenPGP peer.
  static std::string accepted_by_ca(const std::string& domain) {
    return " cert=openpgp peer=" + domain + " authority " + world_->fpr.at("ca") +
           " certified 'xmpp:" + domain + "'";
  }

  static const OpenPgpWorld* world_;
  static TempDir* x509_;
  TempDir home_;
  TempDir temp_;
  std::uint16_t port_ = 0;
};

const OpenPgpWorld* OpenPgpServeConnectTest::world_ = nullptr;
TempDir* OpenPgpServeConnectTest::x509_ = nullptr;

TEST_F(OpenPgpServeConnectTest, MutualEd25519EchoesData) {
  auto server =
      serve(join({{"--echo", "--authority", key("ca.asc") + ",scope=*.example"}, openpgp("a")}));
  ASSERT_TRUE(server);
  const auto ok = connect(join({{"--mode", "openpgp", "--authority", key("ca.asc")}, openpgp("b")}),
                          "hello over RFC 6091\n");
  EXPECT_EQ(ok.exit_code, 0) << ok.describe();
  EXPECT_EQ(ok.out, "hello over RFC 6091\n");
  EXPECT_NE(ok.err.find("handshake ok: TLS1.2 "), std::string::npos) << ok.err;
  EXPECT_NE(ok.err.find(accepted_by_ca("a.example")), std::string::npos) << ok.err;
  EXPECT_TRUE(server->wait_for_log("handshake ok: TLS1.2 ", 5s)) << server->log();
  EXPECT_TRUE(server->wait_for_log(accepted_by_ca("b.example"), 5s)) << server->log();

  // --mode auto (the default) picks OpenPGP because the keyring holds an
  // authority-certified certificate for a.example.
  const auto automatic =
      connect(join({{"--keyring", key("a.asc"), "--authority", key("ca.asc")}, openpgp("b")}));
  EXPECT_EQ(automatic.exit_code, 0) << automatic.describe();
  EXPECT_NE(automatic.err.find(accepted_by_ca("a.example")), std::string::npos) << automatic.err;
  stop(*server);
}

TEST_F(OpenPgpServeConnectTest, MutualRsa2048) {
  auto server = serve(join({{"--echo", "--authority", key("ca.asc")}, openpgp("ra")}));
  ASSERT_TRUE(server);
  const auto ok =
      connect(join({{"--mode", "openpgp", "--authority", key("ca.asc")}, openpgp("rb")}));
  EXPECT_EQ(ok.exit_code, 0) << ok.describe();
  EXPECT_EQ(ok.out, "hello\n");
  EXPECT_NE(ok.err.find("handshake ok: TLS1.2 TLS_ECDHE_RSA_"), std::string::npos) << ok.err;
  EXPECT_NE(ok.err.find(accepted_by_ca("a.example")), std::string::npos) << ok.err;
  EXPECT_TRUE(server->wait_for_log(accepted_by_ca("b.example"), 5s)) << server->log();
  stop(*server);
}

TEST_F(OpenPgpServeConnectTest, ClientAuthNoneServesAnAnonymousClient) {
  // The server proves itself with OpenPGP and asks the client for nothing.
  auto server = serve(join({{"--echo", "--client-auth", "none"}, openpgp("a")}));
  ASSERT_TRUE(server);
  const auto ok = connect({"--mode", "openpgp", "--authority", key("ca.asc")});
  EXPECT_EQ(ok.exit_code, 0) << ok.describe();
  EXPECT_EQ(ok.out, "hello\n");
  EXPECT_NE(ok.err.find(accepted_by_ca("a.example")), std::string::npos) << ok.err;
  EXPECT_TRUE(server->wait_for_log("cert=none peer=- not authenticated", 5s)) << server->log();
  stop(*server);
}

TEST_F(OpenPgpServeConnectTest, FingerprintOnlyNeedsTheServersKeyring) {
  const auto client = join(
      {{"--mode", "openpgp", "--authority", key("ca.asc"), "--fingerprint-only"}, openpgp("b")});
  {
    // The server does not know b's certificate: it cannot obtain it.
    auto server =
        serve(join({{"--echo", "--authority", key("ca.asc")}, openpgp("a")}), "unknown.log");
    ASSERT_TRUE(server);
    const auto refused = connect(client);
    EXPECT_EQ(refused.exit_code, 1) << refused.describe();
    EXPECT_NE(refused.err.find("handshake failed: the peer sent the alert "
                               "certificate_unobtainable"),
              std::string::npos)
        << refused.err;
    EXPECT_TRUE(server->wait_for_log("the peer sent only the fingerprint " + world_->fpr.at("b") +
                                         ", and the keyring has no such certificate",
                                     5s))
        << server->log();
    stop(*server);
  }
  auto server = serve(
      join({{"--echo", "--authority", key("ca.asc"), "--keyring", key("b.asc")}, openpgp("a")}));
  ASSERT_TRUE(server);
  const auto ok = connect(client);
  EXPECT_EQ(ok.exit_code, 0) << ok.describe();
  EXPECT_EQ(ok.out, "hello\n");
  EXPECT_TRUE(server->wait_for_log(accepted_by_ca("b.example"), 5s)) << server->log();
  stop(*server);
}

TEST_F(OpenPgpServeConnectTest, StateDirectoryAuthoritiesAndKeyring) {
  // The operator's way: `authority add` and `keyring import` once, then
  // serve and connect need no trust options.
  const auto run = [&](const std::vector<std::string>& args) {
    std::vector<std::string> argv{kProgram};
    argv.insert(argv.end(), args.begin(), args.end());
    ToolOptions options;
    options.env["PGPTLS_HOME"] = home_.path().string();
    options.timeout = 30s;
    const auto result = run_tool(argv, options);
    EXPECT_TRUE(result.ok()) << result.describe();
  };
  run({"authority", "add", key("ca.asc"), "--scope", "*.example"});
  run({"keyring", "import", key("a.asc"), key("b.asc")});
  auto server = serve(join({{"--echo"}, openpgp("a")}));
  ASSERT_TRUE(server);
  // b sends only its fingerprint: the server finds b in the state keyring;
  // mode auto picks OpenPGP because the state keyring certifies a.example.
  const auto ok = connect(join({{"--fingerprint-only"}, openpgp("b")}));
  EXPECT_EQ(ok.exit_code, 0) << ok.describe();
  EXPECT_EQ(ok.out, "hello\n");
  EXPECT_NE(ok.err.find(accepted_by_ca("a.example")), std::string::npos) << ok.err;
  EXPECT_TRUE(server->wait_for_log(accepted_by_ca("b.example"), 5s)) << server->log();
  stop(*server);
}

TEST_F(OpenPgpServeConnectTest, PassphraseProtectedKey) {
  auto server = serve(join({{"--echo", "--authority", key("ca.asc")}, openpgp("a")}));
  ASSERT_TRUE(server);
  const auto base = join({{"--mode", "openpgp", "--authority", key("ca.asc")}, openpgp("pb")});
  const auto from_file = connect(join({base, {"--passphrase-file", key("pb.pass")}}));
  EXPECT_EQ(from_file.exit_code, 0) << from_file.describe();
  EXPECT_EQ(from_file.out, "hello\n");
  // --passphrase-fd 0 reads only the first line; the rest of stdin is data.
  const auto from_fd = connect(join({base, {"--passphrase-fd", "0"}}),
                               std::string(kPbPassphrase) + "\nafter the passphrase\n");
  EXPECT_EQ(from_fd.exit_code, 0) << from_fd.describe();
  EXPECT_EQ(from_fd.out, "after the passphrase\n");
  EXPECT_TRUE(server->wait_for_log(accepted_by_ca("b.example"), 5s)) << server->log();
  stop(*server);
}

TEST_F(OpenPgpServeConnectTest, PassphrasePromptOnATerminal) {
  // script(1) gives connect a terminal: it prompts there, with echo off.
  ASSERT_TRUE(has_tool("script")) << "script (util-linux) runs the program on a terminal";
  auto server = serve(join({{"--echo", "--authority", key("ca.asc")}, openpgp("a")}));
  ASSERT_TRUE(server);
  std::string command = kProgram + " connect 127.0.0.1:" + std::to_string(port_) +
                        " --peer a.example --mode openpgp --pins " + client_pins() +
                        " --authority " + key("ca.asc");
  for (const std::string& option : openpgp("pb")) {
    command += " " + option;
  }
  auto client = ChildProcess::start({"script", "-qec", command, "/dev/null"}, temp_.file("tty.log"),
                                    {{"PGPTLS_HOME", home_.path()}});
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->wait_for_log(
      "Passphrase for OpenPGP key 0x" + world_->sub.at("pb").substr(24) + " of ", 10s))
      << client->log();
  // Typed only once the prompt is there, so the terminal's echo is already off.
  ASSERT_TRUE(client->write_stdin(std::string(kPbPassphrase) + "\n"));
  EXPECT_TRUE(client->wait_for_log(accepted_by_ca("a.example"), 10s)) << client->log();
  EXPECT_TRUE(server->wait_for_log(accepted_by_ca("b.example"), 5s)) << server->log();
  EXPECT_EQ(client->log().find(kPbPassphrase), std::string::npos) << client->log();
  client->close_stdin();
  stop(*server);
}

TEST_F(OpenPgpServeConnectTest, UncertifiedClientIsRejectedOnBothSides) {
  auto server = serve(join({{"--echo", "--authority", key("ca.asc")}, openpgp("a")}));
  ASSERT_TRUE(server);
  const auto refused =
      connect(join({{"--mode", "openpgp", "--authority", key("ca.asc")}, openpgp("impostor")}));
  EXPECT_EQ(refused.exit_code, 1) << refused.describe();
  EXPECT_EQ(refused.out, "");
  EXPECT_NE(refused.err.find("handshake failed: the peer sent the alert certificate_unknown"),
            std::string::npos)
      << refused.err;
  EXPECT_TRUE(server->wait_for_log("handshake failed: ", 5s)) << server->log();
  EXPECT_TRUE(server->wait_for_log("OpenPGP certificate " + world_->fpr.at("impostor") +
                                       " is not accepted: peer key " + world_->fpr.at("impostor") +
                                       " (xmpp:b.example) is not certified by any configured "
                                       "authority",
                                   5s))
      << server->log();

  // A client without the authority refuses the server likewise.
  const auto untrusting = connect(join({{"--mode", "openpgp"}, openpgp("b")}));
  EXPECT_EQ(untrusting.exit_code, 1) << untrusting.describe();
  EXPECT_NE(untrusting.err.find("handshake failed: the peer presented an OpenPGP certificate, "
                                "but no OpenPGP authorities are configured"),
            std::string::npos)
      << untrusting.err;
  stop(*server);
}

TEST_F(OpenPgpServeConnectTest, X509ModeNextToOpenPgpWithPins) {
  // One server with both credentials serves both kinds of client.
  pin("b.example", x509("b.pem"), server_pins());
  pin("a.example", x509("a.pem"), client_pins());
  auto server =
      serve(join({{"--echo", "--authority", key("ca.asc")}, openpgp("a"), x509_credential("a")}));
  ASSERT_TRUE(server);
  const auto x509_client = connect(join({{"--mode", "x509"}, x509_credential("b")}));
  EXPECT_EQ(x509_client.exit_code, 0) << x509_client.describe();
  EXPECT_EQ(x509_client.out, "hello\n");
  EXPECT_NE(x509_client.err.find("handshake ok: TLS1.3 "), std::string::npos) << x509_client.err;
  EXPECT_NE(x509_client.err.find(" cert=x509 peer=a.example pin sha256/"), std::string::npos)
      << x509_client.err;
  EXPECT_TRUE(server->wait_for_log(" cert=x509 peer=b.example b.example: pin sha256/", 5s))
      << server->log();

  const auto openpgp_client =
      connect(join({{"--mode", "openpgp", "--authority", key("ca.asc")}, openpgp("b")}));
  EXPECT_EQ(openpgp_client.exit_code, 0) << openpgp_client.describe();
  EXPECT_NE(openpgp_client.err.find(accepted_by_ca("a.example")), std::string::npos)
      << openpgp_client.err;
  stop(*server);
}

TEST_F(OpenPgpServeConnectTest, RequireOpenPgpRefusesAPinnedX509Client) {
  pin("b.example", x509("b.pem"), server_pins());
  pin("a.example", x509("a.pem"), client_pins());
  auto server = serve(join({{"--echo", "--require-openpgp", "--authority", key("ca.asc")},
                            openpgp("a"),
                            x509_credential("a")}));
  ASSERT_TRUE(server);
  const auto refused = connect(join({{"--mode", "x509"}, x509_credential("b")}));
  EXPECT_EQ(refused.exit_code, 1) << refused.describe();
  EXPECT_TRUE(server->wait_for_log("require-openpgp is on for this run (--require-openpgp)", 5s))
      << server->log();
  // OpenPGP still gets through.
  const auto ok =
      connect(join({{"--mode", "openpgp", "--authority", key("ca.asc")}, openpgp("b")}));
  EXPECT_EQ(ok.exit_code, 0) << ok.describe();
  stop(*server);
}

TEST_F(OpenPgpServeConnectTest, TofuPinsTheFirstX509KeyForThisRun) {
  auto server = serve(join({{"--echo", "--client-auth", "none"}, x509_credential("a")}));
  ASSERT_TRUE(server);
  const auto refused = connect({"--mode", "x509"});
  EXPECT_EQ(refused.exit_code, 1) << refused.describe();
  EXPECT_NE(refused.err.find("x509 key for a.example matches no pin"), std::string::npos)
      << refused.err;
  const auto tofu = connect({"--mode", "x509", "--tofu"});
  EXPECT_EQ(tofu.exit_code, 0) << tofu.describe();
  EXPECT_NE(tofu.err.find(" cert=x509 peer=a.example tofu pin sha256/"), std::string::npos)
      << tofu.err;
  // The pin stays in the store: the next run needs no --tofu.
  const auto pinned = connect({"--mode", "x509"});
  EXPECT_EQ(pinned.exit_code, 0) << pinned.describe();
  stop(*server);
}

TEST_F(OpenPgpServeConnectTest, BothSidesFromConfigFiles) {
  const auto server_config = temp_.file("a.toml");
  std::ofstream(server_config) << "echo = true\n"
                               << "openpgp-cert = \"" << key("a.asc") << "\"\n"
                               << "openpgp-key = \"" << key("a.sec") << "\"\n"
                               << "openpgp-subkey = \"" << world_->sub.at("a") << "\"\n"
                               << "authority = [\"" << key("ca.asc") << ",scope=b.example\"]\n"
                               << "keyring = \"" << key("pb.asc") << "\"\n"
                               << "client-auth = \"require\"\n";
  auto server = serve({"--config", server_config.string()});
  ASSERT_TRUE(server);
  const auto client_config = temp_.file("b.toml");
  std::ofstream(client_config) << "mode = \"openpgp\"\n"
                               << "openpgp-cert = \"" << key("pb.asc") << "\"\n"
                               << "openpgp-key = \"" << key("pb.sec") << "\"\n"
                               << "passphrase-file = \"" << key("pb.pass") << "\"\n"
                               << "fingerprint-only = true\n"
                               << "authority = [\"" << key("ca.asc") << ",scope=a.example\"]\n"
                               << "require-openpgp = true\n";
  const auto ok = connect({"--config", client_config.string()});
  EXPECT_EQ(ok.exit_code, 0) << ok.describe();
  EXPECT_EQ(ok.out, "hello\n");
  EXPECT_NE(ok.err.find(accepted_by_ca("a.example")), std::string::npos) << ok.err;
  EXPECT_TRUE(server->wait_for_log(accepted_by_ca("b.example"), 5s)) << server->log();
  stop(*server);
}

}  // namespace
}  // namespace pgptls::test
