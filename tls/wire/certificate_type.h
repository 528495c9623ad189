// certificate_type.h: the certificate types a TLS peer can present.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/name_table.h"

namespace pgptls::tls {

// CertificateType: values of the TLS CertificateType registry (RFC 6091 §4,
// RFC 7250 §3), as carried in the cert_type extension.
enum class CertificateType : std::uint8_t {
  x509 = 0,
  openpgp = 1,
  raw_public_key = 2,
};

// kCertificateTypeNames: each type's name as the programs print and read it.
inline constexpr base::NameTable<CertificateType, 3> kCertificateTypeNames{{
    {CertificateType::x509, "x509"},
    {CertificateType::openpgp, "openpgp"},
    {CertificateType::raw_public_key, "rawpk"},
}};

// certificate_type_name: "x509", "openpgp" or "rawpk", as the programs print.
constexpr std::string_view certificate_type_name(CertificateType type) {
  return base::name_of(kCertificateTypeNames, type).value_or("unknown");
}

// Role: which side of the handshake an engine plays.
enum class Role : std::uint8_t { client, server };

}  // namespace pgptls::tls
