#include "xmpp/proxy_v2.h"

#include "base/errors.h"
#include "xmpp/errors.h"

namespace pgptls::xmpp {
namespace {

constexpr std::uint8_t kVersion2Proxy = 0x21;  // version 2, command PROXY
constexpr std::uint8_t kTcpOverIpv4 = 0x11;
constexpr std::uint8_t kTcpOverIpv6 = 0x21;

void put_u16(std::string& out, std::size_t value) {
  out += static_cast<char>((value >> 8) & 0xFF);
  out += static_cast<char>(value & 0xFF);
}

void put_u32(std::string& out, std::uint32_t value) {
  put_u16(out, value >> 16);
  put_u16(out, value & 0xFFFF);
}

void put_tlv(std::string& out, std::uint8_t type, std::string_view value) {
  out += static_cast<char>(type);
  put_u16(out, value.size());
  out += value;
}

std::uint16_t get_u16(std::string_view bytes, std::size_t at) {
  return static_cast<std::uint16_t>((static_cast<std::uint8_t>(bytes[at]) << 8) |
                                    static_cast<std::uint8_t>(bytes[at + 1]));
}

Error bad(std::string context) {
  return make_error(Errc::bad_proxy_header, std::move(context));
}

}  // namespace

std::string ssl_tlv_value(std::string_view tls_version) {
  std::string value;
  value += static_cast<char>(kSslClientSsl | kSslClientCertConn | kSslClientCertSess);
  put_u32(value, 0);  // verify: 0 means the client certificate was verified
  put_tlv(value, kTlvSslVersion, tls_version);
  return value;
}

Result<std::string> encode_proxy_v2(const ProxyHeader& header) {
  const std::size_t family_size = header.source.ip.size();
  if ((family_size != 4 && family_size != 16) || header.destination.ip.size() != family_size) {
    return make_error(base::Errc::invalid_value,
                      "PROXY v2 addresses must both be IPv4 or both IPv6");
  }
  std::string body;
  body.append(header.source.ip.begin(), header.source.ip.end());
  body.append(header.destination.ip.begin(), header.destination.ip.end());
  put_u16(body, header.source.port);
  put_u16(body, header.destination.port);
  for (const ProxyTlv& tlv : header.tlvs) {
    if (tlv.value.size() > 0xFFFF) {
      return make_error(base::Errc::invalid_value, "a PROXY v2 TLV longer than 65535 bytes");
    }
    put_tlv(body, tlv.type, tlv.value);
  }
  if (body.size() > 0xFFFF) {
    return make_error(base::Errc::invalid_value, "a PROXY v2 header longer than 65535 bytes");
  }
  std::string out(kProxyV2Signature);
  out += static_cast<char>(kVersion2Proxy);
  out += static_cast<char>(family_size == 4 ? kTcpOverIpv4 : kTcpOverIpv6);
  put_u16(out, body.size());
  return out + body;
}

Result<ProxyHeader> decode_proxy_v2(std::string_view bytes, std::size_t& consumed) {
  constexpr std::size_t kFixed = 16;
  if (bytes.size() < kFixed) {
    return bad("shorter than the 16-byte fixed part");
  }
  if (bytes.substr(0, kProxyV2Signature.size()) != kProxyV2Signature) {
    return bad("wrong signature");
  }
  if (static_cast<std::uint8_t>(bytes[12]) != kVersion2Proxy) {
    return bad("not version 2 with the PROXY command");
  }
  const auto family = static_cast<std::uint8_t>(bytes[13]);
  const std::size_t length = get_u16(bytes, 14);
  if (bytes.size() < kFixed + length) {
    return bad("the length field runs past the end");
  }
  std::size_t ip_size = 0;
  if (family == kTcpOverIpv4) {
    ip_size = 4;
  } else if (family == kTcpOverIpv6) {
    ip_size = 16;
  } else {
    return bad("not TCP over IPv4 or IPv6");
  }
  const std::string_view body = bytes.substr(kFixed, length);
  if (body.size() < 2 * ip_size + 4) {
    return bad("the address block is truncated");
  }
  ProxyHeader header;
  header.source.ip.assign(body.begin(), body.begin() + static_cast<std::ptrdiff_t>(ip_size));
  header.destination.ip.assign(body.begin() + static_cast<std::ptrdiff_t>(ip_size),
                               body.begin() + static_cast<std::ptrdiff_t>(2 * ip_size));
  header.source.port = get_u16(body, 2 * ip_size);
  header.destination.port = get_u16(body, 2 * ip_size + 2);
  std::size_t at = 2 * ip_size + 4;
  while (at < body.size()) {
    if (body.size() - at < 3) {
      return bad("a truncated TLV header");
    }
    const auto type = static_cast<std::uint8_t>(body[at]);
    const std::size_t size = get_u16(body, at + 1);
    if (body.size() - at - 3 < size) {
      return bad("a TLV runs past the header");
    }
    header.tlvs.push_back({type, std::string(body.substr(at + 3, size))});
    at += 3 + size;
  }
  consumed = kFixed + length;
  return header;
}

}  // namespace pgptls::xmpp
