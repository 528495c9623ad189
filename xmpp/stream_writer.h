// stream_writer.h: what the proxy says itself on an XML stream (RFC 6120):
// its stream header, the STARTTLS feature, <starttls/>, <proceed/> and
// stream errors. Attribute values and error texts are escaped.
//
// Usage:
//   out += xmpp::stream_header({.from = "a.example", .to = "b.example", .id = id});
//   out += xmpp::starttls_features();
//   out += xmpp::stream_error("host-unknown", "we do not serve c.example");
#pragma once

#include <string>
#include <string_view>

namespace pgptls::xmpp {

// escape_xml: &, <, >, ' and " as entity references (RFC 6120 §11.1 allows
// only the predefined ones), so the text is safe in content and attributes.
[[nodiscard]] std::string escape_xml(std::string_view text);

struct HeaderFields {
  std::string from;
  std::string to;
  std::string id;  // empty: no id attribute (an initiating entity's header)
};

// stream_header: the XML declaration and <stream:stream ...> of a
// server-to-server stream, version 1.0 (RFC 6120 §4.7, §4.8).
[[nodiscard]] std::string stream_header(const HeaderFields& fields);

// starttls_features: <stream:features> offering mandatory STARTTLS
// (RFC 6120 §5.4.1: <required/> because we accept nothing without TLS).
[[nodiscard]] std::string starttls_features();

// starttls_request / proceed: RFC 6120 §5.4.2.1 and §5.4.2.3.
[[nodiscard]] std::string starttls_request();
[[nodiscard]] std::string proceed();

// stream_error: <stream:error> with the condition (RFC 6120 §4.9.3, e.g.
// "host-unknown") and a <text/> (§4.9.2), then the stream's closing tag
// (§4.9.1.1: the stream is closed after a stream error).
[[nodiscard]] std::string stream_error(std::string_view condition, std::string_view text);

// stream_close: </stream:stream>.
[[nodiscard]] std::string stream_close();

}  // namespace pgptls::xmpp
