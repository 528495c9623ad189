// simple.h: the small handshake messages: ServerHelloDone (RFC 5246
// §7.4.5), Finished (§7.4.9), NewSessionTicket (RFC 5077 §3.3), and the
// Alert record (RFC 5246 §7.2).
#pragma once

#include <cstdint>

#include "base/bytes.h"
#include "base/result.h"
#include "tls/wire/content_type.h"
#include "tls/wire/errors.h"

namespace pgptls::tls::messages {

// parse_server_hello_done: the body must be empty (decode_error otherwise).
[[nodiscard]] Status parse_server_hello_done(ByteView body);

// parse_finished: verify_data of exactly `length` bytes (decode_error
// otherwise). Comparing it is the key schedule's job, in constant time.
[[nodiscard]] Result<Bytes> parse_finished(ByteView body, std::size_t length);

// NewSessionTicket: pgptls never offers session_ticket, so it never
// accepts this message; the parser exists to read recorded handshakes.
struct NewSessionTicket {
  std::uint32_t lifetime_hint = 0;
  Bytes ticket;  // <0..2^16-1>
};
[[nodiscard]] Result<NewSessionTicket> parse_new_session_ticket(ByteView body);
[[nodiscard]] Result<Bytes> encode_new_session_ticket(const NewSessionTicket& message);

struct Alert {
  AlertLevel level = AlertLevel::fatal;
  AlertDescription description = AlertDescription::close_notify;
};

// parse_alert: two bytes, a known level (decode_error otherwise; the
// description may be any value and is kept as is).
[[nodiscard]] Result<Alert> parse_alert(ByteView payload);

}  // namespace pgptls::tls::messages
