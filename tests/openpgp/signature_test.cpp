// parse_signature on signature bodies the test writes subpacket by
// subpacket (RFC 9580 §5.2.3): the issuer subpackets' sizes come from the
// key version, and an unknown critical subpacket makes the signature
// unusable.
#include "openpgp/signature.h"

#include <gtest/gtest.h>

#include <string>

#include "base/byte_writer.h"
#include "openpgp/errors.h"
#include "openpgp/key_material.h"
#include "openpgp/packet.h"

namespace pgptls::openpgp {
namespace {

// Subpacket: one hashed subpacket; `critical` sets bit 7 of the type.
struct Subpacket {
  std::uint8_t type;
  Bytes data;
  bool critical = false;
};

std::uint8_t type_of(SubpacketType type) {
  return static_cast<std::uint8_t>(type);
}

// v4_signature: a v4 RSA signature body whose hashed area holds
// `subpackets` and whose signature value is a one-octet MPI.
Bytes v4_signature(const std::vector<Subpacket>& subpackets) {
  base::ByteWriter writer;
  writer.u8(kSignatureVersion4);
  writer.u8(static_cast<std::uint8_t>(SignatureType::binary));
  writer.u8(static_cast<std::uint8_t>(PublicKeyAlgorithm::rsa));
  writer.u8(10);  // SHA-512
  {
    auto hashed = writer.prefixed(base::LengthPrefix::u16);
    for (const Subpacket& subpacket : subpackets) {
      write_length(writer, 1 + subpacket.data.size());
      writer.u8(static_cast<std::uint8_t>(subpacket.type | (subpacket.critical ? 0x80 : 0)));
      writer.bytes(subpacket.data);
    }
  }
  writer.u16(0);  // no unhashed subpackets
  writer.u16(0);  // the hash prefix
  writer.u16(8);  // an 8-bit MPI
  writer.u8(0x80);
  auto body = std::move(writer).finish();
  EXPECT_TRUE(body.ok());
  return body.ok() ? *body : Bytes{};
}

// issuer_fingerprint: the subpacket's data, a key version and `size` octets.
Bytes issuer_fingerprint(std::uint8_t version, std::size_t size) {
  Bytes data(1 + size, 0xAB);
  data[0] = version;
  return data;
}

std::string refusal(const Bytes& body) {
  const auto parsed = parse_signature(body);
  return parsed.ok() ? std::string() : parsed.error().message();
}

TEST(SignatureSubpackets, ReadsTheIssuerSubpacketsOfEachKeyVersion) {
  const auto v4 = parse_signature(
      v4_signature({{type_of(SubpacketType::issuer_fingerprint),
                     issuer_fingerprint(kKeyVersion4, kV4FingerprintSize)},
                    {type_of(SubpacketType::issuer_key_id), Bytes(kKeyIdSize, 0xAB)}}));
  ASSERT_TRUE(v4.ok()) << v4.error().message();
  EXPECT_EQ(v4->issuer_fingerprint, Bytes(kV4FingerprintSize, 0xAB));
  EXPECT_EQ(v4->issuer_key_id, Bytes(kKeyIdSize, 0xAB));

  const auto v6 =
      parse_signature(v4_signature({{type_of(SubpacketType::issuer_fingerprint),
                                     issuer_fingerprint(kKeyVersion6, kV6FingerprintSize)}}));
  ASSERT_TRUE(v6.ok()) << v6.error().message();
  EXPECT_EQ(v6->issuer_fingerprint, Bytes(kV6FingerprintSize, 0xAB));
}

TEST(SignatureSubpackets, RefusesIssuerSubpacketsOfTheWrongSize) {
  const std::string mismatch = "issuer fingerprint length does not match its key version";
  EXPECT_NE(refusal(v4_signature({{type_of(SubpacketType::issuer_fingerprint),
                                   issuer_fingerprint(kKeyVersion4, kV6FingerprintSize)}}))
                .find(mismatch),
            std::string::npos);
  EXPECT_NE(refusal(v4_signature({{type_of(SubpacketType::issuer_fingerprint),
                                   issuer_fingerprint(kKeyVersion6, kV4FingerprintSize)}}))
                .find(mismatch),
            std::string::npos);
  EXPECT_NE(refusal(v4_signature({{type_of(SubpacketType::issuer_key_id), Bytes(7, 0xAB)}}))
                .find("issuer key ID subpacket is not 8 octets"),
            std::string::npos);
}

TEST(SignatureSubpackets, AnUnknownCriticalSubpacketMakesTheSignatureUnusable) {
  const auto known = parse_signature(
      v4_signature({{type_of(SubpacketType::preferred_hash), Bytes{10}, /*critical=*/true}}));
  ASSERT_TRUE(known.ok());
  EXPECT_FALSE(known->has_unknown_critical);

  const auto unknown = parse_signature(v4_signature({{100, Bytes{1}, /*critical=*/true}}));
  ASSERT_TRUE(unknown.ok()) << unknown.error().message();
  EXPECT_TRUE(unknown->has_unknown_critical);
  EXPECT_EQ(unknown->unknown_critical_note, "critical subpacket type 100");
}

}  // namespace
}  // namespace pgptls::openpgp
