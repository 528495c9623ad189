// Transport benchmarks over loopback, GnuTLS engine, X.509 Ed25519
// certificates made by certtool, mutual authentication:
//   * BM_LoopbackHandshakes: full TCP connect + TLS 1.3 handshake + close
//     through transport::Server and transport::async_connect, with N clients
//     in flight; both sides run on one thread, so items/s is the handshake
//     rate one core sustains for server and client work together.
//   * BM_IdleConnectionMemory: heap growth (glibc mallinfo2) per established,
//     idle connection: for a pair (a server Connection and a client
//     TcpStream in the same process), and for the server side alone (after
//     the clients are dropped).
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/transport/pin_verifier.h"
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

// Pki: two certtool-made identities, made once per process.
struct Pki {
  test::TempDir dir;
  tls::X509Credential server;
  tls::X509Credential client;
  Bytes server_spki;
  Bytes client_spki;
};

tls::X509Credential make_identity(const test::TempDir& dir, const std::string& domain,
                                  Bytes& spki) {
  const auto key = dir.file(domain + ".key");
  const auto cert = dir.file(domain + ".crt");
  const auto config = dir.file(domain + ".cfg");
  std::ofstream(config)
      << "cn = \"" << domain << "\"\ndns_name = \"" << domain
      << "\"\ntls_www_server\ntls_www_client\nsigning_key\nexpiration_days = 30\n";
  const auto made_key = test::run_tool({"certtool", "--generate-privkey", "--no-text", "--key-type",
                                        "ed25519", "--outfile", key.string()});
  const auto made_cert =
      test::run_tool({"certtool", "--generate-self-signed", "--no-text", "--load-privkey",
                      key.string(), "--template", config.string(), "--outfile", cert.string()});
  if (!made_key.ok() || !made_cert.ok()) {
    throw std::runtime_error("certtool failed: " + made_key.describe() + made_cert.describe());
  }
  auto credential = tls::load_x509_credential_files(cert, key);
  if (!credential) {
    throw std::runtime_error(credential.error().message());
  }
  auto der = tls::spki_of_x509(credential->chain.at(0));
  if (!der) {
    throw std::runtime_error(der.error().message());
  }
  spki = *der;
  return std::move(credential).value();
}

Pki& pki() {
  // Destroyed at exit, which removes the temporary directory.
  static const std::unique_ptr<Pki> instance = [] {
    auto made = std::make_unique<Pki>();
    made->server = make_identity(made->dir, "a.example", made->server_spki);
    made->client = make_identity(made->dir, "b.example", made->client_spki);
    return made;
  }();
  return *instance;
}

transport::EngineFactory factory(tls::Role role) {
  auto verifier = role == tls::Role::server
                      ? std::make_shared<bench::PinVerifier>(pki().client_spki, "b.example")
                      : std::make_shared<bench::PinVerifier>(pki().server_spki, "a.example");
  return [role, verifier](const transport::EngineRequest& request) {
    tls::GnutlsEngineConfig config;
    config.role = role;
    config.credentials.x509 = role == tls::Role::server ? pki().server : pki().client;
    config.verifier = verifier;
    config.client_auth = tls::ClientAuth::require;
    config.expected_domain = request.options.peer_domain;
    config.server_name = request.options.peer_domain.value_or("");
    return tls::make_gnutls_engine(std::move(config));
  };
}

// Loop: keeps `in_flight` clients connecting until `total` have finished.
struct Loop {
  asio::io_context& io;
  tcp::endpoint endpoint;
  transport::EngineFactory client_factory;
  std::int64_t remaining;
  std::int64_t failed = 0;

  void start_one() {
    if (remaining <= 0) {
      return;
    }
    --remaining;
    auto stream = std::make_shared<transport::TcpStream>(client_factory, io.get_executor());
    transport::async_connect(
        *stream, std::vector<tcp::endpoint>{endpoint},
        transport::HandshakeOptions::for_peer("a.example"), std::chrono::seconds(10),
        [this, stream](boost::system::error_code error) {
          if (error) {
            ++failed;
            start_one();
            return;
          }
          stream->async_shutdown([this, stream](boost::system::error_code) { start_one(); });
        });
  }
};

void BM_LoopbackHandshakes(benchmark::State& state) {
  const auto in_flight = state.range(0);
  asio::io_context io;
  transport::ServerLimits limits;
  limits.max_handshakes = 1024;
  // The server side reads until the client's close_notify, then closes.
  transport::Server server(
      io.get_executor(), tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), 0),
      factory(tls::Role::server), {}, limits,
      [](std::shared_ptr<transport::Connection> connection) {
        auto buffer = std::make_shared<std::array<std::uint8_t, 64>>();
        connection->stream().async_read_some(
            asio::buffer(*buffer), [connection, buffer](boost::system::error_code, std::size_t) {});
      });
  if (!server.start()) {
    state.SkipWithError("cannot start the server");
    return;
  }
  std::int64_t total = 0;
  std::int64_t failed = 0;
  for (auto _ : state) {
    Loop loop{io, server.local_endpoint(), factory(tls::Role::client), 200};
    for (std::int64_t i = 0; i < in_flight; ++i) {
      loop.start_one();
    }
    io.restart();
    while (loop.remaining > 0 || server.stats().connections > 0 || io.poll() > 0) {
      io.run_one_for(std::chrono::milliseconds(100));
    }
    total += 200;
    failed += loop.failed;
  }
  server.stop();
  io.restart();
  io.run_for(std::chrono::milliseconds(200));
  state.SetItemsProcessed(total);
  state.counters["failed"] = static_cast<double>(failed);
}
BENCHMARK(BM_LoopbackHandshakes)->Arg(1)->Arg(16)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_IdleConnectionMemory(benchmark::State& state) {
  const auto count = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    asio::io_context io;
    std::vector<std::shared_ptr<transport::Connection>> server_side;
    transport::Server server(
        io.get_executor(), tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), 0),
        factory(tls::Role::server), {}, {}, [&](std::shared_ptr<transport::Connection> connection) {
          server_side.push_back(std::move(connection));
        });
    if (!server.start()) {
      state.SkipWithError("cannot start the server");
      return;
    }
    // Warm up GnuTLS's and Asio's one-time allocations with one connection.
    std::vector<std::shared_ptr<transport::TcpStream>> clients;
    const auto connect = [&](std::size_t n) {
      for (std::size_t i = 0; i < n; ++i) {
        auto stream =
            std::make_shared<transport::TcpStream>(factory(tls::Role::client), io.get_executor());
        transport::async_connect(*stream, std::vector<tcp::endpoint>{server.local_endpoint()},
                                 transport::HandshakeOptions::for_peer("a.example"),
                                 std::chrono::seconds(10), [](boost::system::error_code) {});
        clients.push_back(std::move(stream));
      }
      const std::size_t want = clients.size();
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
      while (server_side.size() < want && std::chrono::steady_clock::now() < deadline) {
        io.run_one_for(std::chrono::milliseconds(100));
      }
      io.poll();
    };
    connect(1);
    const auto before = mallinfo2().uordblks;
    connect(count);
    const auto after = mallinfo2().uordblks;
    if (server_side.size() != count + 1) {
      state.SkipWithError("not every connection was established");
      return;
    }
    state.counters["bytes_per_connection_pair"] =
        static_cast<double>(after - before) / static_cast<double>(count);
    // Dropping the clients (without reading, the server side keeps its
    // Connections) leaves the server's share.
    clients.erase(clients.begin() + 1, clients.end());
    io.poll();
    const auto server_only = mallinfo2().uordblks;
    state.counters["bytes_per_server_connection"] =
        static_cast<double>(server_only - before) / static_cast<double>(count);
    server_side.clear();
    clients.clear();
    server.stop();
    io.run_for(std::chrono::milliseconds(100));
  }
}
BENCHMARK(BM_IdleConnectionMemory)->Arg(200)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
