// engine_traffic_bench.cpp: application data through a whole engine, both
// ends in one thread over memory: write_app on one side, its records moved
// to the other (pending_output, consume_output, feed) and read back with
// read_app in 16 KiB reads. This is the path of every byte a connection
// carries: the engines' input, output and application buffers as well as
// the record protection. The RFC 6091 engine (TLS 1.2) side by side with
// the GnuTLS engine (TLS 1.2 and 1.3), all X.509 Ed25519 with
// AES-128-GCM or the suite each picks first. Credentials come from certtool.
#include <benchmark/benchmark.h>

#include <array>
#include <memory>

#include "base/clock.h"
#include "base/rng.h"
#include "tests/support/engine_pump.h"
#include "tests/support/temp_dir.h"
#include "tests/tls/engine_support.h"
#include "tls/gnutls/gnutls_engine.h"
#include "tls/rfc6091/rfc6091_engine.h"

namespace {

using namespace pgptls;
using tls::test::KeyKind;
using tls::test::X509Identity;

struct Identities {
  test::TempDir dir;
  X509Identity client = tls::test::make_x509_identity(dir, KeyKind::ed25519, "client.example");
  X509Identity server = tls::test::make_x509_identity(dir, KeyKind::ed25519, "server.example");
};

Identities& identities() {
  static Identities instance;
  return instance;
}

// Pair: two established engines.
struct Pair {
  std::unique_ptr<tls::Engine> client;
  std::unique_ptr<tls::Engine> server;
};

std::shared_ptr<tls::test::SpkiVerifier> trusting(const X509Identity& peer) {
  auto verifier = std::make_shared<tls::test::SpkiVerifier>();
  verifier->trust(peer.spki_sha256, peer.domain);
  return verifier;
}

// mutual_pair: a client with `client`'s settings and a server with the same
// but its role, credential and verifier, asking for the client's
// certificate; both made by `make`.
template <class Config, class Make>
Result<Pair> mutual_pair(Config client, Make make) {
  const Identities& ids = identities();
  client.role = tls::Role::client;
  client.server_name = ids.server.domain;
  client.credentials.x509 = ids.client.credential();
  client.verifier = trusting(ids.server);
  Config server = client;
  server.role = tls::Role::server;
  server.server_name = {};
  server.client_auth = tls::ClientAuth::require;
  server.credentials.x509 = ids.server.credential();
  server.verifier = trusting(ids.client);
  PGPTLS_TRY(auto c, make(std::move(client)));
  PGPTLS_TRY(auto s, make(std::move(server)));
  return Pair{std::move(c), std::move(s)};
}

Result<Pair> rfc6091_pair() {
  tls::Rfc6091Config client;
  client.policy.certificate_types = {tls::CertificateType::x509};
  client.policy.groups = {tls::NamedGroup::x25519};
  client.rng = std::make_shared<base::SystemRng>();
  client.clock = std::make_shared<base::SystemClock>();
  return mutual_pair(std::move(client), tls::make_rfc6091_engine);
}

Result<Pair> gnutls_pair(tls::TlsVersion version) {
  tls::GnutlsEngineConfig client;
  client.max_version = version;
  return mutual_pair(std::move(client), tls::make_gnutls_engine);
}

// traffic: per iteration, the client writes state.range(0) bytes and the
// server reads them all back.
void traffic(benchmark::State& state, Result<Pair> made) {
  if (!made.ok() ||
      !test::pump_engines_in_memory(*made->client, *made->server).both_established()) {
    state.SkipWithError("handshake failed");
    return;
  }
  tls::Engine& client = *made->client;
  tls::Engine& server = *made->server;
  const Bytes data(static_cast<std::size_t>(state.range(0)), 0x5a);
  std::array<std::uint8_t, 16384> buffer{};
  for (auto _ : state) {
    if (!client.write_app(data).ok()) {
      state.SkipWithError("write_app failed");
      return;
    }
    test::transfer(client, server);
    std::size_t received = 0;
    while (received < data.size()) {
      auto read = server.read_app(buffer);
      if (!read.ok() || *read == 0) {
        state.SkipWithError("read_app failed");
        return;
      }
      received += *read;
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}

void rfc6091_traffic(benchmark::State& state) {
  traffic(state, rfc6091_pair());
}
void gnutls_engine_traffic_tls12(benchmark::State& state) {
  traffic(state, gnutls_pair(tls::TlsVersion::tls12));
}
void gnutls_engine_traffic_tls13(benchmark::State& state) {
  traffic(state, gnutls_pair(tls::TlsVersion::tls13));
}

}  // namespace

// 1 KiB (one small record) and 64 KiB (four full records) per write.
BENCHMARK(rfc6091_traffic)->Arg(1024)->Arg(65536);
BENCHMARK(gnutls_engine_traffic_tls12)->Arg(1024)->Arg(65536);
BENCHMARK(gnutls_engine_traffic_tls13)->Arg(1024)->Arg(65536);
