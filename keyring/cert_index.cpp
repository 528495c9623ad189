#include "keyring/cert_index.h"

#include <algorithm>

namespace pgptls::keyring {
namespace {

std::string key_of(ByteView bytes) {
  return {bytes.begin(), bytes.end()};
}

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return out;
}

// is_domain_text: letters, digits, hyphens and dots only (A-labels, RFC 5890
// §2.3.2.1), not empty, no empty label.
bool is_domain_text(std::string_view text) {
  if (text.empty() || text.front() == '.' || text.back() == '.' ||
      text.find("..") != std::string_view::npos) {
    return false;
  }
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.';
  });
}

template <class Map, class Key>
void add_slot(Map& map, Key&& key, CertSlot slot) {
  auto& slots = map[std::forward<Key>(key)];
  if (std::find(slots.begin(), slots.end(), slot) == slots.end()) {
    slots.push_back(slot);
  }
}

template <class Map, class Key>
void remove_slot(Map& map, const Key& key, CertSlot slot) {
  const auto found = map.find(key);
  if (found == map.end()) {
    return;
  }
  auto& slots = found->second;
  slots.erase(std::remove(slots.begin(), slots.end(), slot), slots.end());
  if (slots.empty()) {
    map.erase(found);
  }
}

template <class Map, class Key>
std::span<const CertSlot> find_slots(const Map& map, const Key& key) {
  const auto found = map.find(key);
  if (found == map.end()) {
    return {};
  }
  return found->second;
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

std::optional<std::string> xmpp_domain_of(std::string_view user_id) {
  constexpr std::string_view kScheme = "xmpp:";
  std::string_view address = user_id;
  // `Name <xmpp:domain>`: the address is inside the last angle brackets,
  // which close the user ID (RFC 9580 §5.12 convention).
  if (!address.empty() && address.back() == '>') {
    const std::size_t open = address.rfind('<');
    if (open == std::string_view::npos) {
      return std::nullopt;
    }
    address = address.substr(open + 1, address.size() - open - 2);
  }
  if (address.size() <= kScheme.size() || lowercase(address.substr(0, kScheme.size())) != kScheme) {
    return std::nullopt;
  }
  const std::string_view domain = address.substr(kScheme.size());
  if (!is_domain_text(domain)) {
    return std::nullopt;
  }
  return lowercase(domain);
}

void CertIndex::add(CertSlot slot, const IndexKeys& keys) {
  primary_[key_of(keys.primary_fingerprint)] = slot;
  for (const std::uint64_t key_id : keys.component_key_ids) {
    add_slot(key_ids_, key_id, slot);
  }
  for (const Bytes& fingerprint : keys.component_fingerprints) {
    add_slot(fingerprints_, key_of(fingerprint), slot);
  }
  for (const std::string& domain : keys.domains) {
    add_slot(domains_, lowercase(domain), slot);
  }
}

void CertIndex::remove(CertSlot slot, const IndexKeys& keys) {
  const auto primary = primary_.find(key_of(keys.primary_fingerprint));
  if (primary != primary_.end() && primary->second == slot) {
    primary_.erase(primary);
  }
  for (const std::uint64_t key_id : keys.component_key_ids) {
    remove_slot(key_ids_, key_id, slot);
  }
  for (const Bytes& fingerprint : keys.component_fingerprints) {
    remove_slot(fingerprints_, key_of(fingerprint), slot);
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
  const auto found = primary_.find(key_of(fingerprint));
  if (found == primary_.end()) {
    return std::nullopt;
  }
  return found->second;
}

std::span<const CertSlot> CertIndex::by_key_id(std::uint64_t key_id) const {
  return find_slots(key_ids_, key_id);
}

std::span<const CertSlot> CertIndex::by_fingerprint(ByteView fingerprint) const {
  return find_slots(fingerprints_, key_of(fingerprint));
}

std::span<const CertSlot> CertIndex::by_domain(std::string_view domain) const {
  return find_slots(domains_, lowercase(domain));
}

}  // namespace pgptls::keyring
