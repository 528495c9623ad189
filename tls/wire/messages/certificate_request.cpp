#include "tls/wire/messages/certificate_request.h"

#include <string>

#include "base/byte_reader.h"
#include "base/byte_writer.h"
#include "tls/wire/errors.h"
#include "tls/wire/messages/parse_support.h"

namespace pgptls::tls::messages {

namespace {

Result<CertificateRequest> read_request(ByteReader& reader) {
  CertificateRequest message;
  PGPTLS_TRY(const ByteView types, reader.prefixed_bytes(LengthPrefix::u8, 1));
  message.certificate_types = to_bytes(types);
  PGPTLS_TRY(auto schemes, reader.prefixed(LengthPrefix::u16, 2, 0xFFFE));
  PGPTLS_TRY(message.signature_algorithms, read_u16s(schemes, "supported_signature_algorithms"));
  PGPTLS_TRY(auto authorities, reader.prefixed(LengthPrefix::u16));
  while (!authorities.empty()) {
    PGPTLS_TRY(const ByteView name, authorities.prefixed_bytes(LengthPrefix::u16, 1));
    message.certificate_authorities.push_back(to_bytes(name));
  }
  PGPTLS_CHECK(reader.expect_empty());
  return message;
}

}  // namespace

Result<CertificateRequest> parse_certificate_request(ByteView body) {
  return parse_whole(body, "CertificateRequest", read_request, malformed);
}

Result<Bytes> encode_certificate_request(const CertificateRequest& message) {
  ByteWriter writer;
  {
    auto types = writer.prefixed(LengthPrefix::u8);
    writer.bytes(message.certificate_types);
  }
  {
    auto schemes = writer.prefixed(LengthPrefix::u16, 0xFFFE);
    for (const std::uint16_t scheme : message.signature_algorithms) {
      writer.u16(scheme);
    }
  }
  {
    auto authorities = writer.prefixed(LengthPrefix::u16);
    for (const Bytes& name : message.certificate_authorities) {
      auto entry = writer.prefixed(LengthPrefix::u16);
      writer.bytes(name);
    }
  }
  return std::move(writer).finish();
}

}  // namespace pgptls::tls::messages
