// trust_bench.cpp: what the OpenPGP trust decision costs a server per
// handshake: KeyringOpenPgpTrust::verify for an Ed25519 peer with
// an Ed25519 authentication subkey certified by an Ed25519 authority (keys
// made by gpg). Cold: a first contact (parse, validate, check the
// certification, select the key: 4 signature verifications). Warm: the same
// peer returning (the cached verdict, the signing key imported again).
#include <benchmark/benchmark.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "base/clock.h"
#include "keyring/authority_store.h"
#include "openpgp/cert.h"
#include "tests/keyring/store_gpg.h"
#include "tls/trust/trust_verifier.h"

namespace {

using namespace pgptls;

struct Fixture {
  Bytes authority;
  tls::PresentedCertificate presented;
};

const Fixture& fixture() {
  static const Fixture made = [] {
    test::GpgHome gpg;
    const std::string ca = gpg.generate("CA <ca@example.invalid>", "ed25519", "cert");
    const std::string peer = gpg.generate("xmpp:b.example", "ed25519", "sign,cert");
    const std::string subkey = gpg.add_subkey(peer, "ed25519", "auth");
    gpg.certify(ca, peer, "xmpp:b.example");
    Fixture f;
    const std::string ca_bytes = gpg.export_cert(ca);
    const std::string peer_bytes = gpg.export_cert(peer);
    f.authority.assign(ca_bytes.begin(), ca_bytes.end());
    f.presented.type = tls::CertificateType::openpgp;
    f.presented.openpgp_transferable_key.assign(peer_bytes.begin(), peer_bytes.end());
    const Bytes id = keyring::parse_fingerprint_text(subkey).value();
    f.presented.openpgp_key_id.assign(id.end() - 8, id.end());
    return f;
  }();
  return made;
}

std::shared_ptr<tls::KeyringOpenPgpTrust> make_trust() {
  tls::KeyringTrustConfig config;
  auto authority = keyring::parse_certificate(fixture().authority);
  if (!authority) {
    throw std::runtime_error(authority.error().message());
  }
  config.authorities.push_back(keyring::Authority{std::move(authority).value(), {}});
  config.clock = std::make_shared<base::SystemClock>();
  return std::make_shared<tls::KeyringOpenPgpTrust>(std::move(config));
}

void BM_OpenPgpVerifyCold(benchmark::State& state) {
  const auto& presented = fixture().presented;
  for (auto _ : state) {
    state.PauseTiming();
    auto trust = make_trust();  // a fresh cache: first contact
    state.ResumeTiming();
    auto verdict = trust->verify(presented, std::string("b.example"));
    if (!verdict) {
      state.SkipWithError(verdict.error().message().c_str());
      break;
    }
  }
}
BENCHMARK(BM_OpenPgpVerifyCold)->Unit(benchmark::kMicrosecond);

void BM_OpenPgpVerifyWarm(benchmark::State& state) {
  const auto& presented = fixture().presented;
  auto trust = make_trust();
  (void)trust->verify(presented, std::string("b.example"));
  for (auto _ : state) {
    auto verdict = trust->verify(presented, std::string("b.example"));
    if (!verdict) {
      state.SkipWithError(verdict.error().message().c_str());
      break;
    }
  }
  state.counters["cache_hits"] = static_cast<double>(trust->cache_hits());
}
BENCHMARK(BM_OpenPgpVerifyWarm)->Unit(benchmark::kMicrosecond);

}  // namespace
