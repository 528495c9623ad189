// hello.h: ClientHello and ServerHello (RFC 5246 §7.4.1.2, §7.4.1.3).
// Extensions stay raw and in wire order (see Extension), so a parsed hello
// re-encodes to the bytes it came from.
#pragma once

#include <cstdint>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "tls/wire/messages/types.h"

namespace pgptls::tls::messages {

struct ClientHello {
  std::uint16_t legacy_version = kTls12;
  Random random{};
  Bytes session_id;                          // <0..32>
  std::vector<std::uint16_t> cipher_suites;  // <2..2^16-2>
  Bytes compression_methods{0};              // <1..2^8-1>
  // has_extension_block: the optional extensions vector was present (a hello
  // may end after compression_methods, RFC 5246 §7.4.1.2).
  bool has_extension_block = true;
  std::vector<Extension> extensions;
};

struct ServerHello {
  std::uint16_t version = kTls12;
  Random random{};
  Bytes session_id;  // <0..32>
  std::uint16_t cipher_suite = 0;
  std::uint8_t compression_method = 0;
  bool has_extension_block = true;
  std::vector<Extension> extensions;
};

// parse_client_hello / parse_server_hello: read a message body. Fail with
// decode_error on malformed input (the context names the field) and with
// illegal_parameter on a duplicated extension.
[[nodiscard]] Result<ClientHello> parse_client_hello(ByteView body);
[[nodiscard]] Result<ServerHello> parse_server_hello(ByteView body);

// encode: the message body (without the handshake header).
[[nodiscard]] Result<Bytes> encode_client_hello(const ClientHello& hello);
[[nodiscard]] Result<Bytes> encode_server_hello(const ServerHello& hello);

}  // namespace pgptls::tls::messages
