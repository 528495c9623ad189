// Keyring store benchmarks: loading a keyring of 100 000
// real certificates (goal < 2 s), from one exported file and from a store
// directory of 100 000 files, and finding certificates by key ID (goal
// O(1), < 1 µs), fingerprint and domain. Opening a directory reads and
// parses on several threads: its CPU time is the whole process's.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>
#include <stdexcept>

#include "bench/keyring/store_corpus.h"
#include "keyring/keyring_store.h"

namespace pgptls::bench {
namespace {

void BM_StoreLoadKeyringFile(benchmark::State& state) {
  const Corpus& c = corpus();
  for (auto _ : state) {
    keyring::KeyringStore store;
    const auto count = store.load_bytes(c.all, "all.pgp");
    if (!count.ok() || *count != kCorpusSize || store.size() != kCorpusSize) {
      state.SkipWithError("load failed");
      break;
    }
    benchmark::DoNotOptimize(store.size());
  }
  state.counters["certificates"] = kCorpusSize;
}
BENCHMARK(BM_StoreLoadKeyringFile)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

void BM_StoreOpenDirectory(benchmark::State& state) {
  const Corpus& c = corpus();
  for (auto _ : state) {
    auto store = keyring::KeyringStore::open(c.store_dir);
    if (!store.ok() || store->size() != kCorpusSize || !store->problems().empty()) {
      state.SkipWithError("open failed");
      break;
    }
    benchmark::DoNotOptimize(store->size());
  }
  state.counters["certificates"] = kCorpusSize;
}
BENCHMARK(BM_StoreOpenDirectory)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->MeasureProcessCPUTime()
    ->UseRealTime();

// Loaded: one store for the lookup benchmarks, and every component key ID
// and fingerprint in random order.
struct Loaded {
  keyring::KeyringStore store;
  std::vector<Bytes> key_ids;
  std::vector<Bytes> fingerprints;
};

const Loaded& loaded() {
  static const Loaded made = [] {
    Loaded l;
    if (!l.store.load_bytes(corpus().all, "all.pgp").ok()) {
      throw std::runtime_error("load failed");
    }
    for (const openpgp::Cert& cert : l.store.certificates()) {
      l.key_ids.push_back(cert.primary.key_id);
      l.fingerprints.push_back(cert.primary.fingerprint);
      for (const openpgp::Subkey& subkey : cert.subkeys) {
        l.key_ids.push_back(subkey.key.key_id);
        l.fingerprints.push_back(subkey.key.fingerprint);
      }
    }
    std::shuffle(l.key_ids.begin(), l.key_ids.end(), std::mt19937(42));
    std::shuffle(l.fingerprints.begin(), l.fingerprints.end(), std::mt19937(43));
    return l;
  }();
  return made;
}

void BM_StoreFindByKeyId(benchmark::State& state) {
  const Loaded& l = loaded();
  std::size_t i = 0;
  for (auto _ : state) {
    const auto found = l.store.find_by_key_id(l.key_ids[i]);
    benchmark::DoNotOptimize(found.data());
    i = i + 1 == l.key_ids.size() ? 0 : i + 1;
  }
  state.counters["keys"] = static_cast<double>(l.key_ids.size());
}
BENCHMARK(BM_StoreFindByKeyId);

void BM_StoreFindByFingerprint(benchmark::State& state) {
  const Loaded& l = loaded();
  std::size_t i = 0;
  for (auto _ : state) {
    const auto found = l.store.find_by_fingerprint(l.fingerprints[i]);
    benchmark::DoNotOptimize(found.data());
    i = i + 1 == l.fingerprints.size() ? 0 : i + 1;
  }
}
BENCHMARK(BM_StoreFindByFingerprint);

void BM_StoreFindByDomain(benchmark::State& state) {
  const Loaded& l = loaded();
  const Corpus& c = corpus();
  std::size_t i = 0;
  for (auto _ : state) {
    const auto found = l.store.find_by_domain(c.entries[i].domain);
    benchmark::DoNotOptimize(found.data());
    i = (i + 7919) % c.entries.size();
  }
}
BENCHMARK(BM_StoreFindByDomain);

}  // namespace
}  // namespace pgptls::bench
