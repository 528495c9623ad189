#include "tls/wire/messages/simple.h"

#include <string>

#include "base/byte_reader.h"
#include "base/byte_writer.h"
#include "tls/wire/errors.h"
#include "tls/wire/messages/parse_support.h"

namespace pgptls::tls::messages {

Status parse_server_hello_done(ByteView body) {
  if (!body.empty()) {
    return make_error(Errc::decode_error, "ServerHelloDone carries " + std::to_string(body.size()) +
                                              " bytes; RFC 5246 §7.4.5 defines it empty");
  }
  return {};
}

Result<Bytes> parse_finished(ByteView body, std::size_t length) {
  if (body.size() != length) {
    return make_error(Errc::decode_error, "Finished carries " + std::to_string(body.size()) +
                                              " bytes of verify_data, expected " +
                                              std::to_string(length));
  }
  return to_bytes(body);
}

Result<NewSessionTicket> parse_new_session_ticket(ByteView body) {
  ByteReader reader(body);
  NewSessionTicket message;
  auto hint = reader.u32();
  auto ticket =
      hint.ok() ? reader.prefixed_bytes(LengthPrefix::u16) : Result<ByteView>(hint.error());
  if (!ticket.ok()) {
    return malformed("NewSessionTicket", ticket.error());
  }
  if (auto end = reader.expect_empty(); !end.ok()) {
    return malformed("NewSessionTicket", end.error());
  }
  message.lifetime_hint = *hint;
  message.ticket = to_bytes(*ticket);
  return message;
}

Result<Bytes> encode_new_session_ticket(const NewSessionTicket& message) {
  ByteWriter writer;
  writer.u32(message.lifetime_hint);
  {
    auto ticket = writer.prefixed(LengthPrefix::u16);
    writer.bytes(message.ticket);
  }
  return std::move(writer).finish();
}

Result<Alert> parse_alert(ByteView payload) {
  if (payload.size() != 2) {
    return make_error(Errc::decode_error, "alert record of " + std::to_string(payload.size()) +
                                              " bytes; an alert is exactly 2 bytes");
  }
  if (payload[0] != static_cast<std::uint8_t>(AlertLevel::warning) &&
      payload[0] != static_cast<std::uint8_t>(AlertLevel::fatal)) {
    return make_error(Errc::decode_error, "alert with unknown level " + std::to_string(payload[0]));
  }
  return Alert{static_cast<AlertLevel>(payload[0]), static_cast<AlertDescription>(payload[1])};
}

}  // namespace pgptls::tls::messages
