#include "openpgp/armor.h"

#include <gtest/gtest.h>

#include "openpgp/errors.h"
#include "tests/support/test_files.h"

namespace pgptls::openpgp {
namespace {

std::string as_text(const Bytes& bytes) {
  return {bytes.begin(), bytes.end()};
}

TEST(Armor, DecodesGpgArmorToTheSameBytesAsTheBinaryExport) {
  const Bytes armored = test::gnutls_key("a.pub.asc");
  const Bytes binary = test::gnutls_key("a.pub.gpg");
  auto blocks = decode_armor_or_binary(armored);
  ASSERT_TRUE(blocks) << blocks.error().message();
  ASSERT_EQ(blocks->size(), 1U);
  EXPECT_EQ((*blocks)[0].label, "PGP PUBLIC KEY BLOCK");
  EXPECT_EQ((*blocks)[0].data, binary);
}

TEST(Armor, BinaryInputIsAutoDetected) {
  const Bytes binary = test::gnutls_key("a.pub.gpg");
  auto blocks = decode_armor_or_binary(binary);
  ASSERT_TRUE(blocks);
  ASSERT_EQ(blocks->size(), 1U);
  EXPECT_TRUE((*blocks)[0].label.empty());
  EXPECT_EQ((*blocks)[0].data, binary);
}

TEST(Armor, RoundTripsWithAndWithoutCrc) {
  const Bytes binary = test::gnutls_key("b.pub.gpg");
  for (const bool crc : {true, false}) {
    const std::string text = encode_armor("PGP PUBLIC KEY BLOCK", binary, crc);
    EXPECT_EQ(text.find("\n=") != std::string::npos, crc);
    auto blocks = decode_armor(text);
    ASSERT_TRUE(blocks) << blocks.error().message();
    EXPECT_EQ((*blocks)[0].data, binary);
  }
}

TEST(Armor, ToleratesCrlfWhitespaceAndSurroundingText) {
  const Bytes binary = test::gnutls_key("b.pub.gpg");
  std::string text = encode_armor("PGP PUBLIC KEY BLOCK", binary);
  std::string crlf = "Some mail text before the key\r\n\r\n";
  for (char c : text) {
    if (c == '\n') {
      crlf += "  \r\n";
    } else {
      crlf += c;
    }
  }
  crlf += "\r\ntrailing words\r\n";
  auto blocks = decode_armor(crlf);
  ASSERT_TRUE(blocks) << blocks.error().message();
  EXPECT_EQ((*blocks)[0].data, binary);
}

TEST(Armor, ReadsEveryBlockOfAFile) {
  const Bytes both = test::gnutls_key("signer+b.pub.asc");
  auto blocks = decode_armor(as_text(both));
  ASSERT_TRUE(blocks) << blocks.error().message();
  // Either two blocks or one block with two certificates; both are legal.
  std::size_t total = 0;
  for (const auto& b : *blocks) {
    total += b.data.size();
  }
  EXPECT_GT(total, 0U);
  const std::string two = encode_armor("PGP PUBLIC KEY BLOCK", test::gnutls_key("a.pub.gpg")) +
                          encode_armor("PGP PUBLIC KEY BLOCK", test::gnutls_key("b.pub.gpg"));
  auto pair = decode_armor(two);
  ASSERT_TRUE(pair);
  ASSERT_EQ(pair->size(), 2U);
  EXPECT_EQ((*pair)[1].data, test::gnutls_key("b.pub.gpg"));
}

TEST(Armor, RejectsACrcMismatch) {
  std::string text = encode_armor("PGP PUBLIC KEY BLOCK", test::gnutls_key("b.pub.gpg"));
  // Change one base64 character of the body (line 3), keeping valid base64.
  const auto pos = text.find('\n', text.find("\n\n") + 2) - 10;
  text[pos] = text[pos] == 'A' ? 'B' : 'A';
  auto blocks = decode_armor(text);
  ASSERT_FALSE(blocks);
  EXPECT_EQ(blocks.error().code, Errc::bad_armor);
  EXPECT_NE(blocks.error().message().find("CRC24"), std::string::npos);
}

TEST(Armor, RejectsAMissingEndLine) {
  std::string text = encode_armor("PGP PUBLIC KEY BLOCK", test::gnutls_key("b.pub.gpg"));
  text.resize(text.find("-----END"));
  auto blocks = decode_armor(text);
  ASSERT_FALSE(blocks);
  EXPECT_NE(blocks.error().message().find("no END line"), std::string::npos);
}

TEST(Armor, RejectsBadBase64AndTextWithoutBlocks) {
  auto bad = decode_armor(
      "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nab$d\n-----END PGP PUBLIC KEY BLOCK-----\n");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("base64"), std::string::npos);
  auto none = decode_armor("just some text\n");
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message().find("no \"-----BEGIN"), std::string::npos);
}

TEST(Armor, Crc24OfEmptyInputIsTheInitialValue) {
  EXPECT_EQ(crc24({}), 0xB704CEU);
}

}  // namespace
}  // namespace pgptls::openpgp
