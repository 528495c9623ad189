// Benchmarks of the `pgptls serve` program as an operator runs it, on
// loopback, against in-process clients (tests/cli/load_clients):
//   * BM_ServeHandshakes*: N clients in flight, each connect + handshake +
//     64-byte echo + close_notify; mutual X.509 TLS 1.3 (Ed25519
//     certificates made by certtool, the client pinned with `pgptls pin
//     add`), and mutual OpenPGP RFC 6091 TLS 1.2 (Ed25519 keys made by gpg,
//     certified by an authority the server trusts, tests/cli/load_openpgp.h).
//     Counters:
//     handshakes_per_second (wall clock, client and server share the
//     machine) and server_cpu_us_per_handshake (user + system time of the
//     serve process, from /proc/PID/stat).
//   * BM_ServeIdleConnectionMemory: growth of the serve process's VmRSS
//     (/proc/PID/status) over N established, idle connections, divided by
//     N (goal: < 64 KiB per connection); X.509 TLS 1.3 and OpenPGP.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <csignal>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "bench/transport/pin_verifier.h"
#include "tests/cli/load_clients.h"
#include "tests/cli/load_openpgp.h"
#include "tests/support/network.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tls/crypto/gnutls_keys.h"
#include "tls/gnutls/gnutls_engine.h"
#include "tls/gnutls/x509_credentials.h"
#include "tls/wire/errors.h"
#include "transport/client.h"
#include "transport/server.h"

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace pgptls;
using namespace std::chrono_literals;

const std::string kProgram = PGPTLS_PROGRAM;

void run_checked(const std::vector<std::string>& argv, const test::ToolOptions& options = {}) {
  const auto result = test::run_tool(argv, options);
  if (!result.ok()) {
    throw std::runtime_error(argv.at(0) + " failed: " + result.describe());
  }
}

// World: what every benchmark shares, made once per process: certtool
// identities for a.example (the server) and b.example (the client), and the
// server's pin store holding b.example's key.
struct World {
  test::TempDir dir;
  std::string server_cert;
  std::string server_key;
  std::string pins;
  std::string home;
  tls::X509Credential client;
  Bytes server_spki;
};

// make_certificate: an Ed25519 key and self-signed certificate for
// `domain`; returns {certificate, key} paths.
std::pair<std::string, std::string> make_certificate(const test::TempDir& dir,
                                                     const std::string& domain) {
  const auto key = dir.file(domain + ".key").string();
  const auto cert = dir.file(domain + ".crt").string();
  const auto config = dir.file(domain + ".cfg");
  std::ofstream(config) << "cn = \"" << domain << "\"\ndns_name = \"" << domain
                        << "\"\ntls_www_server\ntls_www_client\nsigning_key\n"
                        << "expiration_days = 30\n";
  run_checked(
      {"certtool", "--generate-privkey", "--no-text", "--key-type", "ed25519", "--outfile", key});
  run_checked({"certtool", "--generate-self-signed", "--no-text", "--load-privkey", key,
               "--template", config.string(), "--outfile", cert});
  return {cert, key};
}

World& world() {
  static const std::unique_ptr<World> instance = [] {
    auto made = std::make_unique<World>();
    std::tie(made->server_cert, made->server_key) = make_certificate(made->dir, "a.example");
    const auto [client_cert, client_key] = make_certificate(made->dir, "b.example");
    made->pins = made->dir.file("server-pins.sqlite").string();
    made->home = made->dir.file("home").string();
    test::ToolOptions options;
    options.env["PGPTLS_HOME"] = made->home;
    run_checked({kProgram, "pin", "add", "b.example", "--cert", client_cert, "--pins", made->pins},
                options);
    auto client = tls::load_x509_credential_files(client_cert, client_key);
    auto server = tls::load_x509_credential_files(made->server_cert, made->server_key);
    if (!client || !server) {
      throw std::runtime_error("cannot load the certtool credentials");
    }
    made->client = std::move(client).value();
    auto spki = tls::spki_of_x509(server->chain.at(0));
    if (!spki) {
      throw std::runtime_error(spki.error().message());
    }
    made->server_spki = *spki;
    return made;
  }();
  return *instance;
}

transport::EngineFactory client_factory() {
  auto verifier = std::make_shared<bench::PinVerifier>(world().server_spki, "a.example");
  return [verifier](const transport::EngineRequest& request) {
    tls::GnutlsEngineConfig config;
    config.role = tls::Role::client;
    config.credentials.x509 = world().client;
    config.verifier = verifier;
    config.min_version = tls::TlsVersion::tls13;
    config.expected_domain = request.options.peer_domain;
    config.server_name = request.options.peer_domain.value_or("");
    return tls::make_gnutls_engine(std::move(config));
  };
}

std::vector<std::string> x509_server_args() {
  return {"--x509-cert", world().server_cert, "--x509-key", world().server_key,
          "--pins",      world().pins};
}

// Serve: one `pgptls serve --echo` process for a.example; SIGTERM at the end.
class Serve {
 public:
  explicit Serve(const std::vector<std::string>& credentials) {
    port_ = test::free_port();
    std::vector<std::string> argv{kProgram,   "serve",
                                  "--listen", "127.0.0.1:" + std::to_string(port_),
                                  "--echo",   "--max-handshakes",
                                  "1024",     "--max-connections",
                                  "100000"};
    argv.insert(argv.end(), credentials.begin(), credentials.end());
    auto child = test::ChildProcess::start(argv, log_dir_.file("serve.log"),
                                           {{"PGPTLS_HOME", log_dir_.file("home").string()}});
    if (!child || !child->wait_for_log("listening on", 30s)) {
      error_ = "pgptls serve did not start: " + (child ? child->log() : "cannot run it");
      return;
    }
    child_.emplace(std::move(*child));
  }
  ~Serve() {
    if (child_) {
      child_->signal(SIGTERM);
      (void)child_->wait(10s);
    }
  }
  Serve(const Serve&) = delete;
  Serve& operator=(const Serve&) = delete;

  // error: why the program did not start (empty when it runs).
  [[nodiscard]] const std::string& error() const { return error_; }
  [[nodiscard]] tcp::endpoint endpoint() const {
    return {asio::ip::make_address_v4("127.0.0.1"), port_};
  }
  [[nodiscard]] pid_t pid() const { return child_->pid(); }
  // handshakes_logged: "handshake ok" lines the server printed so far.
  [[nodiscard]] std::size_t handshakes_logged() const {
    const std::string log = child_->log();
    std::size_t found = 0;
    for (auto at = log.find("handshake ok: "); at != std::string::npos;
         at = log.find("handshake ok: ", at + 1)) {
      ++found;
    }
    return found;
  }

 private:
  test::TempDir log_dir_;
  std::uint16_t port_ = 0;
  std::optional<test::ChildProcess> child_;
  std::string error_;
};

// rss_bytes: VmRSS of `pid` (/proc/PID/status reports kB).
std::size_t rss_bytes(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::stoul(line.substr(6)) * 1024;
    }
  }
  throw std::runtime_error("no VmRSS for process " + std::to_string(pid));
}

// cpu_seconds: user + system CPU time of `pid` (/proc/PID/stat fields 14
// and 15, in clock ticks; the command name in field 2 has no spaces here).
double cpu_seconds(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string field;
  unsigned long long utime = 0;
  unsigned long long stime = 0;
  for (int index = 1; stat >> field && index <= 15; ++index) {
    if (index == 14) {
      utime = std::stoull(field);
    } else if (index == 15) {
      stime = std::stoull(field);
    }
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// measure_handshakes: N clients from `factory` (N = state.range(0)) in
// flight against a serve process started with `server_args`.
void measure_handshakes(benchmark::State& state, const std::vector<std::string>& server_args,
                        const transport::EngineFactory& factory) {
  Serve serve(server_args);
  if (!serve.error().empty()) {
    state.SkipWithError(serve.error().c_str());
    return;
  }
  constexpr std::size_t kPerIteration = 300;
  std::size_t succeeded = 0;
  std::size_t failed = 0;
  const double cpu_before = cpu_seconds(serve.pid());
  for (auto _ : state) {
    asio::io_context io;
    test::EchoLoadOptions options;
    options.total = kPerIteration;
    options.concurrency = static_cast<std::size_t>(state.range(0));
    test::EchoLoad load(io, serve.endpoint(), factory, options);
    load.start();
    const auto limit = std::chrono::steady_clock::now() + 120s;
    while (!load.done() && std::chrono::steady_clock::now() < limit) {
      io.run_one_for(100ms);
    }
    succeeded += load.result().succeeded;
    failed += load.result().failed;
    if (!load.done() || load.result().failed > 0) {
      state.SkipWithError(load.result().failures.empty() ? "clients did not finish"
                                                         : load.result().failures.front().c_str());
      return;
    }
  }
  const double cpu = cpu_seconds(serve.pid()) - cpu_before;
  state.SetItemsProcessed(static_cast<std::int64_t>(succeeded));
  state.counters["handshakes_per_second"] =
      benchmark::Counter(static_cast<double>(succeeded), benchmark::Counter::kIsRate);
  state.counters["server_cpu_us_per_handshake"] =
      succeeded > 0 ? cpu * 1e6 / static_cast<double>(succeeded) : 0.0;
  state.counters["failed"] = static_cast<double>(failed);
}

void BM_ServeHandshakesX509Tls13(benchmark::State& state) {
  measure_handshakes(state, x509_server_args(), client_factory());
}
BENCHMARK(BM_ServeHandshakesX509Tls13)
    ->ArgName("clients")
    ->Arg(1)
    ->Arg(8)
    ->Arg(50)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_ServeHandshakesOpenPgpEd25519(benchmark::State& state) {
  measure_handshakes(state, test::openpgp_serve_args(), test::openpgp_client_factory());
}
BENCHMARK(BM_ServeHandshakesOpenPgpEd25519)
    ->ArgName("clients")
    ->Arg(1)
    ->Arg(8)
    ->Arg(50)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_ServeIdleConnectionMemory(benchmark::State& state) {
  const auto count = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    const bool openpgp = state.range(1) != 0;
    Serve serve(openpgp ? test::openpgp_serve_args() : x509_server_args());
    const transport::EngineFactory factory =
        openpgp ? test::openpgp_client_factory() : client_factory();
    if (!serve.error().empty()) {
      state.SkipWithError(serve.error().c_str());
      return;
    }
    asio::io_context io;
    std::vector<std::shared_ptr<transport::TcpStream>> clients;
    std::size_t established = 0;
    std::size_t failed = 0;
    // connect: n more clients that handshake and then stay idle; returns
    // once the server has logged every handshake.
    const auto connect = [&](std::size_t n) {
      for (std::size_t i = 0; i < n; ++i) {
        auto stream = std::make_shared<transport::TcpStream>(factory, io.get_executor());
        transport::async_connect(
            *stream, std::vector<tcp::endpoint>{serve.endpoint()},
            transport::HandshakeOptions::for_peer("a.example"), 30s,
            [&](boost::system::error_code error) { ++(error ? failed : established); });
        clients.push_back(std::move(stream));
      }
      const auto limit = std::chrono::steady_clock::now() + 60s;
      while (
          (established + failed < clients.size() || serve.handshakes_logged() < clients.size()) &&
          std::chrono::steady_clock::now() < limit) {
        io.restart();  // idle clients leave the io_context without work
        io.run_for(20ms);
      }
      // Let the server settle (echo sessions start their reads).
      std::this_thread::sleep_for(300ms);
    };
    // Warm up the one-time allocations (GnuTLS, Asio, the pin store).
    connect(10);
    const std::size_t before = rss_bytes(serve.pid());
    connect(count);
    const std::size_t after = rss_bytes(serve.pid());
    if (failed > 0 || serve.handshakes_logged() != count + 10) {
      const std::string message =
          "not every connection was established: " + std::to_string(established) +
          " established, " + std::to_string(failed) + " failed, " +
          std::to_string(serve.handshakes_logged()) + " logged";
      state.SkipWithError(message.c_str());
      return;
    }
    const double per_connection =
        (static_cast<double>(after) - static_cast<double>(before)) / static_cast<double>(count);
    state.counters["rss_bytes_per_idle_connection"] = per_connection;
    state.counters["rss_kib_per_idle_connection"] = per_connection / 1024.0;
    state.counters["rss_mib_total"] = static_cast<double>(after) / (1024.0 * 1024.0);
    clients.clear();
  }
}
BENCHMARK(BM_ServeIdleConnectionMemory)
    ->ArgNames({"connections", "openpgp"})
    ->Args({1000, 0})
    ->Args({1000, 1})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace
