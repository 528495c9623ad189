#include "keyring/peer_cache.h"

#include <gnutls/crypto.h>

namespace pgptls::keyring {

PeerCache::PeerCache(std::span<const Authority> authorities, const Policy& policy,
                     std::size_t capacity, std::chrono::seconds bucket)
    : authorities_(authorities),
      policy_(policy),
      capacity_(capacity == 0 ? 1 : capacity),
      bucket_seconds_(bucket.count() <= 0 ? 1 : bucket.count()) {}

Result<PeerAcceptance> PeerCache::check(ByteView cert_bytes, std::string_view domain,
                                        base::Seconds now) {
  // Key: SHA-256 of the certificate, the now-bucket, then the domain.
  std::string key(32 + 8, '\0');
  gnutls_hash_fast(GNUTLS_DIG_SHA256, cert_bytes.data(), cert_bytes.size(), key.data());
  const std::int64_t bucket = now.time_since_epoch().count() / bucket_seconds_;
  for (int i = 0; i < 8; ++i) {
    key[32 + i] = static_cast<char>((static_cast<std::uint64_t>(bucket) >> (8 * i)) & 0xFF);
  }
  key.append(domain);
  {
    const std::lock_guard lock(mutex_);
    if (auto it = index_.find(key); it != index_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second);
      ++hits_;
      return it->second->verdict;
    }
  }
  auto cert = parse_certificate(cert_bytes, policy_.limits);
  Result<PeerAcceptance> verdict =
      cert ? check_peer(*cert, domain, authorities_, policy_, now)
           : Result<PeerAcceptance>(cert.error().wrap("peer certificate"));
  const std::lock_guard lock(mutex_);
  if (index_.find(key) == index_.end()) {
    lru_.push_front(Entry{key, verdict});
    index_.emplace(std::move(key), lru_.begin());
    if (lru_.size() > capacity_) {
      index_.erase(lru_.back().key);
      lru_.pop_back();
    }
  }
  return verdict;
}

void PeerCache::clear() {
  const std::lock_guard lock(mutex_);
  lru_.clear();
  index_.clear();
}

std::size_t PeerCache::size() const {
  const std::lock_guard lock(mutex_);
  return lru_.size();
}

std::uint64_t PeerCache::hits() const {
  const std::lock_guard lock(mutex_);
  return hits_;
}

}  // namespace pgptls::keyring
