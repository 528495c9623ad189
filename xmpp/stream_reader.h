// stream_reader.h: xmpp::StreamReader, a streaming reader of one XML stream
// (RFC 6120 §4) over libexpat. It yields the stream header, then every
// top-level element (stanzas, <starttls/>, <proceed/>, features, stream
// errors) with its exact bytes, then the end of the stream. Bytes are fed
// as they arrive, in any split.
//
// Security (the peer is not authenticated yet):
//  * RFC 6120 §11.1 restricted XML: a DTD (so no entity declarations and no
//    entity-expansion bomb), a comment or a processing instruction fails
//    the stream (restricted-xml); the XML declaration is allowed.
//  * max_header_bytes caps everything before the end of the stream header;
//    max_stanza_bytes caps each top-level element and the bytes between
//    two of them. Memory is bounded by those caps: the reader keeps only
//    the bytes of the element in progress.
//  * After <success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/> the stream
//    restarts (RFC 6120 §6.4.6): the next bytes are a new header, XML
//    declaration allowed; restart() does the same for the other direction.
//  * The stream namespace must be http://etherx.jabber.org/streams and the
//    default namespace jabber:server (RFC 6120 §4.8.2, §4.8.3).
// After a failure the reader stays failed; error() tells why, and
// xmpp::stream_error_condition(code) the stream error to answer with.
//
// Usage:
//   xmpp::StreamReader reader({.max_header_bytes = 8192, .max_stanza_bytes = 262144});
//   PGPTLS_CHECK(reader.feed(bytes));
//   while (auto event = reader.next()) {
//     if (event->kind == xmpp::EventKind::header) { use(reader.header()->to); }
//     if (event->kind == xmpp::EventKind::element) { relay(event->raw); }
//   }
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace pgptls::xmpp {

inline constexpr std::string_view kStreamNamespace = "http://etherx.jabber.org/streams";
inline constexpr std::string_view kServerNamespace = "jabber:server";
inline constexpr std::string_view kTlsNamespace = "urn:ietf:params:xml:ns:xmpp-tls";
inline constexpr std::string_view kStreamErrorNamespace = "urn:ietf:params:xml:ns:xmpp-streams";
inline constexpr std::string_view kSaslNamespace = "urn:ietf:params:xml:ns:xmpp-sasl";

struct ReaderLimits {
  std::size_t max_header_bytes = 8192;
  std::size_t max_stanza_bytes = 262144;
};

// StreamHeader: the attributes of <stream:stream> (RFC 6120 §4.7) and its
// exact bytes (the start tag, without any XML declaration before it).
struct StreamHeader {
  std::string to;
  std::string from;
  std::string id;
  std::string version;
  std::string raw;
  // The stream offset just past the header's '>' (bytes fed before it,
  // from the first byte on): what follows it is the stream's content.
  std::uint64_t end_offset = 0;
};

enum class EventKind : std::uint8_t { header, element, stream_end };

// Event: one thing the stream said. For an element, `ns` and `name` are its
// namespace URI and local name and `raw` its exact bytes.
struct Event {
  EventKind kind = EventKind::element;
  std::string ns;
  std::string name;
  std::string raw;
  // The element's children as "namespace name" (e.g. a <stream:features>
  // offering "urn:ietf:params:xml:ns:xmpp-tls starttls").
  std::vector<std::string> children;
};

class StreamReader {
 public:
  explicit StreamReader(ReaderLimits limits = {});
  ~StreamReader();
  StreamReader(const StreamReader&) = delete;
  StreamReader& operator=(const StreamReader&) = delete;

  // feed: parses more bytes. Fails (for good) on malformed or restricted
  // XML, a cap exceeded, a wrong namespace, or bytes after the stream end.
  [[nodiscard]] Status feed(std::string_view bytes);
  // next: the oldest event not yet taken.
  [[nodiscard]] std::optional<Event> next();
  // header: set once the stream header was read.
  [[nodiscard]] const std::optional<StreamHeader>& header() const;
  // unparsed_tail: the bytes fed after the end of the last event (for
  // STARTTLS: whatever followed <starttls/> or <proceed/> in the same read
  // belongs to TLS, RFC 6120 §5.4.3.3).
  [[nodiscard]] std::string unparsed_tail() const;
  // restart: the peer begins a new stream with its next byte (RFC 6120
  // §6.4.6: the initiating entity after the receiving entity's <success/>).
  // A stream that itself carries <success/> restarts right after it without
  // this call.
  void restart();
  // stop_after_element: parse nothing after the end of the next top-level
  // element (<starttls/>, <proceed/>): the bytes after it, fed then or
  // later, are kept in unparsed_tail() for the TLS layer.
  void stop_after_element();
  // stop_keeping_bytes: later events carry no `raw` bytes and the reader
  // keeps none (a relay forwards the bytes itself and needs only the
  // checks); the caps still apply.
  void stop_keeping_bytes();
  // buffered_bytes: the bytes the reader holds now (memory accounting).
  [[nodiscard]] std::size_t buffered_bytes() const;
  [[nodiscard]] const std::optional<Error>& error() const;

  struct State;

 private:
  std::unique_ptr<State> state_;
};

}  // namespace pgptls::xmpp
