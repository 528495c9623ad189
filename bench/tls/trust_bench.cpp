// trust_bench.cpp: what the OpenPGP trust decision costs a server per
// handshake: KeyringOpenPgpTrust::verify for an Ed25519 peer with
// an Ed25519 authentication subkey certified by an Ed25519 authority (keys
// made by gpg). Cold: a first contact (parse, validate, check the
// certification, select the key: 3 signature verifications, the
// authority's own validity being known from an earlier peer). Warm: the
// same peer returning (the cached verdict, the signing key imported again).
// BM_Ed25519Verify*: one Ed25519 verification through libsodium
// (base/ed25519.h, what the decision uses) beside GnuTLS (Nettle), as it
// was done before: import the key, verify.
//   build/bench/tls/tls_trust_bench --benchmark_repetitions=3
#include <benchmark/benchmark.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "base/clock.h"
#include "base/ed25519.h"
#include "base/gnutls_handles.h"
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
  auto authority = openpgp::parse_certificate(fixture().authority);
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
    // Another peer came first: the authorities' standing is known (once
    // per validity window of their certificates, not per peer).
    (void)trust->domain_is_certified("b.example");
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

// Ed25519Case: a GnuTLS-made Ed25519 key and its signature of a 32-octet
// digest (what an OpenPGP EdDSA signature signs).
struct Ed25519Case {
  base::PrivateKeyHandle key;
  Bytes point;
  Bytes digest = Bytes(32, 0x5A);
  Bytes signature;
};

const Ed25519Case& ed25519_case() {
  static const Ed25519Case made = [] {
    Ed25519Case c;
    gnutls_privkey_t raw = nullptr;
    gnutls_datum_t x{};
    gnutls_datum_t sig{};
    gnutls_ecc_curve_t curve{};
    const gnutls_datum_t data{c.digest.data(), static_cast<unsigned>(c.digest.size())};
    if (gnutls_privkey_init(&raw) < 0) {
      throw std::runtime_error("gnutls_privkey_init");
    }
    c.key = base::PrivateKeyHandle(raw);
    if (gnutls_privkey_generate2(raw, GNUTLS_PK_EDDSA_ED25519,
                                 GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_ED25519), 0, nullptr,
                                 0) < 0 ||
        gnutls_privkey_export_ecc_raw2(raw, &curve, &x, nullptr, nullptr, 0) < 0 ||
        gnutls_privkey_sign_data2(raw, GNUTLS_SIGN_EDDSA_ED25519, 0, &data, &sig) < 0) {
      throw std::runtime_error("cannot make an Ed25519 key and signature with GnuTLS");
    }
    c.point.assign(x.data, x.data + x.size);
    c.signature.assign(sig.data, sig.data + sig.size);
    gnutls_free(x.data);
    gnutls_free(sig.data);
    return c;
  }();
  return made;
}

void BM_Ed25519VerifyLibsodium(benchmark::State& state) {
  const Ed25519Case& c = ed25519_case();
  for (auto _ : state) {
    if (!base::ed25519_verify(c.point, c.digest, c.signature)) {
      state.SkipWithError("libsodium refused a valid signature");
      break;
    }
  }
}
BENCHMARK(BM_Ed25519VerifyLibsodium)->Unit(benchmark::kMicrosecond);

void BM_Ed25519VerifyGnutls(benchmark::State& state) {
  const Ed25519Case& c = ed25519_case();
  for (auto _ : state) {
    gnutls_pubkey_t raw = nullptr;
    (void)gnutls_pubkey_init(&raw);
    const base::PublicKeyHandle pub(raw);
    gnutls_datum_t x{const_cast<unsigned char*>(c.point.data()),
                     static_cast<unsigned>(c.point.size())};
    const gnutls_datum_t data{const_cast<unsigned char*>(c.digest.data()),
                              static_cast<unsigned>(c.digest.size())};
    const gnutls_datum_t sig{const_cast<unsigned char*>(c.signature.data()),
                             static_cast<unsigned>(c.signature.size())};
    if (gnutls_pubkey_import_ecc_raw(raw, GNUTLS_ECC_CURVE_ED25519, &x, nullptr) < 0 ||
        gnutls_pubkey_verify_data2(raw, GNUTLS_SIGN_EDDSA_ED25519, 0, &data, &sig) < 0) {
      state.SkipWithError("GnuTLS refused a valid signature");
      break;
    }
  }
}
BENCHMARK(BM_Ed25519VerifyGnutls)->Unit(benchmark::kMicrosecond);

}  // namespace
