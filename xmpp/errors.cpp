#include "xmpp/errors.h"

#include <string>

namespace pgptls::xmpp {
namespace {

class XmppCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "pgptls.xmpp"; }

  std::string message(int value) const override {
    switch (static_cast<Errc>(value)) {
      case Errc::not_well_formed:
        return "the peer sent XML that is not well-formed";
      case Errc::restricted_xml:
        return "the peer sent XML that RFC 6120 §11.1 forbids in a stream (a DTD, an entity "
               "declaration, a comment or a processing instruction)";
      case Errc::header_too_large:
        return "the peer's stream header exceeds max-header-bytes";
      case Errc::stanza_too_large:
        return "the peer sent a stanza larger than max-stanza-bytes";
      case Errc::invalid_namespace:
        return "the stream uses a namespace other than http://etherx.jabber.org/streams and "
               "jabber:server";
      case Errc::bad_format:
        return "the peer's stream is not a valid XMPP stream";
      case Errc::unsupported_version:
        return "the peer's stream version is not 1.x";
      case Errc::bad_proxy_header:
        return "malformed PROXY protocol v2 header";
    }
    return "unknown xmpp error";
  }
};

}  // namespace

const std::error_category& xmpp_category() noexcept {
  static const XmppCategory category;
  return category;
}

std::string_view stream_error_condition(Errc code) {
  switch (code) {
    case Errc::not_well_formed:
      return "not-well-formed";  // RFC 6120 §4.9.3.13
    case Errc::restricted_xml:
      return "restricted-xml";  // RFC 6120 §4.9.3.18
    case Errc::header_too_large:
    case Errc::stanza_too_large:
      return "policy-violation";  // RFC 6120 §4.9.3.14
    case Errc::invalid_namespace:
      return "invalid-namespace";  // RFC 6120 §4.9.3.10
    case Errc::unsupported_version:
      return "unsupported-version";  // RFC 6120 §4.9.3.25
    case Errc::bad_format:
    case Errc::bad_proxy_header:
      return "bad-format";  // RFC 6120 §4.9.3.1
  }
  return "undefined-condition";
}

}  // namespace pgptls::xmpp
