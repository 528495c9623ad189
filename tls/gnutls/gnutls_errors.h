// gnutls_errors.h: GnuTLS's error codes and received alerts translated into
// pgptls errors (tls::Errc, and so the alert we send, errors.h) with a
// message that names the cause and the fix. One table, read by the GnuTLS
// engine.
#pragma once

#include <gnutls/gnutls.h>

#include "base/result.h"

namespace pgptls::tls {

// error_for_gnutls_code: the Errc and message for a GnuTLS error code
// (the message ends with GnuTLS's own words); codes the table does not
// list are handshake_failure "TLS failed".
[[nodiscard]] Error error_for_gnutls_code(int code);

// error_for_received_alert: Errc::alert_received naming the alert, with a
// hint when it says the peer refused our certificate or our parameters.
[[nodiscard]] Error error_for_received_alert(gnutls_alert_description_t alert);

}  // namespace pgptls::tls
