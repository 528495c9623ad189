#include "tls/wire/messages/handshake.h"

#include <string>

#include "base/byte_reader.h"
#include "base/byte_writer.h"
#include "tls/wire/errors.h"

namespace pgptls::tls::messages {

namespace {
constexpr std::size_t kHeaderLength = 4;
}  // namespace

std::string_view handshake_type_name(std::uint8_t type) noexcept {
  switch (static_cast<HandshakeType>(type)) {
    case HandshakeType::hello_request:
      return "hello_request";
    case HandshakeType::client_hello:
      return "client_hello";
    case HandshakeType::server_hello:
      return "server_hello";
    case HandshakeType::new_session_ticket:
      return "new_session_ticket";
    case HandshakeType::certificate:
      return "certificate";
    case HandshakeType::server_key_exchange:
      return "server_key_exchange";
    case HandshakeType::certificate_request:
      return "certificate_request";
    case HandshakeType::server_hello_done:
      return "server_hello_done";
    case HandshakeType::certificate_verify:
      return "certificate_verify";
    case HandshakeType::client_key_exchange:
      return "client_key_exchange";
    case HandshakeType::finished:
      return "finished";
  }
  return "unknown";
}

Bytes HandshakeMessage::encoded() const {
  base::ByteWriter writer;
  writer.u8(type);
  writer.u24(static_cast<std::uint32_t>(body.size()));
  writer.bytes(body);
  auto bytes = std::move(writer).finish();
  // Bodies come from the reassembler or our encoders, both below 2^24.
  return bytes.ok() ? std::move(bytes).value() : Bytes{};
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
  while (offset + kHeaderLength <= buffer_.size()) {
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
    offset += kHeaderLength + length;
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
  start_ += kHeaderLength + *length;
  return message;
}

}  // namespace pgptls::tls::messages
