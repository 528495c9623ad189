#include "tls/wire/messages/hello.h"

#include <algorithm>

#include "base/byte_reader.h"
#include "base/byte_writer.h"
#include "tls/wire/errors.h"
#include "tls/wire/messages/extensions.h"
#include "tls/wire/messages/parse_support.h"

namespace pgptls::tls::messages {

namespace {

using base::ByteReader;
using base::ByteWriter;
using base::LengthPrefix;

constexpr std::size_t kMaxSessionId = 32;

// read_random: the 32-byte hello random.
Result<Random> read_random(ByteReader& reader) {
  PGPTLS_TRY(const ByteView bytes, reader.bytes(Random{}.size()));
  Random random{};
  std::copy(bytes.begin(), bytes.end(), random.begin());
  return random;
}

Result<ClientHello> read_client_hello(ByteReader& reader) {
  ClientHello hello;
  PGPTLS_TRY(hello.legacy_version, reader.u16());
  PGPTLS_TRY(hello.random, read_random(reader));
  PGPTLS_TRY(const ByteView session_id, reader.prefixed_bytes(LengthPrefix::u8, 0, kMaxSessionId));
  hello.session_id = to_bytes(session_id);
  PGPTLS_TRY(auto suites, reader.prefixed(LengthPrefix::u16, 2, 0xFFFE));
  PGPTLS_TRY(hello.cipher_suites, read_u16s(suites, "cipher_suites"));
  PGPTLS_TRY(const ByteView compression, reader.prefixed_bytes(LengthPrefix::u8, 1));
  hello.compression_methods = to_bytes(compression);
  hello.has_extension_block = !reader.empty();
  if (hello.has_extension_block) {
    PGPTLS_TRY(hello.extensions, parse_extensions(reader));
  }
  PGPTLS_CHECK(reader.expect_empty());
  return hello;
}

Result<ServerHello> read_server_hello(ByteReader& reader) {
  ServerHello hello;
  PGPTLS_TRY(hello.version, reader.u16());
  PGPTLS_TRY(hello.random, read_random(reader));
  PGPTLS_TRY(const ByteView session_id, reader.prefixed_bytes(LengthPrefix::u8, 0, kMaxSessionId));
  hello.session_id = to_bytes(session_id);
  PGPTLS_TRY(hello.cipher_suite, reader.u16());
  PGPTLS_TRY(hello.compression_method, reader.u8());
  hello.has_extension_block = !reader.empty();
  if (hello.has_extension_block) {
    PGPTLS_TRY(hello.extensions, parse_extensions(reader));
  }
  PGPTLS_CHECK(reader.expect_empty());
  return hello;
}

}  // namespace

Result<ClientHello> parse_client_hello(ByteView body) {
  ByteReader reader(body);
  auto hello = read_client_hello(reader);
  if (!hello.ok() && hello.error().code != make_error_code(Errc::illegal_parameter)) {
    return malformed("ClientHello", hello.error());
  }
  return hello;
}

Result<ServerHello> parse_server_hello(ByteView body) {
  ByteReader reader(body);
  auto hello = read_server_hello(reader);
  if (!hello.ok() && hello.error().code != make_error_code(Errc::illegal_parameter)) {
    return malformed("ServerHello", hello.error());
  }
  return hello;
}

Result<Bytes> encode_client_hello(const ClientHello& hello) {
  ByteWriter writer;
  writer.u16(hello.legacy_version);
  writer.bytes(hello.random);
  {
    auto session_id = writer.prefixed(LengthPrefix::u8, kMaxSessionId);
    writer.bytes(hello.session_id);
  }
  {
    auto suites = writer.prefixed(LengthPrefix::u16, 0xFFFE);
    for (const std::uint16_t suite : hello.cipher_suites) {
      writer.u16(suite);
    }
  }
  {
    auto compression = writer.prefixed(LengthPrefix::u8);
    writer.bytes(hello.compression_methods);
  }
  if (hello.has_extension_block) {
    write_extensions(writer, hello.extensions);
  }
  return std::move(writer).finish();
}

Result<Bytes> encode_server_hello(const ServerHello& hello) {
  ByteWriter writer;
  writer.u16(hello.version);
  writer.bytes(hello.random);
  {
    auto session_id = writer.prefixed(LengthPrefix::u8, kMaxSessionId);
    writer.bytes(hello.session_id);
  }
  writer.u16(hello.cipher_suite);
  writer.u8(hello.compression_method);
  if (hello.has_extension_block) {
    write_extensions(writer, hello.extensions);
  }
  return std::move(writer).finish();
}

}  // namespace pgptls::tls::messages
