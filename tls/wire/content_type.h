// content_type.h: TLS record content types (RFC 5246 §6.2.1, Appendix A.1)
// and the protocol version pgptls speaks.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/name_table.h"

namespace pgptls::tls {

// ContentType: the record types of TLS 1.2. Anything else on the wire is
// refused with unexpected_message (RFC 5246 §6).
enum class ContentType : std::uint8_t {
  change_cipher_spec = 20,
  alert = 21,
  handshake = 22,
  application_data = 23,
};

// is_known_content_type: whether a wire byte is one of the four types above.
constexpr bool is_known_content_type(std::uint8_t value) {
  return value >= 20 && value <= 23;
}

// kContentTypeNames: each type's name as RFC 5246 §6.2.1 spells it.
inline constexpr base::NameTable<ContentType, 4> kContentTypeNames{{
    {ContentType::change_cipher_spec, "change_cipher_spec"},
    {ContentType::alert, "alert"},
    {ContentType::handshake, "handshake"},
    {ContentType::application_data, "application_data"},
}};

// content_type_name: "handshake", ... for logs and error messages.
constexpr std::string_view content_type_name(ContentType type) {
  return base::name_of(kContentTypeNames, type).value_or("unknown");
}

// ProtocolVersion values on the wire (RFC 5246 §6.2.1, Appendix E.1).
inline constexpr std::uint16_t kTls10 = 0x0301;
inline constexpr std::uint16_t kTls12 = 0x0303;

// AlertLevel: RFC 5246 §7.2.
enum class AlertLevel : std::uint8_t { warning = 1, fatal = 2 };

}  // namespace pgptls::tls
