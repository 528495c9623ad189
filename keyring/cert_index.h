// cert_index.h: the lookup tables of the keyring store. They map primary
// fingerprints, component key IDs and fingerprints, and xmpp: domains to the
// slots (positions) of certificates held elsewhere, in O(1) on average.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/bytes.h"

namespace pgptls::keyring {

// CertSlot: the position of a certificate in the store that owns the index.
using CertSlot = std::uint32_t;

// IndexKeys: everything a certificate is found by. Fingerprints are raw bytes
// (20 for v4, 32 for v6); key IDs are the 8-byte key IDs of RFC 9580 §5.5.4
// read as big-endian integers; domains are already normalised (see
// xmpp_domain_of).
struct IndexKeys {
  Bytes primary_fingerprint;
  std::vector<Bytes> component_fingerprints;  // the primary key's and every subkey's
  std::vector<std::uint64_t> component_key_ids;
  std::vector<std::string> domains;
};

// key_id_value: an 8-byte key ID as the integer the index uses; nullopt when
// the view is not 8 bytes long.
[[nodiscard]] std::optional<std::uint64_t> key_id_value(ByteView key_id);

// xmpp_domain_of: the domain named by a user ID of the form `xmpp:DOMAIN` or
// `Name <xmpp:DOMAIN>`, lowercased (DNS names compare case-insensitively,
// RFC 4343; internationalised names are expected as IDNA A-labels); nullopt
// for any other user ID. The index is only a lookup aid: whether the user ID
// is valid and certified is decided by validation, not here.
[[nodiscard]] std::optional<std::string> xmpp_domain_of(std::string_view user_id);

// CertIndex: multi-maps from each kind of key to certificate slots. A key ID
// (and, in theory, a subkey fingerprint) may belong to several certificates,
// so lookups return every slot, in the order they were added.
class CertIndex {
 public:
  // add: makes `slot` findable by all of `keys`. Adding the same slot under
  // the same key twice keeps one entry.
  void add(CertSlot slot, const IndexKeys& keys);
  // remove: forgets `slot` under all of `keys` (the keys it was added with).
  void remove(CertSlot slot, const IndexKeys& keys);
  // clear: forgets everything.
  void clear();
  // reserve: prepares the tables for about `certificates` certificates.
  void reserve(std::size_t certificates);

  // by_primary_fingerprint: the slot whose primary key has this fingerprint.
  [[nodiscard]] std::optional<CertSlot> by_primary_fingerprint(ByteView fingerprint) const;
  // by_key_id: every slot with a component key of this key ID.
  [[nodiscard]] std::span<const CertSlot> by_key_id(std::uint64_t key_id) const;
  // by_fingerprint: every slot with a component key (primary or subkey) of
  // this fingerprint.
  [[nodiscard]] std::span<const CertSlot> by_fingerprint(ByteView fingerprint) const;
  // by_domain: every slot with an xmpp: user ID for this domain (compared
  // case-insensitively).
  [[nodiscard]] std::span<const CertSlot> by_domain(std::string_view domain) const;

  [[nodiscard]] std::size_t primary_count() const noexcept { return primary_.size(); }

 private:
  using Slots = std::vector<CertSlot>;
  std::unordered_map<std::string, CertSlot> primary_;
  std::unordered_map<std::uint64_t, Slots> key_ids_;
  std::unordered_map<std::string, Slots> fingerprints_;
  std::unordered_map<std::string, Slots> domains_;
};

}  // namespace pgptls::keyring
