// gnutls_engine_bench.cpp: mutual handshakes per second of the GnuTLS engine
// (TLS 1.3 and 1.2, Ed25519 X.509 and raw public keys), both ends in one
// thread over memory, and ClientHello dispatch decisions per second on a
// real GnuTLS 3.7 hello. Keys and certificates are made by certtool at
// start-up.
#include <benchmark/benchmark.h>

#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>

#include "base/clock.h"
#include "tests/support/engine_pump.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tls/crypto/gnutls_keys.h"
#include "tls/gnutls/gnutls_engine.h"
#include "tls/gnutls/x509_credentials.h"
#include "tls/wire/client_hello_peek.h"
#include "tls/wire/errors.h"

namespace {

using namespace pgptls;

struct BenchIdentity {
  tls::X509Credential x509;
  tls::RawPublicKeyCredential raw;
};

BenchIdentity make(const test::TempDir& dir, const std::string& name) {
  std::ofstream(dir.file(name + ".cfg")) << "cn = \"" << name << "\"\ndns_name = \"" << name
                                         << "\"\nexpiration_days = 2\nsigning_key\n";
  const auto key = dir.file(name + ".key").string();
  const auto crt = dir.file(name + ".crt").string();
  if (!test::run_tool({"certtool", "--generate-privkey", "--key-type", "ed25519", "--outfile", key})
           .ok() ||
      !test::run_tool({"certtool", "--generate-self-signed", "--load-privkey", key, "--template",
                       dir.file(name + ".cfg").string(), "--outfile", crt})
           .ok()) {
    throw std::runtime_error("certtool failed");
  }
  return {tls::load_x509_credential_files(crt, key).value(),
          tls::load_raw_public_key_credential_file(key).value()};
}

// AcceptKey: accepts one key; the benchmark measures the engine, not trust.
class AcceptKey final : public tls::PeerVerifier {
 public:
  explicit AcceptKey(Bytes spki) : spki_(std::move(spki)) {}
  Result<tls::VerifiedPeer> verify(const tls::PresentedCertificate& certificate,
                                   const tls::VerifyRequest& /*request*/) override {
    tls::VerifiedPeer peer;
    peer.type = certificate.type;
    peer.domains = {"peer.example"};
    PGPTLS_TRY(peer.signing_key, tls::public_key_from_spki(spki_));
    return peer;
  }

 private:
  Bytes spki_;
};

struct Fixture {
  test::TempDir dir;
  BenchIdentity client = make(dir, "client.example");
  BenchIdentity server = make(dir, "server.example");
};

Fixture& fixture() {
  static Fixture instance;
  return instance;
}

void mutual(benchmark::State& state, tls::TlsVersion version, tls::CertificateType type) {
  auto& f = fixture();
  auto client_verifier = std::make_shared<AcceptKey>(f.server.raw.subject_public_key_info);
  auto server_verifier = std::make_shared<AcceptKey>(f.client.raw.subject_public_key_info);
  for (auto _ : state) {
    tls::GnutlsEngineConfig client;
    client.role = tls::Role::client;
    client.max_version = version;
    client.certificate_types = {type};
    client.credentials.x509 = f.client.x509;
    client.credentials.raw_public_key = f.client.raw;
    client.verifier = client_verifier;
    tls::GnutlsEngineConfig server = client;
    server.role = tls::Role::server;
    server.credentials.x509 = f.server.x509;
    server.credentials.raw_public_key = f.server.raw;
    server.client_auth = tls::ClientAuth::require;
    server.verifier = server_verifier;
    auto c = tls::make_gnutls_engine(std::move(client));
    auto s = tls::make_gnutls_engine(std::move(server));
    if (!test::pump_engines_in_memory(**c, **s).both_established()) {
      state.SkipWithError("handshake failed");
      break;
    }
  }
  state.counters["handshakes/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_GnutlsEngineMutualEd25519Tls13(benchmark::State& state) {
  mutual(state, tls::TlsVersion::tls13, tls::CertificateType::x509);
}
void BM_GnutlsEngineMutualEd25519Tls12(benchmark::State& state) {
  mutual(state, tls::TlsVersion::tls12, tls::CertificateType::x509);
}
void BM_GnutlsEngineMutualRawKeyTls13(benchmark::State& state) {
  mutual(state, tls::TlsVersion::tls13, tls::CertificateType::raw_public_key);
}

void BM_ClientHelloPeek(benchmark::State& state) {
  auto& f = fixture();
  tls::GnutlsEngineConfig config;
  config.role = tls::Role::client;
  config.verifier = std::make_shared<AcceptKey>(f.server.raw.subject_public_key_info);
  auto client = tls::make_gnutls_engine(std::move(config));
  (void)(*client)->start();
  const Bytes hello = to_bytes((*client)->pending_output());
  const base::SystemClock clock;
  for (auto _ : state) {
    tls::ClientHelloPeek peek(clock, true);
    auto decision = peek.feed(hello);
    benchmark::DoNotOptimize(decision);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * hello.size()));
}

BENCHMARK(BM_GnutlsEngineMutualEd25519Tls13)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_GnutlsEngineMutualEd25519Tls12)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_GnutlsEngineMutualRawKeyTls13)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ClientHelloPeek);

}  // namespace
