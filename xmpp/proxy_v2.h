// proxy_v2.h: the PROXY protocol version 2 header (HAProxy's "PROXY
// protocol" specification, §2.2) that pgptls sends to the local XMPP server
// before the relayed stream: the peer's real address and, in TLVs, the
// domain TLS authenticated (0xE0), how it was accepted (0xE1) and
// PP2_TYPE_SSL (0x20) with the TLS version; contrib/prosody/mod_pgptls.lua reads them.
//
// Usage:
//   xmpp::ProxyHeader header;
//   header.source = {.ip = {127, 0, 0, 1}, .port = 40000}; ...
//   header.tlvs.push_back({xmpp::kTlvAuthenticatedDomain, "b.example"});
//   std::string bytes = xmpp::encode_proxy_v2(header);
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace pgptls::xmpp {

// The 12-byte signature "\r\n\r\n\0\r\nQUIT\n".
inline constexpr std::string_view kProxyV2Signature{"\r\n\r\n\0\r\nQUIT\n", 12};

inline constexpr std::uint8_t kTlvSsl = 0x20;                  // PP2_TYPE_SSL
inline constexpr std::uint8_t kTlvSslVersion = 0x21;           // PP2_SUBTYPE_SSL_VERSION
inline constexpr std::uint8_t kTlvAuthenticatedDomain = 0xE0;  // pgptls: the TLS-verified domain
inline constexpr std::uint8_t kTlvAcceptedBy = 0xE1;           // pgptls: how it was accepted (log)
inline constexpr std::uint8_t kSslClientSsl = 0x01;            // PP2_CLIENT_SSL
inline constexpr std::uint8_t kSslClientCertConn = 0x02;       // PP2_CLIENT_CERT_CONN
inline constexpr std::uint8_t kSslClientCertSess = 0x04;       // PP2_CLIENT_CERT_SESS

// ProxyAddress: an IPv4 (4 bytes) or IPv6 (16 bytes) address and a port.
struct ProxyAddress {
  std::vector<std::uint8_t> ip;
  std::uint16_t port = 0;
};

struct ProxyTlv {
  std::uint8_t type = 0;
  std::string value;
};

// ProxyHeader: a PROXY command (ver_cmd 0x21) over TCP. source and
// destination must be of one family (both 4 or both 16 bytes).
struct ProxyHeader {
  ProxyAddress source;
  ProxyAddress destination;
  std::vector<ProxyTlv> tlvs;
};

// ssl_tlv_value: the value of a PP2_TYPE_SSL TLV: client flags SSL,
// CERT_CONN and CERT_SESS, verify 0 (the certificate was verified), and a
// PP2_SUBTYPE_SSL_VERSION sub-TLV ("TLSv1.2").
[[nodiscard]] std::string ssl_tlv_value(std::string_view tls_version);

// encode_proxy_v2: the header's bytes. Fails (invalid_value) when the
// address families differ or are not 4/16 bytes, or a TLV exceeds 65535
// bytes.
[[nodiscard]] Result<std::string> encode_proxy_v2(const ProxyHeader& header);

// decode_proxy_v2: parses a header at the start of `bytes` (for tests and
// the fuzz target); `consumed` is set to its length. Fails with
// Errc::bad_proxy_header on a bad signature, version, command, family,
// length or TLV framing.
[[nodiscard]] Result<ProxyHeader> decode_proxy_v2(std::string_view bytes, std::size_t& consumed);

}  // namespace pgptls::xmpp
