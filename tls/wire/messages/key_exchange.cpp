#include "tls/wire/messages/key_exchange.h"

#include <string>

#include "base/byte_reader.h"
#include "base/byte_writer.h"
#include "tls/wire/errors.h"
#include "tls/wire/messages/parse_support.h"

namespace pgptls::tls::messages {

namespace {

Result<DigitallySigned> read_signed(ByteReader& reader) {
  DigitallySigned result;
  PGPTLS_TRY(result.scheme, reader.u16());
  PGPTLS_TRY(const ByteView signature, reader.prefixed_bytes(LengthPrefix::u16));
  result.signature = to_bytes(signature);
  return result;
}

void write_signed(ByteWriter& writer, const DigitallySigned& value) {
  writer.u16(value.scheme);
  auto signature = writer.prefixed(LengthPrefix::u16);
  writer.bytes(value.signature);
}

void write_params(ByteWriter& writer, const ServerKeyExchange& message) {
  writer.u8(kNamedCurve);
  writer.u16(message.group);
  auto point = writer.prefixed(LengthPrefix::u8);
  writer.bytes(message.public_key);
}

// write_server_key_exchange: ServerECDHParams, then their signature
// (RFC 8422 §5.4).
void write_server_key_exchange(ByteWriter& writer, const ServerKeyExchange& message) {
  write_params(writer, message);
  write_signed(writer, message.signed_params);
}

Result<ServerKeyExchange> read_server_key_exchange(ByteReader& reader) {
  ServerKeyExchange message;
  PGPTLS_TRY(const std::uint8_t curve_type, reader.u8());
  if (curve_type != kNamedCurve) {
    return make_error(Errc::illegal_parameter,
                      "ServerKeyExchange curve type " + std::to_string(curve_type) +
                          " is not named_curve (RFC 8422 §5.4 deprecates the others)");
  }
  PGPTLS_TRY(message.group, reader.u16());
  PGPTLS_TRY(const ByteView point, reader.prefixed_bytes(LengthPrefix::u8, 1));
  message.public_key = to_bytes(point);
  PGPTLS_TRY(message.signed_params, read_signed(reader));
  PGPTLS_CHECK(reader.expect_empty());
  return message;
}

// read_certificate_verify: a CertificateVerify body is one DigitallySigned
// (RFC 5246 §7.4.8).
Result<DigitallySigned> read_certificate_verify(ByteReader& reader) {
  PGPTLS_TRY(DigitallySigned message, read_signed(reader));
  PGPTLS_CHECK(reader.expect_empty());
  return message;
}

}  // namespace

Result<Bytes> ServerKeyExchange::params() const {
  return encode_whole(write_params, *this);
}

Result<ServerKeyExchange> parse_server_key_exchange(ByteView body) {
  return parse_whole(body, "ServerKeyExchange", read_server_key_exchange);
}

Result<Bytes> encode_server_key_exchange(const ServerKeyExchange& message) {
  return encode_whole(write_server_key_exchange, message);
}

Result<Bytes> parse_client_key_exchange(ByteView body) {
  PGPTLS_TRY(auto point, sole_vector(body, "ClientKeyExchange", LengthPrefix::u8, 1));
  return to_bytes(point.take_rest());
}

Result<Bytes> encode_client_key_exchange(ByteView public_key) {
  ByteWriter writer;
  {
    auto point = writer.prefixed(LengthPrefix::u8);
    writer.bytes(public_key);
  }
  return std::move(writer).finish();
}

Result<DigitallySigned> parse_certificate_verify(ByteView body) {
  return parse_whole(body, "CertificateVerify", read_certificate_verify);
}

Result<Bytes> encode_certificate_verify(const DigitallySigned& message) {
  return encode_whole(write_signed, message);
}

}  // namespace pgptls::tls::messages
