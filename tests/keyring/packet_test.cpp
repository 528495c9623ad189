#include "openpgp/packet.h"

#include <gtest/gtest.h>

#include "openpgp/errors.h"
#include "test_files.h"

namespace pgptls::keyring {
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
}  // namespace pgptls::keyring
