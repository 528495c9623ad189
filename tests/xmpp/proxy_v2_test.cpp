// PROXY protocol v2 (HAProxy spec §2.2): the header pgptls sends to the
// XMPP server, byte for byte, and the decoder's refusals.
#include "xmpp/proxy_v2.h"

#include <gtest/gtest.h>

#include "xmpp/errors.h"

namespace pgptls::xmpp {
namespace {

ProxyHeader ipv4_header() {
  ProxyHeader header;
  header.source = {{127, 0, 0, 2}, 40000};
  header.destination = {{127, 0, 0, 1}, 5269};
  header.tlvs.push_back({kTlvAuthenticatedDomain, "b.example"});
  header.tlvs.push_back({kTlvAcceptedBy, "cert=x509 pin"});
  header.tlvs.push_back({kTlvSsl, ssl_tlv_value("TLSv1.3")});
  return header;
}

TEST(ProxyV2, EncodesTheSpecLayout) {
  auto bytes = encode_proxy_v2(ipv4_header());
  ASSERT_TRUE(bytes.ok());
  const std::string& out = *bytes;
  EXPECT_EQ(out.substr(0, 12), std::string("\r\n\r\n\0\r\nQUIT\n", 12));
  EXPECT_EQ(static_cast<std::uint8_t>(out[12]), 0x21);  // v2, PROXY
  EXPECT_EQ(static_cast<std::uint8_t>(out[13]), 0x11);  // TCP over IPv4
  const std::size_t length =
      (static_cast<std::uint8_t>(out[14]) << 8) | static_cast<std::uint8_t>(out[15]);
  EXPECT_EQ(out.size(), 16 + length);
  // Addresses then ports, network order.
  EXPECT_EQ(out.substr(16, 12),
            std::string("\x7f\x00\x00\x02\x7f\x00\x00\x01\x9c\x40\x14\x95", 12));
  // First TLV: 0xE0, length 9, "b.example".
  EXPECT_EQ(out.substr(28, 12), std::string("\xe0\x00\x09"
                                            "b.example",
                                            12));
  // The SSL TLV: client 0x07, verify 0, sub-TLV 0x21 "TLSv1.3".
  const std::string ssl = ssl_tlv_value("TLSv1.3");
  EXPECT_EQ(ssl, std::string("\x07\x00\x00\x00\x00\x21\x00\x07TLSv1.3", 15));
}

TEST(ProxyV2, RoundTripsIpv4AndIpv6) {
  std::size_t consumed = 0;
  auto bytes = encode_proxy_v2(ipv4_header());
  ASSERT_TRUE(bytes.ok());
  auto decoded = decode_proxy_v2(*bytes + "<stream:stream", consumed);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message();
  EXPECT_EQ(consumed, bytes->size());
  EXPECT_EQ(decoded->source.port, 40000);
  EXPECT_EQ(decoded->destination.ip, (std::vector<std::uint8_t>{127, 0, 0, 1}));
  ASSERT_EQ(decoded->tlvs.size(), 3U);
  EXPECT_EQ(decoded->tlvs[0].value, "b.example");
  EXPECT_EQ(decoded->tlvs[1].value, "cert=x509 pin");

  ProxyHeader v6;
  v6.source = {std::vector<std::uint8_t>(16, 0), 1};
  v6.source.ip[15] = 1;
  v6.destination = {std::vector<std::uint8_t>(16, 0), 5269};
  auto v6_bytes = encode_proxy_v2(v6);
  ASSERT_TRUE(v6_bytes.ok());
  EXPECT_EQ(static_cast<std::uint8_t>((*v6_bytes)[13]), 0x21);
  EXPECT_EQ(v6_bytes->size(), 16U + 36U);
  auto v6_decoded = decode_proxy_v2(*v6_bytes, consumed);
  ASSERT_TRUE(v6_decoded.ok());
  EXPECT_EQ(v6_decoded->source.ip, v6.source.ip);
}

TEST(ProxyV2, RefusesMixedFamilies) {
  ProxyHeader header = ipv4_header();
  header.destination.ip = std::vector<std::uint8_t>(16, 0);
  EXPECT_FALSE(encode_proxy_v2(header).ok());
}

TEST(ProxyV2, DecoderRefusesBadInput) {
  std::size_t consumed = 0;
  auto good = encode_proxy_v2(ipv4_header());
  ASSERT_TRUE(good.ok());
  const auto refuse = [&](std::string bytes) {
    auto decoded = decode_proxy_v2(bytes, consumed);
    EXPECT_FALSE(decoded.ok());
    if (!decoded.ok()) {
      EXPECT_EQ(decoded.error().code, make_error_code(Errc::bad_proxy_header));
    }
  };
  refuse("PROXY TCP4 127.0.0.1 127.0.0.1 1 2\r\n");  // version 1 text
  refuse(good->substr(0, 20));                       // truncated
  std::string wrong_version = *good;
  wrong_version[12] = 0x20;  // LOCAL command
  refuse(wrong_version);
  std::string wrong_family = *good;
  wrong_family[13] = 0x31;  // AF_UNIX
  refuse(wrong_family);
  std::string bad_tlv = *good;
  bad_tlv[30] = '\x7f';  // the first TLV claims more bytes than there are
  refuse(bad_tlv);
}

}  // namespace
}  // namespace pgptls::xmpp
