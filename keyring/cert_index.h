// cert_index.h: the lookup tables of the keyring store. They map primary
// fingerprints, component key IDs and fingerprints, and xmpp: domains to the
// slots (positions) of certificates held elsewhere, in O(1) on average.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
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
// keyring/domain.h, xmpp_domain_of).
struct IndexKeys {
  Bytes primary_fingerprint;
  std::vector<Bytes> component_fingerprints;  // the primary key's and every subkey's
  std::vector<std::uint64_t> component_key_ids;
  std::vector<std::string> domains;
};

// key_id_value: an 8-byte key ID as the integer the index uses; nullopt when
// the view is not 8 bytes long.
[[nodiscard]] std::optional<std::uint64_t> key_id_value(ByteView key_id);

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
  // FingerprintKey: a fingerprint held inline (no allocation per entry).
  struct FingerprintKey {
    std::array<std::uint8_t, 32> bytes{};
    std::uint8_t size = 0;
    bool operator==(const FingerprintKey&) const = default;
  };
  // SlotList: the slots of one key; one inline (the usual case), more on the
  // heap only when certificates share the key.
  class SlotList {
   public:
    [[nodiscard]] std::span<const CertSlot> view() const noexcept;
    void add(CertSlot slot);
    // remove: returns true when the list became empty.
    bool remove(CertSlot slot);

   private:
    CertSlot first_ = 0;
    bool has_first_ = false;
    std::vector<CertSlot> all_;  // every slot, once there are two or more
  };
  // Hash functions keyed with a per-process random seed: fingerprints and
  // key IDs are chosen by whoever made the keys, and a fixed hash would let
  // them be ground to pile up in one bucket.
  struct KeyIdHash {
    std::uint64_t seed;
    std::size_t operator()(std::uint64_t key_id) const noexcept;
  };
  struct FingerprintHash {
    std::uint64_t seed;
    std::size_t operator()(const FingerprintKey& key) const noexcept;
  };
  struct DomainHash {
    using is_transparent = void;
    std::uint64_t seed;
    std::size_t operator()(std::string_view domain) const noexcept;
  };

  [[nodiscard]] static FingerprintKey fingerprint_key(ByteView fingerprint) noexcept;
  [[nodiscard]] static std::uint64_t random_seed();

  std::uint64_t seed_ = random_seed();
  std::unordered_map<FingerprintKey, CertSlot, FingerprintHash> primary_{0, FingerprintHash{seed_}};
  std::unordered_map<std::uint64_t, SlotList, KeyIdHash> key_ids_{0, KeyIdHash{seed_}};
  std::unordered_map<FingerprintKey, SlotList, FingerprintHash> fingerprints_{
      0, FingerprintHash{seed_}};
  std::unordered_map<std::string, SlotList, DomainHash, std::equal_to<>> domains_{
      0, DomainHash{seed_}};
};

}  // namespace pgptls::keyring
