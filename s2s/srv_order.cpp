#include "s2s/srv_order.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "base/rng.h"

namespace pgptls::s2s {

std::vector<Target> order_srv(std::vector<Target> records, const RandomUpTo& random) {
  std::stable_sort(records.begin(), records.end(),
                   [](const Target& a, const Target& b) { return a.priority < b.priority; });
  std::vector<Target> ordered;
  ordered.reserve(records.size());
  auto group_begin = records.begin();
  while (group_begin != records.end()) {
    auto group_end = std::find_if(group_begin, records.end(), [&](const Target& target) {
      return target.priority != group_begin->priority;
    });
    std::vector<Target> group(group_begin, group_end);
    // RFC 2782: "all those with weight 0 are placed at the beginning of the
    // list" before the running sums are computed.
    std::stable_partition(group.begin(), group.end(),
                          [](const Target& target) { return target.weight == 0; });
    while (!group.empty()) {
      std::uint32_t sum = 0;
      for (const Target& target : group) {
        sum += target.weight;
      }
      // "choose a uniform random number between 0 and the sum computed
      // (inclusive), and select the RR whose running sum value is the first
      // in the selected order which is greater than or equal to" it.
      const std::uint32_t chosen = std::min(random(sum), sum);
      std::uint32_t running = 0;
      auto pick = group.begin();
      for (; pick != group.end(); ++pick) {
        running += pick->weight;
        if (running >= chosen) {
          break;
        }
      }
      if (pick == group.end()) {
        pick = group.end() - 1;
      }
      ordered.push_back(*pick);
      group.erase(pick);
    }
    group_begin = group_end;
  }
  return ordered;
}

RandomUpTo system_random_up_to() {
  return [](std::uint32_t bound) -> std::uint32_t {
    std::array<std::uint8_t, 4> bytes{};
    base::SystemRng rng;
    if (!rng.fill(bytes, base::RngLevel::nonce).ok()) {
      return 0;  // still a valid order (the RFC's order without randomness)
    }
    std::uint32_t value = 0;
    std::memcpy(&value, bytes.data(), bytes.size());
    return bound == UINT32_MAX ? value : value % (bound + 1);
  };
}

}  // namespace pgptls::s2s
