// pin_cache_bench.cpp: what a rejected peer costs the event loop before its
// rejection is final, over pins::PinCache: catch_up() (the inotify watch
// says nothing was written, so no store read) beside refresh(), the
// reference (a round trip to the cache's thread, which asks SQLite for the
// data version), in the same run. The cache's own timer is an hour.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <memory>

#include "pins/pin_cache.h"
#include "tests/support/temp_dir.h"

namespace {

using namespace pgptls;
using namespace std::chrono_literals;

struct Fixture {
  test::TempDir dir;
  std::shared_ptr<pins::PinCache> cache;
  Fixture() {
    auto opened = pins::PinCache::open(dir.file("pins.sqlite"),
                                       {.refresh_interval = 1h, .repeat_interval = 60s});
    if (!opened.ok() || !base::wait_for((*opened)->catch_up()).ok()) {
      std::abort();
    }
    cache = std::move(opened).value();
  }
};

Fixture& fixture() {
  static Fixture instance;
  return instance;
}

void BM_RejectionCatchUp(benchmark::State& state) {
  pins::PinCache& cache = *fixture().cache;
  const std::uint64_t reads = cache.store_reads();
  for (auto _ : state) {
    benchmark::DoNotOptimize(cache.catch_up() == nullptr);
  }
  state.counters["store_reads"] = static_cast<double>(cache.store_reads() - reads);
}
BENCHMARK(BM_RejectionCatchUp);

void BM_RejectionRefreshReference(benchmark::State& state) {
  pins::PinCache& cache = *fixture().cache;
  const std::uint64_t reads = cache.store_reads();
  for (auto _ : state) {
    benchmark::DoNotOptimize(cache.refresh().ok());
  }
  state.counters["store_reads"] = static_cast<double>(cache.store_reads() - reads);
}
BENCHMARK(BM_RejectionRefreshReference);

}  // namespace
