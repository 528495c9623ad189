#include "xmpp/errors.h"

#include <string>
#include <string_view>

#include "base/error_category.h"
#include "base/name_table.h"

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

// kConditions: the RFC 6120 §4.9.3 stream error each Errc value answers with.
constexpr base::NameTable<Errc, 8> kConditions{{
    {Errc::not_well_formed, "not-well-formed"},          // §4.9.3.13
    {Errc::restricted_xml, "restricted-xml"},            // §4.9.3.18
    {Errc::header_too_large, "policy-violation"},        // §4.9.3.14
    {Errc::stanza_too_large, "policy-violation"},        // §4.9.3.14
    {Errc::invalid_namespace, "invalid-namespace"},      // §4.9.3.10
    {Errc::bad_format, "bad-format"},                    // §4.9.3.1
    {Errc::unsupported_version, "unsupported-version"},  // §4.9.3.25
    {Errc::bad_proxy_header, "bad-format"},              // §4.9.3.1
}};
static_assert(base::covers_every_value(kConditions));

}  // namespace

const std::error_category& xmpp_category() noexcept {
  static const base::EnumCategory<kMessages> category("pgptls.xmpp");
  return category;
}

std::string_view stream_error_condition(Errc code) {
  return base::name_of(kConditions, code).value_or("undefined-condition");
}

}  // namespace pgptls::xmpp
