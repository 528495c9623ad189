// certificate_type.h: the certificate types a TLS peer can present.
#pragma once

#include <cstdint>
#include <string_view>

namespace pgptls::tls {

// CertificateType: values of the TLS CertificateType registry (RFC 6091 §4,
// RFC 7250 §3), as carried in the cert_type extension.
enum class CertificateType : std::uint8_t {
  x509 = 0,
  openpgp = 1,
  raw_public_key = 2,
};

// certificate_type_name: "x509", "openpgp" or "rawpk", as the programs print.
constexpr std::string_view certificate_type_name(CertificateType type) {
  switch (type) {
    case CertificateType::x509:
      return "x509";
    case CertificateType::openpgp:
      return "openpgp";
    case CertificateType::raw_public_key:
      return "rawpk";
  }
  return "unknown";
}

// Role: which side of the handshake an engine plays.
enum class Role : std::uint8_t { client, server };

}  // namespace pgptls::tls
