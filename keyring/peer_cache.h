// peer_cache.h: a cache of check_peer verdicts keyed by the SHA-256 of the
// certificate bytes, the domain, and a bucket of `now`, so a peer that
// reconnects does not cost signature verifications again.
//
// Usage:
//   keyring::PeerCache cache(authorities, policy);            // one authority set
//   auto verdict = cache.check(cert_bytes, "a.example", now);  // parses on a miss
//   cache.clear();  // after the authorities or the policy changed
//
// A verdict may be reused for up to one bucket (default 60 s): an expiry or
// revocation is noticed at most that late. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <list>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/result.h"
#include "keyring/authority.h"
#include "keyring/policy.h"

namespace pgptls::keyring {

class PeerCache {
 public:
  // The authorities are referenced, not copied: they must outlive the
  // cache. The policy is copied.
  PeerCache(std::span<const Authority> authorities, const Policy& policy,
            std::size_t capacity = 4096, std::chrono::seconds bucket = std::chrono::seconds(60));

  // check: the cached verdict for (certificate bytes, domain, now-bucket),
  // or parse_certificate + check_peer on a miss (both verdicts cached).
  [[nodiscard]] Result<PeerAcceptance> check(ByteView cert_bytes, std::string_view domain,
                                             base::Seconds now);
  void clear();
  [[nodiscard]] std::size_t size() const;
  [[nodiscard]] std::uint64_t hits() const;

 private:
  struct Entry {
    std::string key;
    Result<PeerAcceptance> verdict;
  };
  std::span<const Authority> authorities_;
  const Policy policy_;
  std::size_t capacity_;
  std::int64_t bucket_seconds_;
  mutable std::mutex mutex_;
  std::list<Entry> lru_;  // most recent first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
  std::uint64_t hits_ = 0;
};

}  // namespace pgptls::keyring
