// Certificate index benchmarks: building the index of 100 000 real
// certificates and finding by key ID (goal: O(1), < 1 µs).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>

#include "bench/keyring/store_corpus.h"
#include "keyring/cert_index.h"

namespace pgptls::bench {
namespace {

keyring::IndexKeys keys_of(const CorpusEntry& entry) {
  keyring::IndexKeys keys;
  keys.primary_fingerprint = entry.primary_fingerprint;
  keys.component_fingerprints = {entry.primary_fingerprint, entry.subkey_fingerprint};
  // RFC 9580 §5.5.4.2: a v4 key ID is the low 64 bits of the fingerprint.
  keys.component_key_ids = {*keyring::key_id_value(ByteView(entry.primary_fingerprint).subspan(12)),
                            *keyring::key_id_value(ByteView(entry.subkey_fingerprint).subspan(12))};
  keys.domains = {entry.domain};
  return keys;
}

void BM_IndexBuild(benchmark::State& state) {
  const Corpus& c = corpus();
  std::vector<keyring::IndexKeys> all;
  all.reserve(c.entries.size());
  for (const CorpusEntry& entry : c.entries) {
    all.push_back(keys_of(entry));
  }
  for (auto _ : state) {
    keyring::CertIndex index;
    index.reserve(all.size());
    for (std::size_t i = 0; i < all.size(); ++i) {
      index.add(static_cast<keyring::CertSlot>(i), all[i]);
    }
    benchmark::DoNotOptimize(index.primary_count());
  }
  state.counters["certificates"] = static_cast<double>(all.size());
}
BENCHMARK(BM_IndexBuild)->Unit(benchmark::kMillisecond)->Iterations(3);

struct Built {
  keyring::CertIndex index;
  std::vector<std::uint64_t> key_ids;  // every component key ID, shuffled
};

const Built& built() {
  static const Built made = [] {
    Built b;
    const Corpus& c = corpus();
    b.index.reserve(c.entries.size());
    for (std::size_t i = 0; i < c.entries.size(); ++i) {
      const auto keys = keys_of(c.entries[i]);
      b.index.add(static_cast<keyring::CertSlot>(i), keys);
      b.key_ids.insert(b.key_ids.end(), keys.component_key_ids.begin(),
                       keys.component_key_ids.end());
    }
    std::shuffle(b.key_ids.begin(), b.key_ids.end(), std::mt19937(42));
    return b;
  }();
  return made;
}

void BM_IndexFindByKeyId(benchmark::State& state) {
  const Built& b = built();
  std::size_t i = 0;
  for (auto _ : state) {
    const auto slots = b.index.by_key_id(b.key_ids[i]);
    benchmark::DoNotOptimize(slots.data());
    i = i + 1 == b.key_ids.size() ? 0 : i + 1;
  }
  state.counters["keys"] = static_cast<double>(b.key_ids.size());
}
BENCHMARK(BM_IndexFindByKeyId);

void BM_IndexFindByKeyIdMissing(benchmark::State& state) {
  const Built& b = built();
  std::uint64_t id = 0x0123456789ABCDEFu;
  for (auto _ : state) {
    const auto slots = b.index.by_key_id(id);
    benchmark::DoNotOptimize(slots.data());
    id += 0x9E3779B97F4A7C15u;
  }
}
BENCHMARK(BM_IndexFindByKeyIdMissing);

void BM_IndexFindByDomain(benchmark::State& state) {
  const Built& b = built();
  const Corpus& c = corpus();
  std::size_t i = 0;
  for (auto _ : state) {
    const auto slots = b.index.by_domain(c.entries[i].domain);
    benchmark::DoNotOptimize(slots.data());
    i = (i + 7919) % c.entries.size();
  }
}
BENCHMARK(BM_IndexFindByDomain);

}  // namespace
}  // namespace pgptls::bench
