// Tests of `pgptls serve` and `pgptls connect` as an operator runs them:
// certificates made by openssl, peers gnutls-cli/gnutls-serv and openssl
// s_client/s_server, pins added with `pgptls pin add`.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/network.h"
#include "tests/support/process.h"
#include "tests/support/ready_lines.h"
#include "tests/support/temp_dir.h"

namespace pgptls::test {
namespace {

using namespace std::chrono_literals;

const std::string kProgram = PGPTLS_PROGRAM;

// options: stdin, optionally $PGPTLS_HOME, and a bounded run time.
ToolOptions options(std::string input, const std::string& home = {},
                    std::chrono::milliseconds timeout = 30s) {
  ToolOptions result;
  result.stdin_data = std::move(input);
  if (!home.empty()) {
    result.env["PGPTLS_HOME"] = home;
  }
  result.timeout = timeout;
  return result;
}

class ServeConnectTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    // Ed25519 self-signed certificates with the domain as DNS name, as an
    // operator would make them; the algorithm does not matter for pins.
    for (const std::string name : {"a", "b", "impostor"}) {
      const std::string domain = name == "impostor" ? "b.example" : name + ".example";
      const auto made =
          run_tool({"openssl", "req", "-x509", "-newkey", "ed25519", "-nodes", "-keyout",
                    file(name + ".key"), "-out", file(name + ".pem"), "-days", "30", "-subj",
                    "/CN=" + domain, "-addext", "subjectAltName=DNS:" + domain});
      ASSERT_TRUE(made.ok()) << made.describe();
    }
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  static std::string file(const std::string& name) { return dir_->file(name).string(); }

  // pin: `pgptls pin add DOMAIN --cert CERT --pins DB`.
  static void pin(const std::string& domain, const std::string& cert, const std::string& db) {
    const auto added =
        run_tool({kProgram, "pin", "add", domain, "--cert", file(cert + ".pem"), "--pins", db},
                 options("", home_.path().string()));
    ASSERT_TRUE(added.ok()) << added.describe();
  }

  // serve: starts `pgptls serve` for a.example on a free port.
  std::optional<ChildProcess> serve(std::vector<std::string> extra) {
    port_ = free_port();
    std::vector<std::string> argv{kProgram, "serve", "--listen",
                                  "127.0.0.1:" + std::to_string(port_)};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto child = ChildProcess::start(argv, temp_.file("serve.log"),
                                     {{"PGPTLS_HOME", home_.path().string()}});
    if (child && !child->wait_for_log(kServeReady, 10s)) {
      ADD_FAILURE() << "serve did not start: " << child->log();
    }
    return child;
  }

  std::vector<std::string> serve_a(const std::string& mode = "--echo") {
    return {mode,
            "--x509-cert",
            file("a.pem"),
            "--x509-key",
            file("a.key"),
            "--pins",
            temp_.file("server-pins.sqlite").string()};
  }

  ToolResult connect(const std::string& as, const std::string& peer, const std::string& input,
                     std::uint16_t port) {
    return run_tool({kProgram, "connect", "127.0.0.1:" + std::to_string(port), "--peer", peer,
                     "--x509-cert", file(as + ".pem"), "--x509-key", file(as + ".key"), "--pins",
                     temp_.file("client-pins.sqlite").string()},
                    options(input, home_.path().string()));
  }

  static void stop(ChildProcess& child) {
    child.signal(SIGTERM);
    EXPECT_EQ(child.wait(10s), std::optional<int>(0)) << child.log();
  }

  static TempDir* dir_;
  static TempDir home_;
  TempDir temp_;
  std::uint16_t port_ = 0;
};

TempDir* ServeConnectTest::dir_ = nullptr;
TempDir ServeConnectTest::home_;

TEST_F(ServeConnectTest, ConnectToServeNeedsPinsOnBothSides) {
  auto server = serve(serve_a());
  ASSERT_TRUE(server);

  // Nobody pinned anything: the client rejects a.example's key.
  auto refused = connect("b", "a.example", "hello\n", port_);
  EXPECT_EQ(refused.exit_code, 1) << refused.describe();
  EXPECT_NE(refused.err.find("handshake failed: x509 key for a.example matches no pin"),
            std::string::npos)
      << refused.err;
  EXPECT_NE(refused.err.find("pgptls pin add a.example"), std::string::npos) << refused.err;

  pin("a.example", "a", temp_.file("client-pins.sqlite").string());
  // The client accepts now, the server still rejects b.example.
  refused = connect("b", "a.example", "hello\n", port_);
  EXPECT_EQ(refused.exit_code, 1) << refused.describe();
  EXPECT_TRUE(server->wait_for_log("is not authenticated for any domain", 5s)) << server->log();

  pin("b.example", "b", temp_.file("server-pins.sqlite").string());
  const auto ok = connect("b", "a.example", "hello\n", port_);
  EXPECT_EQ(ok.exit_code, 0) << ok.describe();
  EXPECT_EQ(ok.out, "hello\n");
  EXPECT_NE(ok.err.find("handshake ok: TLS1.3 "), std::string::npos) << ok.err;
  EXPECT_NE(ok.err.find(" cert=x509 peer=a.example pin sha256/"), std::string::npos) << ok.err;
  EXPECT_TRUE(server->wait_for_log(" cert=x509 peer=b.example b.example: pin sha256/", 5s))
      << server->log();

  // An impostor with another key for b.example stays out.
  const auto impostor = connect("impostor", "a.example", "hello\n", port_);
  EXPECT_EQ(impostor.exit_code, 1) << impostor.describe();
  stop(*server);
}

TEST_F(ServeConnectTest, OpensslAndGnutlsClientsTls12And13) {
  pin("b.example", "b", temp_.file("server-pins.sqlite").string());
  auto server = serve(serve_a());
  ASSERT_TRUE(server);
  const std::string target = "127.0.0.1:" + std::to_string(port_);
  // echoed_by: runs a real TLS client with its stdin held open, writes
  // `word` and waits (bounded) for the server's echo of it, then closes
  // stdin; no pause guesses when the echo will have arrived.
  const auto echoed_by = [&](const std::vector<std::string>& argv, const std::string& word,
                             const std::string& name) {
    auto client = ChildProcess::start(argv, temp_.file(name + ".log"));
    if (!client) {
      return std::string("cannot start ") + argv.front();
    }
    client->write_stdin(word + "\n");
    const bool echoed = client->wait_for_log(word, 30s);
    client->close_stdin();
    (void)client->wait(10s);
    return echoed ? std::string() : name + " got no echo: " + client->log();
  };
  for (const std::string version : {"-tls1_2", "-tls1_3"}) {
    EXPECT_EQ(echoed_by({"openssl", "s_client", "-connect", target, version, "-cert", file("b.pem"),
                         "-key", file("b.key")},
                        "ping", "s_client" + version),
              "");
  }
  EXPECT_TRUE(server->wait_for_log("handshake ok: TLS1.2 ", 5s)) << server->log();
  EXPECT_TRUE(server->wait_for_log("handshake ok: TLS1.3 ", 5s)) << server->log();

  EXPECT_EQ(
      echoed_by({"gnutls-cli", "127.0.0.1", "-p", std::to_string(port_), "--no-ca-verification",
                 "--x509certfile", file("b.pem"), "--x509keyfile", file("b.key")},
                "pong", "gnutls-cli"),
      "");

  // An unpinned client certificate: one failed line, nothing echoed.
  const auto unpinned = run_tool({"openssl", "s_client", "-connect", target, "-cert",
                                  file("impostor.pem"), "-key", file("impostor.key")},
                                 options("ping\n"));
  EXPECT_EQ(unpinned.out.find("ping"), std::string::npos) << unpinned.describe();
  EXPECT_TRUE(server->wait_for_log("is not authenticated for any domain", 5s)) << server->log();
  stop(*server);
}

TEST_F(ServeConnectTest, ConnectToOpensslAndGnutlsServers) {
  pin("a.example", "a", temp_.file("client-pins.sqlite").string());
  for (const std::string tool : {"openssl", "gnutls-serv"}) {
    const std::uint16_t port = free_port();
    std::vector<std::string> argv =
        tool == "openssl"
            ? std::vector<std::string>{"openssl", "s_server",    "-accept", std::to_string(port),
                                       "-cert",   file("a.pem"), "-key",    file("a.key"),
                                       "-rev"}
            : std::vector<std::string>{"gnutls-serv",    "-p",          std::to_string(port),
                                       "--x509certfile", file("a.pem"), "--x509keyfile",
                                       file("a.key"),    "--echo"};
    auto server = ChildProcess::start(argv, temp_.file(tool + ".log"));
    ASSERT_TRUE(server);
    ASSERT_TRUE(server->wait_for_log(
        tool == "openssl" ? std::string(kOpensslServerReady) : gnutls_serv_ready(port), 10s))
        << server->log();
    const auto ok = connect("b", "a.example", "abc\n", port);
    EXPECT_NE(ok.err.find("handshake ok: TLS1.3 "), std::string::npos) << tool << ok.describe();
    EXPECT_NE(ok.out.find(tool == "openssl" ? "cba" : "abc"), std::string::npos)
        << tool << ok.describe();
    // The same server for another domain: the pin is a.example's only.
    const auto wrong = connect("b", "c.example", "", port);
    EXPECT_EQ(wrong.exit_code, 1) << tool << wrong.describe();
    EXPECT_NE(wrong.err.find("handshake failed: x509 key for c.example matches no pin"),
              std::string::npos)
        << tool << wrong.err;
  }
}

// PlainEcho: a plain TCP echo server on a thread (the "local server" behind
// the --forward gateway).
class PlainEcho {
 public:
  PlainEcho() {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    ::listen(listener_, 8);
    socklen_t length = sizeof address;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] {
      const int client = ::accept(listener_, nullptr, nullptr);
      if (client < 0) {
        return;
      }
      char buffer[4096];
      ssize_t count = 0;
      while ((count = ::read(client, buffer, sizeof buffer)) > 0) {
        std::string upper(buffer, static_cast<std::size_t>(count));
        for (char& c : upper) {
          c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        }
        if (::write(client, upper.data(), upper.size()) < 0) {
          break;
        }
      }
      ::close(client);
    });
  }
  ~PlainEcho() {
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    thread_.join();
  }
  PlainEcho(const PlainEcho&) = delete;
  PlainEcho& operator=(const PlainEcho&) = delete;
  [[nodiscard]] std::uint16_t port() const { return port_; }

 private:
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

TEST_F(ServeConnectTest, ForwardGatewayFromConfigFile) {
  PlainEcho plain;
  pin("a.example", "a", temp_.file("client-pins.sqlite").string());
  pin("b.example", "b", temp_.file("server-pins.sqlite").string());
  const auto config = temp_.file("a.toml");
  std::ofstream(config) << "listen = \"127.0.0.1:1\"\n"
                        << "forward = \"127.0.0.1:" << plain.port() << "\"\n"
                        << "x509-cert = \"" << file("a.pem") << "\"\n"
                        << "x509-key = \"" << file("a.key") << "\"\n"
                        << "pins = \"" << temp_.file("server-pins.sqlite").string() << "\"\n"
                        << "client-auth = \"require\"\n";
  auto server = serve({"--config", config.string()});
  ASSERT_TRUE(server);
  const auto ok = connect("b", "a.example", "through the gateway\n", port_);
  EXPECT_EQ(ok.exit_code, 0) << ok.describe() << "\nserver: " << server->log();
  EXPECT_EQ(ok.out, "THROUGH THE GATEWAY\n");
  stop(*server);
}

TEST_F(ServeConnectTest, UsageErrors) {
  const auto env = options("", home_.path().string());
  auto result = run_tool({kProgram, "serve", "--listen", "127.0.0.1:1", "--x509-cert",
                          file("a.pem"), "--x509-key", file("a.key")},
                         env);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("give exactly one of --echo and --forward"), std::string::npos)
      << result.err;
  result = run_tool({kProgram, "serve", "--listen", "127.0.0.1:1", "--echo"}, env);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("a server needs a certificate"), std::string::npos) << result.err;
  result = run_tool({kProgram, "serve", "--listen", "localhost", "--echo"}, env);
  EXPECT_EQ(result.exit_code, 2) << result.describe();
  const auto config = temp_.file("bad.toml");
  std::ofstream(config) << "no-such-option = 1\n";
  result = run_tool(
      {kProgram, "connect", "127.0.0.1:1", "--peer", "a.example", "--config", config.string()},
      env);
  EXPECT_EQ(result.exit_code, 2) << result.describe();
  EXPECT_NE(result.err.find("'no-such-option' is not an option of pgptls connect"),
            std::string::npos)
      << result.err;
}

}  // namespace
}  // namespace pgptls::test
