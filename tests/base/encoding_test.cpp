#include "base/encoding.h"

#include <gtest/gtest.h>

#include "base/errors.h"

namespace pgptls::base {
namespace {

TEST(Encoding, HexRoundTrip) {
  const Bytes data = {0x00, 0x01, 0xAB, 0xFF};
  EXPECT_EQ(hex_encode(data), "0001abff");
  EXPECT_EQ(hex_encode_upper(data), "0001ABFF");
  EXPECT_EQ(*hex_decode("0001abff"), data);
  EXPECT_EQ(*hex_decode("0001ABFF"), data);
  EXPECT_EQ(hex_decode("")->size(), 0u);
}

TEST(Encoding, HexRejectsBadInput) {
  for (const char* text : {"0", "abc", "zz", "00 11", "0x00", "00\n"}) {
    const auto decoded = hex_decode(text);
    ASSERT_FALSE(decoded.ok()) << text;
    EXPECT_EQ(decoded.error().code, make_error_code(Errc::bad_hex)) << text;
  }
}

TEST(Encoding, Base64Rfc4648Vectors) {
  // RFC 4648 §10 test vectors.
  const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(as_bytes_view(plain)), encoded);
    const auto decoded = base64_decode(encoded);
    ASSERT_TRUE(decoded.ok()) << encoded;
    EXPECT_EQ(*decoded, to_bytes(as_bytes_view(plain)));
  }
}

TEST(Encoding, Base64RejectsBadInput) {
  for (const char* text :
       {"Zg=", "Zg", "Z===", "Zm9v\n", "Zm 9v", "Zm9v!AAA", "Zh==", "=Zm9", "Zm=v"}) {
    const auto decoded = base64_decode(text);
    ASSERT_FALSE(decoded.ok()) << text;
    EXPECT_EQ(decoded.error().code, make_error_code(Errc::bad_base64)) << text;
  }
}

}  // namespace
}  // namespace pgptls::base
