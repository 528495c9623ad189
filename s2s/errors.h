// errors.h: the error category of the s2s library (DNS and routing; the
// XML stream's own errors are xmpp::Errc, TLS's tls::Errc).
#pragma once

#include <system_error>

#include "base/error_category.h"
#include "base/result.h"

namespace pgptls::s2s {

enum class Errc {
  dns_failure = 1,   // the resolver failed or timed out
  no_such_domain,    // NXDOMAIN / no address for the domain
  service_disabled,  // the SRV record "." says the domain offers no s2s (RFC 2782)
  bad_config,        // a setting of the proxy that cannot work
  peer_closed,       // the other side closed the connection mid-negotiation
};

}  // namespace pgptls::s2s

PGPTLS_ERROR_ENUM(pgptls::s2s, Errc, s2s_category);
