// Load test of `pgptls serve`: ONE real serve process
// (--echo) takes 1 000 handshakes from 50 concurrent in-process clients,
// each echo checked, while 200 silent TCP connections that never send a
// byte are cut at the server's handshake deadline and the real clients
// still get through. SIGTERM then drains and the program exits 0; in the
// sanitizer build the serve binary is instrumented, so exit 0 also means
// that LeakSanitizer found no leak. Twice: mutual X.509 TLS 1.3 (client
// certificates pinned with `pgptls pin add`), and mutual OpenPGP Ed25519
// over RFC 6091 (clients certified by an authority the server trusts).
#include <gtest/gtest.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/cli/load_clients.h"
#include "tests/cli/load_openpgp.h"
#include "tests/support/network.h"
#include "tests/support/process.h"
#include "tests/support/ready_lines.h"
#include "tests/support/temp_dir.h"
#include "tests/tls/gnutls_test_pki.h"
#include "transport/client.h"
#include "transport/server.h"

namespace pgptls::test {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

const std::string kProgram = PGPTLS_PROGRAM;

constexpr std::size_t kHandshakes = 1000;
constexpr std::size_t kConcurrentClients = 50;
constexpr std::size_t kSilent = 200;
constexpr std::size_t kHeld = 10;  // still connected at SIGTERM
// Short, yet well above the time one real handshake takes with 50 in
// flight on a loaded 2-core machine under ASan (about 1 s measured), since
// the deadline applies to the real clients too.
constexpr auto kHandshakeTimeout = 4000ms;

// count: occurrences of `needle` in `text`.
std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t found = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++found;
  }
  return found;
}

// SilentPeers: TCP connections that never send a byte; each records when
// the server cut it and whether it was sent anything.
struct SilentPeers {
  struct Peer {
    explicit Peer(asio::io_context& io) : socket(io) {}
    tcp::socket socket;
    std::array<std::uint8_t, 1> sink{};
    Clock::time_point connected;
    Clock::time_point cut;
    bool ended = false;
    bool got_data = false;
    error_code error;
  };
  std::vector<std::unique_ptr<Peer>> peers;
  std::size_t ended = 0;

  void open(asio::io_context& io, const tcp::endpoint& server, std::size_t how_many) {
    for (std::size_t i = 0; i < how_many; ++i) {
      auto peer = std::make_unique<Peer>(io);
      error_code error;
      peer->socket.connect(server, error);
      ASSERT_FALSE(error) << "silent connection " << i << ": " << error.message();
      peer->connected = Clock::now();
      Peer* raw = peer.get();
      raw->socket.async_read_some(asio::buffer(raw->sink),
                                  [this, raw](error_code read_error, std::size_t got) {
                                    raw->got_data = got > 0;
                                    raw->error = read_error;
                                    raw->cut = Clock::now();
                                    raw->ended = true;
                                    ++ended;
                                  });
      peers.push_back(std::move(peer));
    }
  }
};

// LoadExpectation: what every one of the 1 000 handshakes must show.
struct LoadExpectation {
  std::string protocol;          // "TLS1.3"
  std::string certificate_type;  // "x509"
  // What the server's line for each accepted client holds after the
  // cipher suite: " cert=x509 peer=b.example b.example: pin sha256/".
  std::string server_accepted;
};

// LoadTest: runs the serve program and the load against it; the suites
// below supply credentials, trust and the client engines.
class LoadTest : public ::testing::Test {
 protected:
  // serve: starts the serve program on a free port and waits until it
  // listens.
  std::optional<ChildProcess> serve(const std::vector<std::string>& extra,
                                    const std::filesystem::path& home) {
    port_ = free_port();
    std::vector<std::string> argv{kProgram, "serve", "--listen",
                                  "127.0.0.1:" + std::to_string(port_), "--echo"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto child =
        ChildProcess::start(argv, temp_.file("serve.log"), {{"PGPTLS_HOME", home.string()}});
    if (child && !child->wait_for_log(kServeReady, 30s)) {
      ADD_FAILURE() << "serve did not start: " << child->log();
    }
    return child;
  }

  // run_load: one serve process with `server_args` (credentials and
  // trust), 200 silent peers and 1 000 echo clients from `factory` at once,
  // then SIGTERM with a few idle connections left to drain.
  void run_load(const std::vector<std::string>& server_args, const std::filesystem::path& home,
                transport::EngineFactory factory, const LoadExpectation& expect) {
    std::vector<std::string> args = server_args;
    args.insert(args.end(), {"--handshake-timeout", std::to_string(kHandshakeTimeout.count()),
                             // Room for the silent peers and the real clients
                             // at once; the limit itself is tested in
                             // tests/transport/server_test.cpp.
                             "--max-handshakes", "512",
                             // Connections still open at SIGTERM are closed
                             // after this.
                             "--drain-timeout", "1000"});
    auto server = serve(args, home);
    ASSERT_TRUE(server);
    const tcp::endpoint endpoint(asio::ip::make_address_v4("127.0.0.1"), port_);

    asio::io_context io;
    SilentPeers silent;
    silent.open(io, endpoint, kSilent);
    ASSERT_FALSE(HasFatalFailure());

    EchoLoadOptions options;
    options.total = kHandshakes;
    options.concurrency = kConcurrentClients;
    EchoLoad load(io, endpoint, factory, options);
    load.start();

    // Bounded: the run ends when every client and silent peer is done, or
    // fails at the limit.
    const auto limit = Clock::now() + 240s;
    while ((!load.done() || silent.ended < kSilent) && Clock::now() < limit) {
      io.run_one_for(100ms);
    }
    const auto& result = load.result();
    std::cout << result.succeeded << " echoes in "
              << std::chrono::duration_cast<std::chrono::milliseconds>(result.finished -
                                                                       result.started)
                     .count()
              << " ms; " << silent.ended << " silent peers cut\n";
    ASSERT_TRUE(load.done()) << result.succeeded << " clients succeeded, " << result.failed
                             << " failed before the time limit";

    EXPECT_EQ(result.succeeded, kHandshakes) << result.failed << " failed";
    for (const auto& failure : result.failures) {
      ADD_FAILURE() << failure;
    }
    // Every session negotiated the expected protocol and certificate type.
    EXPECT_EQ(result.protocols,
              (std::map<std::string, std::size_t>{{expect.protocol, kHandshakes}}));
    EXPECT_EQ(result.certificate_types,
              (std::map<std::string, std::size_t>{{expect.certificate_type, kHandshakes}}));

    // The silent peers were cut by the deadline, never before it, and were
    // never sent a byte. (How late after it depends on the machine's load,
    // so no upper bound is asserted: the cut itself is the outcome.)
    ASSERT_EQ(silent.ended, kSilent) << "silent connections still open after the time limit";
    for (const auto& peer : silent.peers) {
      EXPECT_FALSE(peer->got_data) << "a silent peer was sent data";
      EXPECT_TRUE(peer->error == asio::error::eof || peer->error == asio::error::connection_reset)
          << peer->error.message();
      EXPECT_GE(peer->cut - peer->connected, kHandshakeTimeout - 100ms);
    }

    // One line per handshake on the server's stderr.
    const std::string ok_line = "handshake ok: " + expect.protocol + " ";
    EXPECT_TRUE(server->wait_for_count(ok_line, kHandshakes, 10s))
        << count(server->log(), ok_line) << " lines '" << ok_line << "'";
    EXPECT_EQ(count(server->log(), expect.server_accepted), kHandshakes)
        << "lines with '" << expect.server_accepted
        << "'; the log starts: " << server->log().substr(0, 2000);
    EXPECT_TRUE(server->wait_for_count(
        "handshake failed: no complete handshake from 127.0.0.1:", kSilent, 10s))
        << count(server->log(), "handshake failed: ") << " failed lines";
    EXPECT_EQ(count(server->log(), "handshake failed: "), kSilent);

    // A few clients stay connected, idle, so SIGTERM has connections to
    // drain: the server closes them at --drain-timeout and exits 0 (under
    // ASan: without a leak).
    std::vector<std::unique_ptr<transport::TcpStream>> held;
    std::vector<std::array<std::uint8_t, 16>> sinks(kHeld);
    std::size_t held_up = 0;
    std::size_t held_ended = 0;
    for (std::size_t i = 0; i < kHeld; ++i) {
      held.push_back(std::make_unique<transport::TcpStream>(factory, io.get_executor()));
      transport::TcpStream& stream = *held.back();
      transport::async_connect(
          stream, std::vector<tcp::endpoint>{endpoint},
          transport::HandshakeOptions::for_peer("a.example"), 30s, [&, i](error_code error) {
            ASSERT_FALSE(error) << error.message();
            ++held_up;
            // Completes when the server closes the connection.
            stream.async_read_some(asio::buffer(sinks[i]),
                                   [&](error_code, std::size_t) { ++held_ended; });
          });
    }
    io.restart();  // the load left the io_context out of work, hence stopped
    const auto held_limit = Clock::now() + 60s;
    while (held_up < kHeld && Clock::now() < held_limit) {
      io.run_one_for(100ms);
    }
    ASSERT_EQ(held_up, kHeld);
    EXPECT_TRUE(server->wait_for_count(ok_line, kHandshakes + kHeld, 10s));

    server->signal(SIGTERM);
    EXPECT_TRUE(
        server->wait_for_log("stopping: draining " + std::to_string(kHeld) + " connection(s)", 10s))
        << server->log().substr(server->log().size() > 2000 ? server->log().size() - 2000 : 0);
    io.restart();
    const auto drain_limit = Clock::now() + 30s;
    while (held_ended < kHeld && Clock::now() < drain_limit) {
      io.run_one_for(100ms);
    }
    EXPECT_EQ(held_ended, kHeld)
        << "the server did not close its connections at the drain deadline";
    const auto exit_code = server->wait(30s);
    const std::string log = server->log();
    EXPECT_EQ(exit_code, std::optional<int>(0))
        << log.substr(log.size() > 4000 ? log.size() - 4000 : 0);
  }

  TempDir temp_;
  std::uint16_t port_ = 0;
};

// X509LoadTest: certtool-made Ed25519 certificates; the server pins the
// client's key (`pgptls pin add`), the client pins the server's.
class X509LoadTest : public LoadTest {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    // Ed25519: the algorithm does not matter to a load test and is fast.
    server_ = make_identity(dir_->path(), "a.example", KeyKind::ed25519);
    ASSERT_FALSE(::testing::Test::HasFatalFailure());
    client_ = make_identity(dir_->path(), "b.example", KeyKind::ed25519);
    ASSERT_FALSE(::testing::Test::HasFatalFailure());
    ToolOptions options;
    options.env["PGPTLS_HOME"] = home().string();
    const auto pinned = run_tool({kProgram, "pin", "add", "b.example", "--cert",
                                  client_.cert_file.string(), "--pins", pins_file()},
                                 options);
    ASSERT_TRUE(pinned.ok()) << pinned.describe();
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  static std::filesystem::path home() { return dir_->file("home"); }
  static std::string pins_file() { return dir_->file("server-pins.sqlite").string(); }

  // client_factory: GnuTLS engines for b.example that pin a.example's key.
  static transport::EngineFactory client_factory() {
    auto verifier = std::make_shared<SpkiVerifier>();
    verifier->accepted = {server_.spki};
    return [verifier](
               const transport::EngineRequest& request) -> Result<std::unique_ptr<tls::Engine>> {
      auto config = engine_config(tls::Role::client, &client_, verifier);
      config.expected_domain = request.options.peer_domain;
      config.server_name = request.options.peer_domain.value_or("");
      return tls::make_gnutls_engine(std::move(config));
    };
  }

  static inline TempDir* dir_ = nullptr;
  static inline Identity server_;
  static inline Identity client_;
};

TEST_F(X509LoadTest, ThousandMutualTls13HandshakesWhileSilentPeersAreCutAtTheDeadline) {
  run_load({"--x509-cert", server_.cert_file.string(), "--x509-key", server_.key_file.string(),
            "--pins", pins_file()},
           home(), client_factory(),
           {"TLS1.3", "x509", " cert=x509 peer=b.example b.example: pin sha256/"});
}

// OpenPgpLoadTest: RFC 6091 (TLS 1.2) with Ed25519 OpenPGP keys made by
// gpg as an operator makes them (tests/cli/openpgp_world.h): the server
// trusts the authority that certified xmpp:b.example (`--authority`); the
// in-process clients run pgptls's RFC 6091 engine.
class OpenPgpLoadTest : public LoadTest {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    try {
      factory_ = new transport::EngineFactory(openpgp_client_factory());
    } catch (const std::exception& failure) {
      FAIL() << failure.what();
    }
  }
  static void TearDownTestSuite() {
    delete factory_;
    factory_ = nullptr;
    delete dir_;
    dir_ = nullptr;
  }

  static inline TempDir* dir_ = nullptr;
  static inline transport::EngineFactory* factory_ = nullptr;
};

TEST_F(OpenPgpLoadTest, ThousandMutualEd25519HandshakesWhileSilentPeersAreCutAtTheDeadline) {
  ASSERT_NE(factory_, nullptr);
  run_load(openpgp_serve_args(), dir_->file("home"), *factory_,
           {"TLS1.2", "openpgp",
            " cert=openpgp peer=b.example authority " + openpgp_authority_fingerprint() +
                " certified 'xmpp:b.example'"});
}

}  // namespace
}  // namespace pgptls::test
