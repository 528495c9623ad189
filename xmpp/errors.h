// errors.h: the error category of the xmpp library. Each code maps to the
// RFC 6120 §4.9.3 stream error condition the proxy answers with.
#pragma once

#include <string_view>
#include <system_error>

#include "base/error_category.h"
#include "base/result.h"

namespace pgptls::xmpp {

enum class Errc {
  not_well_formed = 1,  // malformed XML (RFC 6120 §4.9.3.13)
  restricted_xml,       // DTD, entity declaration, comment or PI (§11.1, §4.9.3.18)
  header_too_large,     // the stream header exceeds the cap (§4.9.3.12 policy-violation)
  stanza_too_large,     // a top-level element exceeds the cap (§4.9.3.12 policy-violation)
  invalid_namespace,    // wrong stream or content namespace (§4.9.3.10)
  bad_format,           // well-formed XML that is not a valid stream (§4.9.3.1)
  unsupported_version,  // version other than 1.x (§4.9.3.25)
  bad_proxy_header,     // a PROXY v2 header that does not decode (tests)
};

// stream_error_condition: the RFC 6120 §4.9.3 condition element name for an
// xmpp error ("not-well-formed", "policy-violation", ...).
[[nodiscard]] std::string_view stream_error_condition(Errc code);

}  // namespace pgptls::xmpp

PGPTLS_ERROR_ENUM(pgptls::xmpp, Errc, xmpp_category);
