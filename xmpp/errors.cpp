#include "xmpp/errors.h"

#include <string>
#include <string_view>

#include "base/error_category.h"

namespace pgptls::xmpp {
namespace {

// kMessages: what each Errc value means.
constexpr base::ErrorMessages<Errc, 8> kMessages{{
    {Errc::not_well_formed, "the peer sent XML that is not well-formed"},
    {Errc::restricted_xml,
     "the peer sent XML that RFC 6120 §11.1 forbids in a stream (a DTD, an entity "
     "declaration, a comment or a processing instruction)"},
    {Errc::header_too_large, "the peer's stream header exceeds max-header-bytes"},
    {Errc::stanza_too_large, "the peer sent a stanza larger than max-stanza-bytes"},
    {Errc::invalid_namespace,
     "the stream uses a namespace other than http://etherx.jabber.org/streams and "
     "jabber:server"},
    {Errc::bad_format, "the peer's stream is not a valid XMPP stream"},
    {Errc::unsupported_version, "the peer's stream version is not 1.x"},
    {Errc::bad_proxy_header, "malformed PROXY protocol v2 header"},
}};

}  // namespace

const std::error_category& xmpp_category() noexcept {
  static const base::EnumCategory<kMessages> category("pgptls.xmpp");
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
