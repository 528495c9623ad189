// srv_order.h: the order in which an initiating server tries a domain's
// SRV targets: RFC 2782 (lowest priority first; within a priority, weighted
// random selection) over the merged _xmpps-server._tcp (Direct TLS) and
// _xmpp-server._tcp (STARTTLS) records (RFC 6120 §3.2.1, XEP-0368 §3).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace pgptls::s2s {

// Target: one place to connect to.
struct Target {
  std::string host;  // a name or an IP address
  std::uint16_t port = 5269;
  bool direct_tls = false;  // XEP-0368: TLS from the first byte
  std::uint16_t priority = 0;
  std::uint16_t weight = 0;

  bool operator==(const Target&) const = default;
};

// RandomBelow: a uniform random integer in [0, bound] (inclusive), injected
// so tests can fix the weighted choice.
using RandomUpTo = std::function<std::uint32_t(std::uint32_t bound)>;

// order_srv: RFC 2782 "Usage rules": sort by priority; within one priority
// repeatedly pick with probability proportional to weight (zero-weight
// records first in the running sum, so they are picked rarely but can be).
[[nodiscard]] std::vector<Target> order_srv(std::vector<Target> records, const RandomUpTo& random);

// system_random_up_to: a RandomUpTo from the system RNG.
[[nodiscard]] RandomUpTo system_random_up_to();

}  // namespace pgptls::s2s
