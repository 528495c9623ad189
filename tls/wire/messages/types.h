// types.h: wire-level vocabulary of TLS 1.2 handshake messages (RFC 5246
// §7.4): handshake types, extension numbers, and the policy caps every
// message parser enforces.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/bytes.h"
#include "tls/wire/content_type.h"

namespace pgptls::tls::messages {

// HandshakeType: RFC 5246 §7.4 and RFC 5077 §3.3 (new_session_ticket).
enum class HandshakeType : std::uint8_t {
  hello_request = 0,
  client_hello = 1,
  server_hello = 2,
  new_session_ticket = 4,
  certificate = 11,
  server_key_exchange = 12,
  certificate_request = 13,
  server_hello_done = 14,
  certificate_verify = 15,
  client_key_exchange = 16,
  finished = 20,
};

// handshake_type_name: "client_hello", ... for error messages and logs.
[[nodiscard]] std::string_view handshake_type_name(std::uint8_t type) noexcept;

// ExtensionType: the TLS ExtensionType registry values pgptls reads or sends.
enum class ExtensionType : std::uint16_t {
  server_name = 0,              // RFC 6066 §3
  cert_type = 9,                // RFC 6091 §2
  supported_groups = 10,        // RFC 8422 §5.1.1
  ec_point_formats = 11,        // RFC 8422 §5.1.2
  signature_algorithms = 13,    // RFC 5246 §7.4.1.4.1
  alpn = 16,                    // RFC 7301 §3.1
  extended_master_secret = 23,  // RFC 7627 §5.1
  session_ticket = 35,          // RFC 5077 §3.2
  supported_versions = 43,      // RFC 8446 §4.2.1
  renegotiation_info = 0xFF01,  // RFC 5746 §3.2
};

// kTls13: TLS 1.3 in supported_versions (RFC 8446 §4.2.1); kTls12 is in
// tls/content_type.h.
inline constexpr std::uint16_t kTls13 = 0x0304;

// Random: the 32-byte hello random (RFC 5246 §7.4.1.2).
using Random = std::array<std::uint8_t, 32>;

// MessageLimits: the policy caps on untrusted sizes. A message above a cap
// is rejected before it is buffered further.
struct MessageLimits {
  // Largest handshake message body (the header's uint24 length).
  std::size_t max_handshake_message = 64 * 1024;
  // Largest single certificate (X.509 DER or OpenPGP transferable key).
  std::size_t max_certificate = 48 * 1024;
  // Most certificates in an X.509 chain.
  std::size_t max_chain_length = 8;
};

// Extension: one extension as it appeared on the wire (RFC 5246 §7.4.1.4).
// Hellos keep the list raw and in order, so that a parsed hello re-encodes
// to the same bytes; typed codecs in extensions.h read and write the data.
struct Extension {
  std::uint16_t type = 0;
  Bytes data;
  friend bool operator==(const Extension&, const Extension&) = default;
};

}  // namespace pgptls::tls::messages
