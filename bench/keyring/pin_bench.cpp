// pin_bench.cpp: check_x509_pin (a lookup on every X.509 connection) and
// add_pin (one durable transaction: WAL, synchronous=FULL) on a store with
// a thousand domains. Keys are made by GnuTLS at start-up.
#include <benchmark/benchmark.h>
#include <gnutls/abstract.h>

#include <chrono>
#include <cstdlib>
#include <optional>
#include <string>

#include "base/encoding.h"
#include "base/gnutls_handles.h"
#include "pins/pin_check.h"
#include "pins/pin_store.h"
#include "tests/support/temp_dir.h"

namespace {

using namespace pgptls;

// fresh_spki: the DER SubjectPublicKeyInfo of a new Ed25519 key.
Bytes fresh_spki() {
  gnutls_privkey_t raw_private = nullptr;
  gnutls_pubkey_t raw_public = nullptr;
  if (gnutls_privkey_init(&raw_private) < 0 ||
      gnutls_privkey_generate2(raw_private, GNUTLS_PK_EDDSA_ED25519, 256, 0, nullptr, 0) < 0 ||
      gnutls_pubkey_init(&raw_public) < 0) {
    std::abort();
  }
  const base::PrivateKeyHandle private_key(raw_private);
  const base::PublicKeyHandle public_key(raw_public);
  gnutls_datum_t der{};
  if (gnutls_pubkey_import_privkey(public_key.get(), private_key.get(), 0, 0) < 0 ||
      gnutls_pubkey_export2(public_key.get(), GNUTLS_X509_FMT_DER, &der) < 0) {
    std::abort();
  }
  Bytes spki(der.data, der.data + der.size);
  gnutls_free(der.data);
  return spki;
}

pins::Pin make_pin(const std::string& domain, std::string value) {
  pins::Pin pin;
  pin.domain = domain;
  pin.pin_sha256 = std::move(value);
  pin.created = base::Seconds(std::chrono::seconds(1'767'225'600));
  return pin;
}

std::string counter_pin(std::uint32_t n) {
  std::uint8_t bytes[32] = {};
  for (int i = 0; i < 4; ++i) {
    bytes[i] = static_cast<std::uint8_t>(n >> (8 * i));
  }
  return base::base64_encode(bytes);
}

// Fixture: one store shared by every benchmark, built once.
struct Fixture {
  test::TempDir dir;
  std::optional<pins::PinStore> store;
  Bytes spki = fresh_spki();

  Fixture() {
    auto opened = pins::PinStore::open(dir.file("pins.sqlite"));
    if (!opened.ok()) {
      std::abort();
    }
    store.emplace(std::move(opened).value());
    std::vector<pins::Pin> pins;
    for (std::uint32_t n = 0; n < 1000; ++n) {
      pins.push_back(make_pin("d" + std::to_string(n) + ".example", counter_pin(n)));
    }
    pins.push_back(make_pin("b.example", *pins::pin_from_spki(spki)));
    pins.push_back(make_pin("b.example", counter_pin(99'999)));
    if (!store->add_pins(pins).ok()) {
      std::abort();
    }
  }

  static Fixture& get() {
    static Fixture fixture;
    return fixture;
  }
};

void BM_CheckX509PinAccepted(benchmark::State& state) {
  Fixture& fixture = Fixture::get();
  const auto now = std::chrono::system_clock::now();
  for (auto _ : state) {
    auto result = pins::check_x509_pin(*fixture.store, "b.example", fixture.spki, {}, now);
    if (!result.ok()) {
      state.SkipWithError("rejected");
      break;
    }
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK(BM_CheckX509PinAccepted);

void BM_CheckX509PinRejected(benchmark::State& state) {
  Fixture& fixture = Fixture::get();
  const auto now = std::chrono::system_clock::now();
  for (auto _ : state) {
    auto result = pins::check_x509_pin(*fixture.store, "d7.example", fixture.spki, {}, now);
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK(BM_CheckX509PinRejected);

void BM_PinFromSpki(benchmark::State& state) {
  const Bytes spki = Fixture::get().spki;
  for (auto _ : state) {
    auto pin = pins::pin_from_spki(spki);
    benchmark::DoNotOptimize(pin);
  }
}
BENCHMARK(BM_PinFromSpki);

void BM_AddPin(benchmark::State& state) {
  Fixture& fixture = Fixture::get();
  std::uint32_t n = 200'000;
  for (auto _ : state) {
    auto outcome =
        fixture.store->add_pin(make_pin("n" + std::to_string(n) + ".example", counter_pin(n)));
    ++n;
    if (!outcome.ok()) {
      state.SkipWithError("add_pin failed");
      break;
    }
  }
}
BENCHMARK(BM_AddPin)->Unit(benchmark::kMicrosecond);

}  // namespace
