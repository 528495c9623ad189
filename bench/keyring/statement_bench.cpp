// statement_bench.cpp: the cost of accepting signed pin statements (issue
// 7) on the GnuTLS 3.5 reference keys: ed-a (Ed25519, certified for
// xmpp:ed-a.example by the RSA-3072 authority "signer") signs with our
// signature writer.
//  - verify_statement by the domain's own certified key: one Ed25519
//    document signature plus check_peer (validation and an RSA
//    certification check);
//  - verify_bundle of 1000 domains signed by an Ed25519 authority;
//  - storing 1000 statements one durable transaction each, against one
//    store_statements batch.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include "base/encoding.h"
#include "keyring/statement_trust.h"
#include "openpgp/cert.h"
#include "openpgp/secret_key.h"
#include "openpgp/signature_writer.h"
#include "pins/pin_store.h"
#include "pins/posh_statement.h"
#include "tests/support/temp_dir.h"

namespace {

using namespace pgptls;
using namespace pgptls::keyring;
using namespace pgptls::openpgp;
using namespace pgptls::pins;

Bytes read_key(const std::string& name) {
  std::ifstream in(std::filesystem::path(PGPTLS_TEST_DATA_DIR) / "gnutls-3.5" / "keys" / name,
                   std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

ByteView view(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

template <typename T>
T must(Result<T> result) {
  if (!result.ok()) {
    std::fprintf(stderr, "%s\n", result.error().message().c_str());
    std::abort();
  }
  return std::move(result).value();
}

base::Seconds now() {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

struct World {
  std::vector<Authority> authorities;   // signer (RSA-3072) over everything
  std::vector<Authority> ed_authority;  // ed-a as an authority, for bundles
  std::vector<Cert> keyring;            // ed-a
  Bytes signature_of(const std::string& document) const {
    return must(make_detached_signature(view(document), signer, std::chrono::system_clock::now()));
  }
  SecretKeyPacket packet;
  base::PrivateKeyHandle key;
  DetachedSigner signer;
};

const World& world() {
  static const World* w = [] {
    auto* out = new World;
    const Cert signer = must(parse_certificate(read_key("signer.pub.asc")));
    const Cert ed = must(parse_certificate(read_key("ed-a.pub.asc")));
    out->authorities = {{signer, {}}};
    out->ed_authority = {{ed, {"*.example"}}};
    out->keyring = {ed};
    auto keys = must(load_secret_keys(read_key("ed-a.sec.asc")));
    out->packet = std::move(keys.front());
    out->key = must(unlock_secret_key(out->packet, {}));
    out->signer = {static_cast<SigningAlgorithm>(out->packet.public_key.algorithm),
                   out->packet.public_key.fingerprint, out->key.get()};
    return out;
  }();
  return *w;
}

std::string statement_for(const std::string& domain, std::uint64_t serial) {
  PinStatement statement;
  statement.domain = domain;
  statement.pins.spki_sha256.push_back(Bytes(32, 0x5A));
  statement.issued = now() - std::chrono::seconds(60);
  statement.expires_seconds = 24 * 3600;
  statement.serial = serial;
  return write_pin_statement(statement);
}

void BM_VerifyStatementByCertifiedDomainKey(benchmark::State& state) {
  const World& w = world();
  const std::string document = statement_for("ed-a.example", 1);
  const Bytes signature = w.signature_of(document);
  const StatementSigners signers{w.authorities, w.keyring, Policy::standard()};
  const base::Seconds at = now();
  for (auto _ : state) {
    auto verified = verify_statement(view(document), signature, "ed-a.example", signers, at);
    if (!verified.ok()) {
      state.SkipWithError(verified.error().message().c_str());
      break;
    }
    benchmark::DoNotOptimize(verified);
  }
}
BENCHMARK(BM_VerifyStatementByCertifiedDomainKey)->Unit(benchmark::kMicrosecond);

std::string bundle_of(int domains) {
  std::string text = "{\"domains\":{";
  const std::string pin = base::base64_encode(Bytes(32, 0x42));
  for (int i = 0; i < domains; ++i) {
    text += (i == 0 ? "\"" : ",\"") + std::string("d") + std::to_string(i) +
            ".example\":{\"spki-sha-256\":[\"" + pin + "\"]}";
  }
  return text + "},\"issued\":\"" + base::format_utc(now() - std::chrono::seconds(60)) +
         "\",\"serial\":1,\"expires\":86400}";
}

void BM_VerifyBundle1000Domains(benchmark::State& state) {
  const World& w = world();
  const std::string document = bundle_of(1000);
  const Bytes signature = w.signature_of(document);
  const StatementSigners signers{w.ed_authority, {}, Policy::standard()};
  const base::Seconds at = now();
  // 1000 domains are ~70 KB: over a statement's 64 KiB cap, well inside a
  // bundle's (StatementLimits::max_bundle_bytes).
  for (auto _ : state) {
    auto verified = verify_bundle(view(document), signature, signers, at);
    if (!verified.ok()) {
      state.SkipWithError(verified.error().message().c_str());
      break;
    }
    if (verified->accepted.size() != 1000) {
      state.SkipWithError("bundle not accepted");
      break;
    }
    benchmark::DoNotOptimize(verified);
  }
}
BENCHMARK(BM_VerifyBundle1000Domains)->Unit(benchmark::kMillisecond);

std::vector<SignedStatement> statements(int count, std::uint64_t serial) {
  std::vector<SignedStatement> out;
  for (int i = 0; i < count; ++i) {
    SignedStatement s;
    s.record.domain = "d" + std::to_string(i) + ".example";
    s.record.signer_fingerprint = "66B8905FC5B624FD1552F3FF199F97D1CFAAC6DC";
    s.record.serial = serial;
    s.record.issued = now();
    s.record.expires = s.record.issued + std::chrono::hours(24);
    s.record.content_sha256 = std::to_string(serial);
    s.spki_pins = {base::base64_encode(Bytes(32, static_cast<std::uint8_t>(serial)))};
    out.push_back(std::move(s));
  }
  return out;
}

// Each iteration stores a newer statement for each of 1000 domains.
void BM_Store1000OneTransactionEach(benchmark::State& state) {
  test::TempDir dir;
  PinStore store = must(PinStore::open(dir.file("pins.sqlite")));
  std::uint64_t serial = 0;
  for (auto _ : state) {
    for (const SignedStatement& s : statements(1000, ++serial)) {
      if (!store.store_statement(s, std::chrono::system_clock::now()).ok()) {
        state.SkipWithError("store failed");
        return;
      }
    }
  }
}
BENCHMARK(BM_Store1000OneTransactionEach)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_Store1000OneBatch(benchmark::State& state) {
  test::TempDir dir;
  PinStore store = must(PinStore::open(dir.file("pins.sqlite")));
  std::uint64_t serial = 0;
  for (auto _ : state) {
    const auto batch = statements(1000, ++serial);
    auto outcomes = store.store_statements(batch, std::chrono::system_clock::now());
    if (!outcomes.ok()) {
      state.SkipWithError("store failed");
      return;
    }
  }
}
BENCHMARK(BM_Store1000OneBatch)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
