// tls_messages_fuzz.cpp: one libFuzzer target per handshake message parser;
// PGPTLS_FUZZ_PARSER (set per target in tls_messages.cmake) picks which.
// Invariant for every parser: what parses re-encodes, and the encoding
// parses back to an equal encoding (for the hellos and most messages the
// encoding equals the input).
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_require.h"
#include "tls/wire/messages/certificate.h"
#include "tls/wire/messages/certificate_request.h"
#include "tls/wire/messages/extensions.h"
#include "tls/wire/messages/handshake.h"
#include "tls/wire/messages/hello.h"
#include "tls/wire/messages/key_exchange.h"
#include "tls/wire/messages/simple.h"

namespace {

using pgptls::fuzz::require;

using namespace pgptls;
using namespace pgptls::tls::messages;

// exact: parse, re-encode, and require the very same bytes.
template <class Parse, class Encode>
void exact(ByteView input, Parse parse, Encode encode) {
  auto parsed = parse(input);
  if (!parsed.ok()) {
    return;
  }
  auto encoded = encode(*parsed);
  require(encoded.ok());
  require(Bytes(input.begin(), input.end()) == *encoded);
}

enum class Parser {
  client_hello,
  server_hello,
  openpgp_certificate,
  x509_certificate,
  server_key_exchange,
  certificate_request,
  client_key_exchange,
  certificate_verify,
  extensions,
  handshake_reassembly,
};

void fuzz_extensions(ByteView input) {
  base::ByteReader reader(input);
  auto extensions = parse_extensions(reader);
  if (!extensions.ok()) {
    return;
  }
  for (const Extension& extension : *extensions) {
    // Each codec must either fail cleanly or round-trip.
    switch (static_cast<ExtensionType>(extension.type)) {
      case ExtensionType::cert_type: {
        if (auto types = parse_client_cert_types(extension.data); types.ok()) {
          require(encode_client_cert_types(*types) == extension.data);
        }
        if (auto type = parse_server_cert_type(extension.data); type.ok()) {
          require(encode_server_cert_type(*type) == extension.data);
        }
        break;
      }
      case ExtensionType::server_name: {
        if (auto name = parse_server_name(extension.data); name.ok() && name->has_value()) {
          require(encode_server_name(**name).ok());
        }
        break;
      }
      case ExtensionType::supported_groups:
      case ExtensionType::signature_algorithms:
        if (auto list = parse_u16_list(extension.data); list.ok()) {
          require(encode_u16_list(*list) == extension.data);
        }
        break;
      case ExtensionType::ec_point_formats:
        if (auto formats = parse_point_formats(extension.data); formats.ok()) {
          require(encode_point_formats(*formats) == extension.data);
        }
        break;
      case ExtensionType::renegotiation_info:
        if (auto info = parse_renegotiation_info(extension.data); info.ok()) {
          require(encode_renegotiation_info(*info) == extension.data);
        }
        break;
      case ExtensionType::alpn:
        if (auto protocols = parse_alpn(extension.data); protocols.ok()) {
          auto encoded = encode_alpn(*protocols);
          require(encoded.ok() && *encoded == extension.data);
        }
        break;
      case ExtensionType::supported_versions:
        (void)parse_client_supported_versions(extension.data);
        break;
      default:
        (void)expect_empty_extension(extension.data, "extension");
        break;
    }
  }
}

void fuzz_reassembly(ByteView input) {
  // The first byte picks the record size, so messages are split across
  // records and several share one.
  if (input.empty()) {
    return;
  }
  const std::size_t size = std::size_t{input[0]} + 1;
  const ByteView stream = input.subspan(1);
  HandshakeReassembler reassembler(MessageLimits{}.max_handshake_message);
  Bytes joined;
  for (std::size_t offset = 0; offset < stream.size(); offset += size) {
    const std::size_t length = std::min(size, stream.size() - offset);
    if (!reassembler.add(stream.subspan(offset, length)).ok()) {
      return;
    }
    while (auto message = reassembler.next()) {
      require(message->body.size() <= MessageLimits{}.max_handshake_message);
      const Bytes encoded = message->encoded();
      joined.insert(joined.end(), encoded.begin(), encoded.end());
    }
  }
  // What came out is a prefix of the stream, missing only the partial tail.
  require(joined.size() <= stream.size());
  require(std::equal(joined.begin(), joined.end(), stream.begin()));
  require(reassembler.empty() == (joined.size() == stream.size()));
}

void fuzz_one(Parser parser, ByteView input) {
  const MessageLimits limits;
  switch (parser) {
    case Parser::client_hello:
      exact(input, parse_client_hello, encode_client_hello);
      break;
    case Parser::server_hello:
      exact(input, parse_server_hello, encode_server_hello);
      break;
    case Parser::openpgp_certificate: {
      auto parsed = parse_openpgp_certificate(input, limits);
      if (parsed.ok()) {
        auto encoded = encode_openpgp_certificate(*parsed);
        require(encoded.ok());
        auto again = parse_openpgp_certificate(*encoded, limits);
        require(again.ok() && again->key_id == parsed->key_id &&
                again->transferable_key == parsed->transferable_key &&
                again->fingerprint == parsed->fingerprint);
      }
      break;
    }
    case Parser::x509_certificate:
      exact(
          input, [&](ByteView in) { return parse_x509_certificate(in, limits); },
          encode_x509_certificate);
      break;
    case Parser::server_key_exchange:
      exact(input, parse_server_key_exchange, encode_server_key_exchange);
      break;
    case Parser::certificate_request:
      exact(input, parse_certificate_request, encode_certificate_request);
      break;
    case Parser::client_key_exchange:
      exact(input, parse_client_key_exchange,
            [](const Bytes& point) { return encode_client_key_exchange(point); });
      break;
    case Parser::certificate_verify:
      exact(input, parse_certificate_verify, encode_certificate_verify);
      break;
    case Parser::extensions:
      fuzz_extensions(input);
      break;
    case Parser::handshake_reassembly:
      fuzz_reassembly(input);
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz_one(Parser::PGPTLS_FUZZ_PARSER, ByteView(data, size));
  return 0;
}
