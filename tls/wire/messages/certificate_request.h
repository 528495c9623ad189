// certificate_request.h: CertificateRequest (RFC 5246 §7.4.4).
#pragma once

#include <cstdint>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"

namespace pgptls::tls::messages {

// ClientCertificateType values (RFC 5246 §7.4.4, RFC 8422 §5.5).
inline constexpr std::uint8_t kRsaSign = 1;
inline constexpr std::uint8_t kDssSign = 2;
inline constexpr std::uint8_t kEcdsaSign = 64;

struct CertificateRequest {
  Bytes certificate_types;                          // <1..2^8-1>
  std::vector<std::uint16_t> signature_algorithms;  // <2..2^16-2>
  std::vector<Bytes> certificate_authorities;       // DistinguishedName list
};

// parse_certificate_request: fails with decode_error on malformed input.
// Whether authorities may be present (not with OpenPGP, RFC 6091 §3.4) is
// the caller's check, since it depends on the negotiated type.
[[nodiscard]] Result<CertificateRequest> parse_certificate_request(ByteView body);
[[nodiscard]] Result<Bytes> encode_certificate_request(const CertificateRequest& message);

}  // namespace pgptls::tls::messages
