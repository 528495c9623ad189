// peer_cache.h: validation verdicts kept for exactly as long as they hold,
// so that a returning peer costs no signature verification.
//
// A verdict on a certificate (check_peer, key selection) is a function of
// the certificate, the authorities, the policy and `now`. For fixed
// certificate, authorities and policy it can change only at a few instants:
// when a signature or key comes into effect (its creation time, RFC 9580
// §5.2.3.11) or stops being in effect (signature expiration §5.2.3.18, key
// expiration §5.2.3.13). validity_change_after() finds the next such
// instant, and the cache answers only for times in [computed at, next
// change): an expiry is never served late, and a revocation, which is a new
// signature and so new certificate bytes or a new keyring, never meets an
// old entry.
//
// The cache holds no reference to certificates, authorities or policy: its
// owner (one per immutable keyring + authority set + policy, such as
// tls::KeyringOpenPgpTrust) builds a new one with them, so a changed
// keyring, authority set or policy starts with an empty cache.
//
// Usage:
//   keyring::PeerCache<Verdict> cache(4096);
//   if (auto hit = cache.find(key, now)) { ... }
//   Verdict fresh = ...;  // validated at now
//   const auto until = std::min(validity_change_after(cert, now),
//                               validity_change_after(authorities, now));
//   cache.store(key, fresh, now, until);
//
// Thread-safe (one mutex; entries are small and lookups short).
#pragma once

#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>

#include "base/clock.h"
#include "keyring/authority.h"
#include "openpgp/cert.h"

namespace pgptls::keyring {

// kNoValidityChange: returned when nothing in the certificates can change
// the verdict any more.
inline constexpr base::Seconds kNoValidityChange = base::Seconds::max();

// validity_change_after: the first instant after `now` at which a
// signature or key of the certificate comes into effect or expires
// (kNoValidityChange if none). Conservative: every creation time and every
// end of a validity period counts, and both that second and the next, so
// that "expired at" and "expired after" comparisons are both covered.
[[nodiscard]] base::Seconds validity_change_after(const openpgp::Cert& cert, base::Seconds now);
// validity_change_after: the earliest of the authorities' certificates.
[[nodiscard]] base::Seconds validity_change_after(std::span<const Authority> authorities,
                                                  base::Seconds now);

// PeerCache: verdicts by key (the caller's: e.g. a digest of the presented
// certificate, the key ID and the domain), each valid for [from, until).
// At most `capacity` entries, least recently used evicted first.
template <typename Value>
class PeerCache {
 public:
  explicit PeerCache(std::size_t capacity = 4096) : capacity_(capacity == 0 ? 1 : capacity) {}

  // find: the verdict stored for key if `now` is inside its window; an
  // entry whose window `now` has passed is dropped.
  [[nodiscard]] std::optional<Value> find(const std::string& key, base::Seconds now) {
    const std::lock_guard lock(mutex_);
    const auto found = index_.find(key);
    if (found == index_.end()) {
      ++misses_;
      return std::nullopt;
    }
    Entry& entry = *found->second;
    if (now >= entry.until) {
      lru_.erase(found->second);
      index_.erase(found);
      ++misses_;
      return std::nullopt;
    }
    if (now < entry.from) {  // the clock went back: recompute, keep the entry
      ++misses_;
      return std::nullopt;
    }
    lru_.splice(lru_.begin(), lru_, found->second);
    ++hits_;
    return entry.value;
  }

  // store: keeps value for [from, until), replacing an entry of the same
  // key; an empty window stores nothing.
  void store(std::string key, Value value, base::Seconds from, base::Seconds until) {
    if (until <= from) {
      return;
    }
    const std::lock_guard lock(mutex_);
    if (const auto found = index_.find(key); found != index_.end()) {
      lru_.erase(found->second);
      index_.erase(found);
    }
    lru_.push_front(Entry{key, std::move(value), from, until});
    index_.emplace(std::move(key), lru_.begin());
    if (lru_.size() > capacity_) {
      index_.erase(lru_.back().key);
      lru_.pop_back();
    }
  }

  void clear() {
    const std::lock_guard lock(mutex_);
    lru_.clear();
    index_.clear();
  }
  [[nodiscard]] std::size_t size() const {
    const std::lock_guard lock(mutex_);
    return lru_.size();
  }
  [[nodiscard]] std::uint64_t hits() const {
    const std::lock_guard lock(mutex_);
    return hits_;
  }
  [[nodiscard]] std::uint64_t misses() const {
    const std::lock_guard lock(mutex_);
    return misses_;
  }

 private:
  struct Entry {
    std::string key;
    Value value;
    base::Seconds from;
    base::Seconds until;
  };
  std::size_t capacity_;
  mutable std::mutex mutex_;
  std::list<Entry> lru_;  // most recent first
  std::unordered_map<std::string, typename std::list<Entry>::iterator> index_;
  std::uint64_t hits_ = 0;
  std::uint64_t misses_ = 0;
};

}  // namespace pgptls::keyring
