#include "keyring/cert_index.h"

#include <algorithm>
#include <random>

namespace pgptls::keyring {
namespace {

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return out;
}

// mix: the SplitMix64 finaliser, a fast bijective scrambler of 64 bits.
std::uint64_t mix(std::uint64_t value) {
  value ^= value >> 30;
  value *= 0xBF58476D1CE4E5B9u;
  value ^= value >> 27;
  value *= 0x94D049BB133111EBu;
  value ^= value >> 31;
  return value;
}

bool has_upper(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

}  // namespace

std::optional<std::uint64_t> key_id_value(ByteView key_id) {
  if (key_id.size() != 8) {
    return std::nullopt;
  }
  std::uint64_t value = 0;
  for (const std::uint8_t byte : key_id) {
    value = (value << 8) | byte;
  }
  return value;
}

std::uint64_t CertIndex::random_seed() {
  std::random_device device;
  return (std::uint64_t{device()} << 32) ^ device();
}

std::size_t CertIndex::KeyIdHash::operator()(std::uint64_t key_id) const noexcept {
  return static_cast<std::size_t>(mix(key_id ^ seed));
}

std::size_t CertIndex::FingerprintHash::operator()(const FingerprintKey& key) const noexcept {
  std::uint64_t hash = seed ^ key.size;
  // The "too long" key (size 0xFF) has no bytes beyond the array.
  const std::size_t size = std::min<std::size_t>(key.size, key.bytes.size());
  for (std::size_t i = 0; i < size; i += 8) {
    std::uint64_t word = 0;
    for (std::size_t j = i; j < i + 8 && j < size; ++j) {
      word = (word << 8) | key.bytes[j];
    }
    hash = mix(hash ^ word);
  }
  return static_cast<std::size_t>(hash);
}

std::size_t CertIndex::DomainHash::operator()(std::string_view domain) const noexcept {
  std::uint64_t hash = seed ^ domain.size();
  std::uint64_t word = 0;
  std::size_t filled = 0;
  for (const char c : domain) {
    word = (word << 8) | static_cast<std::uint8_t>(c);
    if (++filled == 8) {
      hash = mix(hash ^ word);
      word = 0;
      filled = 0;
    }
  }
  return static_cast<std::size_t>(mix(hash ^ word));
}

CertIndex::FingerprintKey CertIndex::fingerprint_key(ByteView fingerprint) noexcept {
  FingerprintKey key;
  // Longer input is no fingerprint of any version; size 0xFF matches none
  // of the keys stored (which are at most 32 bytes).
  if (fingerprint.size() > key.bytes.size()) {
    key.size = 0xFF;
    return key;
  }
  std::copy(fingerprint.begin(), fingerprint.end(), key.bytes.begin());
  key.size = static_cast<std::uint8_t>(fingerprint.size());
  return key;
}

std::span<const CertSlot> CertIndex::SlotList::view() const noexcept {
  if (!all_.empty()) {
    return all_;
  }
  return has_first_ ? std::span<const CertSlot>(&first_, 1) : std::span<const CertSlot>();
}

void CertIndex::SlotList::add(CertSlot slot) {
  if (!has_first_) {
    first_ = slot;
    has_first_ = true;
    return;
  }
  if (all_.empty()) {
    if (first_ == slot) {
      return;
    }
    all_ = {first_, slot};
    return;
  }
  if (std::find(all_.begin(), all_.end(), slot) == all_.end()) {
    all_.push_back(slot);
  }
}

bool CertIndex::SlotList::remove(CertSlot slot) {
  if (all_.empty()) {
    if (has_first_ && first_ == slot) {
      has_first_ = false;
    }
    return !has_first_;
  }
  all_.erase(std::remove(all_.begin(), all_.end(), slot), all_.end());
  if (all_.size() == 1) {
    first_ = all_.front();
    all_.clear();
  }
  return false;
}

namespace {

template <class Map, class Key>
void remove_slot(Map& map, const Key& key, CertSlot slot) {
  const auto found = map.find(key);
  if (found != map.end() && found->second.remove(slot)) {
    map.erase(found);
  }
}

template <class Map, class Key>
std::span<const CertSlot> find_slots(const Map& map, const Key& key) {
  const auto found = map.find(key);
  if (found == map.end()) {
    return {};
  }
  return found->second.view();
}

}  // namespace

void CertIndex::add(CertSlot slot, const IndexKeys& keys) {
  // No fingerprint is longer than 32 bytes (v6, RFC 9580 §5.5.4.3); such
  // input would otherwise share the "too long" key of fingerprint_key.
  const auto valid = [](const Bytes& fingerprint) { return fingerprint.size() <= 32; };
  if (valid(keys.primary_fingerprint)) {
    primary_[fingerprint_key(keys.primary_fingerprint)] = slot;
  }
  for (const std::uint64_t key_id : keys.component_key_ids) {
    key_ids_[key_id].add(slot);
  }
  for (const Bytes& fingerprint : keys.component_fingerprints) {
    if (valid(fingerprint)) {
      fingerprints_[fingerprint_key(fingerprint)].add(slot);
    }
  }
  for (const std::string& domain : keys.domains) {
    domains_[lowercase(domain)].add(slot);
  }
}

void CertIndex::remove(CertSlot slot, const IndexKeys& keys) {
  const auto primary = primary_.find(fingerprint_key(keys.primary_fingerprint));
  if (primary != primary_.end() && primary->second == slot) {
    primary_.erase(primary);
  }
  for (const std::uint64_t key_id : keys.component_key_ids) {
    remove_slot(key_ids_, key_id, slot);
  }
  for (const Bytes& fingerprint : keys.component_fingerprints) {
    remove_slot(fingerprints_, fingerprint_key(fingerprint), slot);
  }
  for (const std::string& domain : keys.domains) {
    remove_slot(domains_, lowercase(domain), slot);
  }
}

void CertIndex::clear() {
  primary_.clear();
  key_ids_.clear();
  fingerprints_.clear();
  domains_.clear();
}

void CertIndex::reserve(std::size_t certificates) {
  primary_.reserve(certificates);
  // Typical certificates carry a primary key and one or two subkeys.
  key_ids_.reserve(certificates * 2);
  fingerprints_.reserve(certificates * 2);
  domains_.reserve(certificates);
}

std::optional<CertSlot> CertIndex::by_primary_fingerprint(ByteView fingerprint) const {
  const auto found = primary_.find(fingerprint_key(fingerprint));
  if (found == primary_.end()) {
    return std::nullopt;
  }
  return found->second;
}

std::span<const CertSlot> CertIndex::by_key_id(std::uint64_t key_id) const {
  return find_slots(key_ids_, key_id);
}

std::span<const CertSlot> CertIndex::by_fingerprint(ByteView fingerprint) const {
  return find_slots(fingerprints_, fingerprint_key(fingerprint));
}

std::span<const CertSlot> CertIndex::by_domain(std::string_view domain) const {
  // Lowercase (allocating) only when needed: lookups usually come lowercase.
  if (has_upper(domain)) {
    return find_slots(domains_, std::string_view(lowercase(domain)));
  }
  return find_slots(domains_, domain);
}

}  // namespace pgptls::keyring
