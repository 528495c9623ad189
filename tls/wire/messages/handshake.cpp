#include "tls/wire/messages/handshake.h"

#include <string>

#include "base/byte_reader.h"
#include "base/byte_writer.h"
#include "base/name_table.h"
#include "tls/wire/errors.h"

namespace pgptls::tls::messages {

namespace {

// kHandshakeTypeNames: RFC 5246 §7.4 and RFC 5077 §3.3 names.
constexpr base::NameTable<HandshakeType, 11> kHandshakeTypeNames{{
    {HandshakeType::hello_request, "hello_request"},
    {HandshakeType::client_hello, "client_hello"},
    {HandshakeType::server_hello, "server_hello"},
    {HandshakeType::new_session_ticket, "new_session_ticket"},
    {HandshakeType::certificate, "certificate"},
    {HandshakeType::server_key_exchange, "server_key_exchange"},
    {HandshakeType::certificate_request, "certificate_request"},
    {HandshakeType::server_hello_done, "server_hello_done"},
    {HandshakeType::certificate_verify, "certificate_verify"},
    {HandshakeType::client_key_exchange, "client_key_exchange"},
    {HandshakeType::finished, "finished"},
}};
}  // namespace

std::string_view handshake_type_name(std::uint8_t type) noexcept {
  return base::name_of(kHandshakeTypeNames, static_cast<HandshakeType>(type)).value_or("unknown");
}

Result<Bytes> HandshakeMessage::encoded() const {
  if (body.size() > base::max_length(base::LengthPrefix::u24)) {
    return make_error(Errc::internal_error, "handshake message body over 2^24 - 1 bytes");
  }
  base::ByteWriter writer;
  writer.u8(type);
  writer.u24(static_cast<std::uint32_t>(body.size()));
  writer.bytes(body);
  return std::move(writer).finish();
}

Result<Bytes> encode_handshake(HandshakeType type, ByteView body) {
  base::ByteWriter writer;
  writer.u8(static_cast<std::uint8_t>(type));
  {
    auto length = writer.prefixed(base::LengthPrefix::u24);
    writer.bytes(body);
  }
  return std::move(writer).finish();
}

Status HandshakeReassembler::add(ByteView fragment) {
  if (fragment.empty()) {
    return make_error(Errc::decode_error,
                      "empty handshake record (RFC 5246 §6.2.1 forbids zero-length fragments)");
  }
  // Drop consumed bytes before growing, so the buffer never holds more than
  // one capped message plus one record.
  if (start_ > 0) {
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(start_));
    start_ = 0;
  }
  buffer_.insert(buffer_.end(), fragment.begin(), fragment.end());
  // Check every header now complete in the buffer, not only the first one,
  // so an oversized announcement is refused as soon as it arrives.
  std::size_t offset = 0;
  while (offset + kHandshakeHeaderLength <= buffer_.size()) {
    base::ByteReader reader(ByteView(buffer_).subspan(offset));
    PGPTLS_TRY(const std::uint8_t type, reader.u8());
    PGPTLS_TRY(const std::uint32_t length, reader.u24());
    if (length > max_message_) {
      return make_error(Errc::illegal_parameter,
                        "handshake message " + std::string(handshake_type_name(type)) + " of " +
                            std::to_string(length) + " bytes exceeds the policy cap of " +
                            std::to_string(max_message_) +
                            " bytes (raise max_handshake_message if the peer is legitimate)");
    }
    offset += kHandshakeHeaderLength + length;
  }
  return {};
}

std::optional<HandshakeMessage> HandshakeReassembler::next() {
  base::ByteReader reader(ByteView(buffer_).subspan(start_));
  auto type = reader.u8();
  auto length = reader.u24();
  if (!type.ok() || !length.ok()) {
    return std::nullopt;
  }
  auto body = reader.bytes(*length);
  if (!body.ok()) {
    return std::nullopt;
  }
  HandshakeMessage message{*type, to_bytes(*body)};
  start_ += kHandshakeHeaderLength + *length;
  return message;
}

}  // namespace pgptls::tls::messages
