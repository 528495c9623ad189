// handshake.h: the handshake message header (RFC 5246 §7.4) and the
// reassembly of messages that span several records, or share one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "base/bytes.h"
#include "base/result.h"
#include "tls/wire/messages/types.h"

namespace pgptls::tls::messages {

// RFC 5246 §7.4: a handshake message's header, its type (1 octet) and its
// body's length (3 octets).
inline constexpr std::size_t kHandshakeHeaderLength = 4;

// HandshakeMessage: one complete handshake message.
struct HandshakeMessage {
  std::uint8_t type = 0;  // a HandshakeType value, or an unknown one
  Bytes body;

  // encoded: the header and body as they go into the transcript hash.
  // Fails when the body does not fit the 24-bit length (RFC 5246 §7.4).
  [[nodiscard]] Result<Bytes> encoded() const;
};

// encode_handshake: type, uint24 length, body. Fails when the body exceeds
// 2^24-1 bytes.
[[nodiscard]] Result<Bytes> encode_handshake(HandshakeType type, ByteView body);

// HandshakeReassembler: collects the fragments carried by handshake records
// (RFC 5246 §6.2.1: a message may span records, and a record may hold
// several messages) and hands out complete messages in order.
class HandshakeReassembler {
 public:
  explicit HandshakeReassembler(std::size_t max_message) : max_message_(max_message) {}

  // add: appends the payload of one handshake record. Fails with
  // decode_error on an empty record (RFC 5246 §6.2.1 forbids zero-length
  // handshake fragments) and with illegal_parameter when a header announces
  // a body above the policy cap.
  [[nodiscard]] Status add(ByteView fragment);

  // next: the next complete message, nullopt when more bytes are needed.
  [[nodiscard]] std::optional<HandshakeMessage> next();

  // empty: no partial message is buffered. A key change (ChangeCipherSpec)
  // must fall on a message boundary.
  [[nodiscard]] bool empty() const noexcept { return buffer_.size() == start_; }

 private:
  std::size_t max_message_;
  Bytes buffer_;
  std::size_t start_ = 0;
};

}  // namespace pgptls::tls::messages
