#include <gtest/gtest.h>

#include "keyring/cert_index.h"

namespace pgptls::keyring {
namespace {

Bytes fingerprint(std::uint8_t fill, std::size_t size = 20) {
  return Bytes(size, fill);
}

IndexKeys keys_for(std::uint8_t fill, std::vector<std::uint64_t> key_ids,
                   std::vector<std::string> domains) {
  IndexKeys keys;
  keys.primary_fingerprint = fingerprint(fill);
  keys.component_fingerprints = {fingerprint(fill),
                                 fingerprint(static_cast<std::uint8_t>(fill + 1))};
  keys.component_key_ids = std::move(key_ids);
  keys.domains = std::move(domains);
  return keys;
}

TEST(CertIndexTest, FindsByEveryKind) {
  CertIndex index;
  index.add(0, keys_for(0x10, {1, 2}, {"a.example"}));
  index.add(1, keys_for(0x20, {3}, {"b.example"}));

  EXPECT_EQ(index.by_primary_fingerprint(fingerprint(0x10)), 0u);
  EXPECT_EQ(index.by_primary_fingerprint(fingerprint(0x20)), 1u);
  // A subkey fingerprint is not a primary fingerprint.
  EXPECT_FALSE(index.by_primary_fingerprint(fingerprint(0x11)).has_value());
  ASSERT_EQ(index.by_fingerprint(fingerprint(0x11)).size(), 1u);
  EXPECT_EQ(index.by_fingerprint(fingerprint(0x11))[0], 0u);
  ASSERT_EQ(index.by_key_id(3).size(), 1u);
  EXPECT_EQ(index.by_key_id(3)[0], 1u);
  EXPECT_TRUE(index.by_key_id(4).empty());
  ASSERT_EQ(index.by_domain("B.Example").size(), 1u);
  EXPECT_EQ(index.by_domain("b.example")[0], 1u);
  EXPECT_TRUE(index.by_domain("c.example").empty());
  EXPECT_EQ(index.primary_count(), 2u);
}

TEST(CertIndexTest, KeyIdCollisionReturnsEveryCertificate) {
  CertIndex index;
  index.add(0, keys_for(0x10, {42}, {"shared.example"}));
  index.add(1, keys_for(0x30, {42}, {"shared.example"}));
  const auto slots = index.by_key_id(42);
  ASSERT_EQ(slots.size(), 2u);
  EXPECT_EQ(slots[0], 0u);
  EXPECT_EQ(slots[1], 1u);
  EXPECT_EQ(index.by_domain("shared.example").size(), 2u);
}

TEST(CertIndexTest, AddingTwiceKeepsOneEntryAndRemoveForgets) {
  CertIndex index;
  const IndexKeys keys = keys_for(0x10, {7}, {"a.example"});
  index.add(0, keys);
  index.add(0, keys);
  EXPECT_EQ(index.by_key_id(7).size(), 1u);
  index.remove(0, keys);
  EXPECT_TRUE(index.by_key_id(7).empty());
  EXPECT_TRUE(index.by_domain("a.example").empty());
  EXPECT_TRUE(index.by_fingerprint(fingerprint(0x10)).empty());
  EXPECT_FALSE(index.by_primary_fingerprint(fingerprint(0x10)).has_value());
}

TEST(CertIndexTest, CollisionListsShrinkAndGrowCorrectly) {
  CertIndex index;
  const IndexKeys a = keys_for(0x10, {42}, {"a.example"});
  const IndexKeys b = keys_for(0x30, {42}, {"a.example"});
  const IndexKeys c = keys_for(0x50, {42}, {"A.EXAMPLE"});
  index.add(0, a);
  index.add(1, b);
  index.add(2, c);
  EXPECT_EQ(std::vector<CertSlot>(index.by_key_id(42).begin(), index.by_key_id(42).end()),
            (std::vector<CertSlot>{0, 1, 2}));
  index.remove(1, b);
  EXPECT_EQ(std::vector<CertSlot>(index.by_key_id(42).begin(), index.by_key_id(42).end()),
            (std::vector<CertSlot>{0, 2}));
  index.remove(0, a);
  ASSERT_EQ(index.by_key_id(42).size(), 1u);
  EXPECT_EQ(index.by_key_id(42)[0], 2u);
  EXPECT_EQ(index.by_domain("a.example").size(), 1u);
  index.add(3, keys_for(0x70, {42}, {}));
  EXPECT_EQ(index.by_key_id(42).size(), 2u);
  index.remove(2, c);
  index.remove(3, keys_for(0x70, {42}, {}));
  EXPECT_TRUE(index.by_key_id(42).empty());
  EXPECT_TRUE(index.by_domain("a.example").empty());
  EXPECT_EQ(index.primary_count(), 0u);
}

TEST(CertIndexTest, FingerprintsOfEveryLengthAreKeptApart) {
  CertIndex index;
  IndexKeys v6;
  v6.primary_fingerprint = fingerprint(0x10, 32);
  v6.component_fingerprints = {v6.primary_fingerprint};
  index.add(0, v6);
  EXPECT_EQ(index.by_primary_fingerprint(fingerprint(0x10, 32)), 0u);
  // A 20-byte prefix of a v6 fingerprint is a different fingerprint.
  EXPECT_FALSE(index.by_primary_fingerprint(fingerprint(0x10, 20)).has_value());
  EXPECT_FALSE(index.by_primary_fingerprint(fingerprint(0x10, 40)).has_value());
  EXPECT_TRUE(index.by_fingerprint(fingerprint(0x10, 33)).empty());
  EXPECT_TRUE(index.by_fingerprint({}).empty());

  IndexKeys too_long;
  too_long.primary_fingerprint = fingerprint(0x20, 40);
  too_long.component_fingerprints = {too_long.primary_fingerprint};
  index.add(1, too_long);
  EXPECT_FALSE(index.by_primary_fingerprint(fingerprint(0x20, 40)).has_value());
  EXPECT_TRUE(index.by_fingerprint(fingerprint(0x30, 41)).empty());
}

TEST(CertIndexTest, KeyIdValueReadsBigEndian) {
  const Bytes id{0x8E, 0x62, 0x2E, 0x61, 0xC5, 0x95, 0x5D, 0xD4};
  EXPECT_EQ(key_id_value(id), 0x8E622E61C5955DD4u);
  EXPECT_FALSE(key_id_value(Bytes(7, 0)).has_value());
}

}  // namespace
}  // namespace pgptls::keyring
