#include "openpgp/packet.h"

#include <gtest/gtest.h>

#include "openpgp/errors.h"
#include "openpgp/key_material.h"
#include "tests/support/test_files.h"

namespace pgptls::openpgp {
namespace {

TEST(Packets, SplitsAGpgExportIntoItsPackets) {
  const Bytes binary = test::gnutls_key("sub3-a.pub.gpg");
  auto packets = split_packets(binary);
  ASSERT_TRUE(packets) << packets.error().message();
  ASSERT_GE(packets->size(), 5U);
  EXPECT_EQ((*packets)[0].tag, 6);
  EXPECT_EQ((*packets)[1].tag, 13);
}

TEST(Packets, WritesEveryNewFormatLengthAndReadsItBack) {
  for (const std::size_t size : {0UL, 1UL, 191UL, 192UL, 8383UL, 8384UL, 70000UL}) {
    base::ByteWriter writer;
    const Bytes body(size, 0x5A);
    write_packet(writer, PacketTag::user_id, body);
    auto bytes = std::move(writer).finish();
    ASSERT_TRUE(bytes);
    auto packets = split_packets(*bytes);
    ASSERT_TRUE(packets) << size;
    ASSERT_EQ(packets->size(), 1U);
    EXPECT_EQ((*packets)[0].tag, 13);
    EXPECT_EQ((*packets)[0].body.size(), size);
  }
}

TEST(Packets, OneLengthRuleForPacketsAndSubpackets) {
  // RFC 9580 §4.2.1 and §5.2.3.7: the same one, two and five octet forms.
  for (const std::size_t size : {0UL, 191UL, 192UL, 8383UL, 8384UL, 70000UL}) {
    for (const LengthRule rule : {LengthRule::packet, LengthRule::subpacket}) {
      base::ByteWriter writer;
      write_length(writer, size);
      auto bytes = std::move(writer).finish();
      ASSERT_TRUE(bytes);
      base::ByteReader reader(*bytes);
      auto length = read_length(reader, rule);
      ASSERT_TRUE(length) << size;
      EXPECT_EQ(*length, size);
      EXPECT_TRUE(reader.empty());
    }
  }
  // 224..254: a partial length in a packet header, two octets in a subpacket.
  const Bytes e1 = {0xE1, 0x05};
  base::ByteReader packet_reader(e1);
  auto partial = read_length(packet_reader, LengthRule::packet);
  ASSERT_FALSE(partial);
  EXPECT_NE(partial.error().message().find("partial body length"), std::string::npos);
  base::ByteReader subpacket_reader(e1);
  auto two = read_length(subpacket_reader, LengthRule::subpacket);
  ASSERT_TRUE(two);
  EXPECT_EQ(*two, ((0xE1U - 192) << 8) + 5 + 192);
  // Truncations name the form that was cut.
  for (const auto& [bytes, what] :
       std::vector<std::pair<Bytes, std::string>>{{{}, "truncated length"},
                                                  {{0xC5}, "truncated two-octet length"},
                                                  {{0xFF, 0, 1}, "truncated five-octet length"}}) {
    base::ByteReader reader(bytes);
    auto cut = read_length(reader, LengthRule::subpacket);
    ASSERT_FALSE(cut);
    EXPECT_EQ(cut.error().code, Errc::malformed_packet);
    EXPECT_NE(cut.error().message().find(what), std::string::npos) << cut.error().message();
  }
}

TEST(Packets, KeyHashPrefixIsTheTagAndTheBodyLength) {
  // RFC 9580 §5.2.4: 0x99 and two octets (v4), 0x9B and four octets (v6).
  PublicKey key;
  key.version = 4;
  key.body = Bytes(0x1234, 0);
  auto v4 = key_hash_prefix(key);
  ASSERT_TRUE(v4);
  EXPECT_EQ(*v4, (Bytes{0x99, 0x12, 0x34}));
  key.version = 6;
  auto v6 = key_hash_prefix(key);
  ASSERT_TRUE(v6);
  EXPECT_EQ(*v6, (Bytes{0x9B, 0, 0, 0x12, 0x34}));
  // A v4 body past 2^16 - 1 octets cannot be hashed as RFC 9580 says.
  key.version = 4;
  key.body = Bytes(0x10000, 0);
  auto too_long = key_hash_prefix(key);
  ASSERT_FALSE(too_long);
  EXPECT_EQ(too_long.error().code, Errc::malformed_packet);
}

TEST(Packets, ReadsLegacyFormatLengths) {
  // Legacy headers are what gpg writes for keys; build each length type.
  const Bytes one = {0xB4, 0x02, 'h', 'i'};            // tag 13, 1-octet length
  const Bytes two = {0xB5, 0x00, 0x02, 'h', 'i'};      // 2-octet length
  const Bytes four = {0xB6, 0, 0, 0, 0x02, 'h', 'i'};  // 4-octet length
  for (const auto& bytes : {one, two, four}) {
    auto packets = split_packets(bytes);
    ASSERT_TRUE(packets) << packets.error().message();
    EXPECT_EQ((*packets)[0].tag, 13);
    EXPECT_EQ((*packets)[0].body.size(), 2U);
  }
}

TEST(Packets, RejectsPartialAndIndeterminateLengths) {
  const Bytes partial = {0xCD, 0xE1, 'a', 'b'};  // new format, partial length 2
  auto p = split_packets(partial);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, Errc::malformed_packet);
  EXPECT_NE(p.error().message().find("partial body length"), std::string::npos);
  const Bytes indeterminate = {0xB7, 'a'};
  auto i = split_packets(indeterminate);
  ASSERT_FALSE(i);
  EXPECT_NE(i.error().message().find("indeterminate"), std::string::npos);
}

TEST(Packets, RejectsA4GiBLengthAgainstTheCap) {
  const Bytes huge = {0xCD, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 'a'};
  auto p = split_packets(huge);
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message().find("exceeds the policy cap"), std::string::npos);
}

TEST(Packets, RejectsNonOpenPgpAndTruncation) {
  const Bytes text = {'h', 'e', 'l', 'l', 'o'};
  auto t = split_packets(text);
  ASSERT_FALSE(t);
  EXPECT_NE(t.error().message().find("offset 0"), std::string::npos);
  const Bytes binary = test::gnutls_key("a.pub.gpg");
  for (std::size_t cut = 1; cut < binary.size(); cut += 7) {
    auto packets = split_packets(ByteView(binary).first(cut));
    if (packets) {
      // A cut exactly between packets is a shorter, valid packet sequence.
      continue;
    }
    EXPECT_EQ(packets.error().code, Errc::malformed_packet);
  }
}

}  // namespace
}  // namespace pgptls::openpgp
