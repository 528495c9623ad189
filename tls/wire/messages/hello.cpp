#include "tls/wire/messages/hello.h"

#include <algorithm>
#include <string_view>
#include <vector>

#include "base/byte_reader.h"
#include "base/byte_writer.h"
#include "tls/wire/errors.h"
#include "tls/wire/messages/extensions.h"
#include "tls/wire/messages/parse_support.h"

namespace pgptls::tls::messages {

namespace {

constexpr std::size_t kMaxSessionId = 32;

// read_random: the 32-byte hello random.
Result<Random> read_random(ByteReader& reader) {
  PGPTLS_TRY(const ByteView bytes, reader.bytes(Random{}.size()));
  Random random{};
  std::copy(bytes.begin(), bytes.end(), random.begin());
  return random;
}

// read_session_id: SessionID session_id<0..32> (RFC 5246 §7.4.1.2).
Result<Bytes> read_session_id(ByteReader& reader) {
  PGPTLS_TRY(const ByteView session_id, reader.prefixed_bytes(LengthPrefix::u8, 0, kMaxSessionId));
  return to_bytes(session_id);
}

// write_session_id: read_session_id's counterpart; a longer ID fails the
// writer's finish().
void write_session_id(ByteWriter& writer, ByteView session_id) {
  auto prefixed = writer.prefixed(LengthPrefix::u8, kMaxSessionId);
  writer.bytes(session_id);
}

// read_extension_block: the rest of a hello. RFC 5246 §7.4.1.2: a hello
// either ends after its compression field or carries one extensions block,
// and nothing follows it.
Status read_extension_block(ByteReader& reader, bool& present, std::vector<Extension>& extensions) {
  present = !reader.empty();
  if (present) {
    PGPTLS_TRY(extensions, parse_extensions(reader));
  }
  return reader.expect_empty();
}

Result<ClientHello> read_client_hello(ByteReader& reader) {
  ClientHello hello;
  PGPTLS_TRY(hello.legacy_version, reader.u16());
  PGPTLS_TRY(hello.random, read_random(reader));
  PGPTLS_TRY(hello.session_id, read_session_id(reader));
  PGPTLS_TRY(auto suites, reader.prefixed(LengthPrefix::u16, 2, 0xFFFE));
  PGPTLS_TRY(hello.cipher_suites, read_u16s(suites, "cipher_suites"));
  PGPTLS_TRY(const ByteView compression, reader.prefixed_bytes(LengthPrefix::u8, 1));
  hello.compression_methods = to_bytes(compression);
  PGPTLS_CHECK(read_extension_block(reader, hello.has_extension_block, hello.extensions));
  return hello;
}

Result<ServerHello> read_server_hello(ByteReader& reader) {
  ServerHello hello;
  PGPTLS_TRY(hello.version, reader.u16());
  PGPTLS_TRY(hello.random, read_random(reader));
  PGPTLS_TRY(hello.session_id, read_session_id(reader));
  PGPTLS_TRY(hello.cipher_suite, reader.u16());
  PGPTLS_TRY(hello.compression_method, reader.u8());
  PGPTLS_CHECK(read_extension_block(reader, hello.has_extension_block, hello.extensions));
  return hello;
}

// parse_hello: `read` over the whole body. illegal_parameter errors name
// a rule the codec checks itself and stand; any other failure is
// malformed(what, ...).
template <typename Hello>
Result<Hello> parse_hello(ByteView body, std::string_view what,
                          Result<Hello> (*read)(ByteReader&)) {
  ByteReader reader(body);
  auto hello = read(reader);
  if (!hello.ok() && hello.error().code != make_error_code(Errc::illegal_parameter)) {
    return malformed(what, hello.error());
  }
  return hello;
}

}  // namespace

Result<ClientHello> parse_client_hello(ByteView body) {
  return parse_hello(body, "ClientHello", read_client_hello);
}

Result<ServerHello> parse_server_hello(ByteView body) {
  return parse_hello(body, "ServerHello", read_server_hello);
}

Result<Bytes> encode_client_hello(const ClientHello& hello) {
  ByteWriter writer;
  writer.u16(hello.legacy_version);
  writer.bytes(hello.random);
  write_session_id(writer, hello.session_id);
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
  write_session_id(writer, hello.session_id);
  writer.u16(hello.cipher_suite);
  writer.u8(hello.compression_method);
  if (hello.has_extension_block) {
    write_extensions(writer, hello.extensions);
  }
  return std::move(writer).finish();
}

}  // namespace pgptls::tls::messages
