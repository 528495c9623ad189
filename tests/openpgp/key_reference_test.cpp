// parse_key_reference: key IDs and fingerprints as operators paste them.
#include "openpgp/key_reference.h"

#include <gtest/gtest.h>

#include "base/encoding.h"

namespace pgptls::openpgp {
namespace {

std::string parsed_hex(std::string_view text) {
  const auto bytes = parse_key_reference(text);
  return bytes ? base::hex_encode_upper(*bytes) : std::string("none");
}

TEST(KeyReference, AcceptsKeyIdsAndV4AndV6FingerprintsAsGpgPrintsThem) {
  EXPECT_EQ(parsed_hex("0E8DFFE12011AF66"), "0E8DFFE12011AF66");
  EXPECT_EQ(parsed_hex("0x0e8dffe12011af66"), "0E8DFFE12011AF66");
  EXPECT_EQ(parsed_hex("55FD 0660 6D65 2C8F C252  D9A6 0E8D FFE1 2011 AF66"),
            "55FD06606D652C8FC252D9A60E8DFFE12011AF66");
  const std::string v6(64, 'a');
  EXPECT_EQ(parsed_hex(v6), std::string(64, 'A'));
}

TEST(KeyReference, RefusesEverythingElse) {
  EXPECT_EQ(parsed_hex(""), "none");
  EXPECT_EQ(parsed_hex("0x"), "none");
  EXPECT_EQ(parsed_hex("0E8DFFE12011AF6"), "none");     // odd length
  EXPECT_EQ(parsed_hex("0E8DFFE12011AF6G"), "none");    // not hex
  EXPECT_EQ(parsed_hex("0E8DFFE12011AF660E"), "none");  // 9 bytes
  EXPECT_EQ(parsed_hex(std::string(48, 'a')), "none");  // 24 bytes
  EXPECT_EQ(parsed_hex("0E8D-FFE1-2011-AF66"), "none");
}

}  // namespace
}  // namespace pgptls::openpgp
