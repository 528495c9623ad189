// Record throughput with 16 KiB records: pgptls's record layer (seal into the
// output buffer, feed, open) against GnuTLS 3.7's own record layer between a
// client and a server session over memory (gnutls_record_send/recv), both in
// one thread. Goal: pgptls >= 0.95x GnuTLS for AES-128-GCM and
// ChaCha20-Poly1305.
#include <benchmark/benchmark.h>

#include <cstdlib>

#include "base/rng.h"
#include "tests/tls/crypto_gnutls_pair.h"
#include "tls/rfc6091/record_layer.h"
#include "tls/wire/cipher_suite.h"

namespace {

using pgptls::Bytes;
using pgptls::tls::ContentType;
using pgptls::tls::RecordLayer;
using pgptls::tls::RecordProtection;

constexpr std::size_t kRecordSize = 16384;

Bytes payload() {
  Bytes data(kRecordSize);
  pgptls::base::DeterministicRng rng(1);
  if (!rng.fill(data, pgptls::base::RngLevel::nonce).ok()) {
    std::abort();
  }
  return data;
}

void BM_PgptlsRecord(benchmark::State& state) {
  const auto* suite = pgptls::tls::find_cipher_suite(static_cast<std::uint16_t>(state.range(0)));
  const Bytes key(suite->key_length, 0x11);
  const Bytes iv(suite->fixed_iv_length, 0x22);
  auto write = RecordProtection::create(*suite, key, iv);
  auto read = RecordProtection::create(*suite, key, iv);
  if (!write.ok() || !read.ok()) {
    state.SkipWithError("record keys");
    return;
  }
  RecordLayer sender;
  RecordLayer receiver;
  sender.lock_version();
  receiver.lock_version();
  receiver.expect_change_cipher_spec(std::move(read).value());
  if (!sender.write_change_cipher_spec(std::move(write).value()).ok()) {
    state.SkipWithError("change cipher spec");
    return;
  }
  receiver.feed(sender.pending_output());
  sender.consume_output(sender.pending_output().size());
  if (!receiver.next_record().ok()) {
    state.SkipWithError("change cipher spec");
    return;
  }
  const Bytes data = payload();
  for (auto _ : state) {
    if (!sender.write(ContentType::application_data, data).ok()) {
      state.SkipWithError("seal");
      break;
    }
    receiver.feed(sender.pending_output());
    sender.consume_output(sender.pending_output().size());
    auto record = receiver.next_record();
    if (!record.ok() || !record->has_value() || (*record)->fragment.size() != kRecordSize) {
      state.SkipWithError("open");
      break;
    }
    benchmark::DoNotOptimize((*record)->fragment.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kRecordSize));
  state.SetLabel(std::string(suite->name));
}

void BM_GnutlsRecord(benchmark::State& state) {
  const auto id = static_cast<std::uint16_t>(state.range(0));
  auto pair = pgptls::tls::test::GnutlsPair::connect(id);
  if (!pair.ok()) {
    state.SkipWithError(pair.error().message().c_str());
    return;
  }
  const Bytes data = payload();
  Bytes out(kRecordSize);
  for (auto _ : state) {
    if (gnutls_record_send((*pair)->client(), data.data(), data.size()) !=
            static_cast<ssize_t>(kRecordSize) ||
        gnutls_record_recv((*pair)->server(), out.data(), out.size()) !=
            static_cast<ssize_t>(kRecordSize)) {
      state.SkipWithError("gnutls record");
      break;
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kRecordSize));
  state.SetLabel(std::string(pgptls::tls::find_cipher_suite(id)->name));
}

BENCHMARK(BM_PgptlsRecord)
    ->Arg(pgptls::tls::kEcdheEcdsaAes128GcmSha256)
    ->Arg(pgptls::tls::kEcdheEcdsaChacha20Poly1305Sha256);
BENCHMARK(BM_GnutlsRecord)
    ->Arg(pgptls::tls::kEcdheEcdsaAes128GcmSha256)
    ->Arg(pgptls::tls::kEcdheEcdsaChacha20Poly1305Sha256);

}  // namespace
