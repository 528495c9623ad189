#include "tls/wire/record_header.h"

#include <string>

#include "base/byte_reader.h"
#include "base/encoding.h"
#include "tls/wire/errors.h"

namespace pgptls::tls {
namespace {

std::string type_context(ContentType type) {
  return std::string(content_type_name(type)) + " record";
}

std::string version_text(std::uint16_t version) {
  const std::uint8_t bytes[2] = {static_cast<std::uint8_t>(version >> 8),
                                 static_cast<std::uint8_t>(version & 0xFF)};
  return "0x" + base::hex_encode(bytes);
}

}  // namespace

Result<std::optional<RecordHeader>> read_record_header(ByteView input, RecordVersionRule rule,
                                                       std::size_t max_length) {
  base::ByteReader reader(input);
  if (reader.remaining() < kRecordHeaderLength) {
    return std::optional<RecordHeader>{};
  }
  // RFC 5246 §6.2.1: type(1) version(2) length(2) fragment. Each header field
  // is judged as soon as it is known, so an oversized or garbage record is
  // refused without waiting for its body.
  PGPTLS_TRY(const std::uint8_t type_byte, reader.u8());
  PGPTLS_TRY(const std::uint16_t version, reader.u16());
  PGPTLS_TRY(const std::uint16_t length, reader.u16());
  if (!is_known_content_type(type_byte)) {
    // RFC 5246 §6: an unexpected record type gets unexpected_message.
    return make_error(Errc::unexpected_message,
                      "record of unknown content type " + std::to_string(type_byte) +
                          " (the peer does not speak TLS, or the stream is out of sync)");
  }
  const auto type = static_cast<ContentType>(type_byte);
  // RFC 5246 Appendix E.1: a server MUST accept any {03,XX} record version
  // for the ClientHello (clients send {03,00} or {03,01} there, and a TLS 1.3
  // client's legacy_record_version is ignored, RFC 8446 §5.1). Once the
  // ServerHello fixed TLS 1.2, every record says {03,03} (RFC 5246 §6.2.1).
  const bool tls_major = (version >> 8) == 3;
  if (!tls_major || (rule == RecordVersionRule::tls12_only && version != kTls12)) {
    return make_error(Errc::protocol_version,
                      type_context(type) + " with version " + version_text(version) +
                          (rule == RecordVersionRule::tls12_only
                               ? " where TLS 1.2 (0x0303) is required"
                               : " where a TLS version {03,XX} is required (RFC 5246 E.1)"));
  }
  if (length > max_length) {
    return make_error(Errc::record_overflow, type_context(type) + " of " + std::to_string(length) +
                                                 " bytes exceeds the limit of " +
                                                 std::to_string(max_length) + " (RFC 5246 §6.2)");
  }
  return std::optional<RecordHeader>{RecordHeader{type, version, length}};
}

}  // namespace pgptls::tls
