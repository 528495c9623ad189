// parse_support.h: what the handshake message and extension parsers share:
// how they report bytes that do not decode, a body that is one vector, and
// the uint16 vectors several of them carry; and how an encoder turns a
// write function into bytes. Internal to tls/wire/messages.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>
#include <utility>
#include <vector>

#include "base/byte_reader.h"
#include "base/byte_writer.h"
#include "base/result.h"

namespace pgptls::tls::messages {

// The parsers and encoders speak base's reader and writer.
using base::ByteReader;
using base::ByteWriter;
using base::LengthPrefix;

// malformed: Errc::decode_error "malformed <what> (<cause>)". RFC 5246
// §7.2.2: decode_error is for a message that "could not be decoded because
// some field was out of the specified range or the length of the message was
// incorrect".
[[nodiscard]] Error malformed(std::string_view what, const Error& cause);

// malformed_unless_tls: `cause` itself when the parser raised a tls error of
// its own (it already names the rule and its alert), else malformed().
[[nodiscard]] Error malformed_unless_tls(std::string_view what, const Error& cause);

// parse_whole: the message `read` takes from a reader over `body` (`read`
// checks that it consumed all of it); a failure is wrap(what, cause),
// malformed_unless_tls unless said otherwise.
template <typename Read>
[[nodiscard]] auto parse_whole(ByteView body, std::string_view what, Read read,
                               Error (*wrap)(std::string_view, const Error&) = malformed_unless_tls)
    -> decltype(read(std::declval<ByteReader&>())) {
  ByteReader reader(body);
  auto message = read(reader);
  if (!message.ok()) {
    return wrap(what, message.error());
  }
  return message;
}

// encode_whole: the bytes `write` puts for `message` into a fresh writer,
// or the writer's error (a field too long for its length prefix): the
// encoders' counterpart of parse_whole.
template <typename Message>
[[nodiscard]] Result<Bytes> encode_whole(void (*write)(ByteWriter&, const Message&),
                                         const Message& message) {
  ByteWriter writer;
  write(writer, message);
  return std::move(writer).finish();
}

// sole_vector: a reader over the one length-prefixed vector <min..max> that
// is the whole of `data` (a message body or an extension's data); a bad
// length or bytes after the vector fail with malformed(what, ...).
[[nodiscard]] Result<base::ByteReader> sole_vector(
    ByteView data, std::string_view what, base::LengthPrefix prefix, std::size_t min = 0,
    std::size_t max = std::numeric_limits<std::size_t>::max());

// read_u16s: every uint16 of a vector's contents, in order. A vector whose
// length is odd fails with Errc::decode_error "<what> has an odd length".
[[nodiscard]] Result<std::vector<std::uint16_t>> read_u16s(base::ByteReader& vector,
                                                           std::string_view what);

}  // namespace pgptls::tls::messages
