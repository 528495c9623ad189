// errors.h: the error category of the tls library, and the mapping from
// errors to TLS alerts (RFC 5246 §7.2, RFC 6091 §4, RFC 8446 §6).
#pragma once

#include <cstdint>
#include <system_error>

#include "base/error_category.h"
#include "base/result.h"

namespace pgptls::tls {

// AlertDescription: the TLS alert registry values pgptls sends or reads.
enum class AlertDescription : std::uint8_t {
  close_notify = 0,
  unexpected_message = 10,
  bad_record_mac = 20,
  record_overflow = 22,
  handshake_failure = 40,
  bad_certificate = 42,
  unsupported_certificate = 43,
  certificate_revoked = 44,
  certificate_expired = 45,
  certificate_unknown = 46,
  illegal_parameter = 47,
  unknown_ca = 48,
  access_denied = 49,
  decode_error = 50,
  decrypt_error = 51,
  protocol_version = 70,
  insufficient_security = 71,
  internal_error = 80,
  user_canceled = 90,
  no_renegotiation = 100,
  missing_extension = 109,
  unsupported_extension = 110,
  certificate_unobtainable = 111,
  unrecognized_name = 112,
  no_application_protocol = 120,
};

// Errc: why a TLS connection failed. Each maps to the alert we send.
enum class Errc {
  decode_error = 1,          // a message does not parse
  unexpected_message,        // a message out of order
  record_overflow,           // a record over the size limits
  bad_record_mac,            // AEAD authentication failed
  handshake_failure,         // no common parameters
  protocol_version,          // no common TLS version
  illegal_parameter,         // a field with a forbidden value
  unsupported_extension,     // an extension the peer was not offered
  missing_extension,         // a required extension is absent
  unsupported_certificate,   // no common certificate type
  certificate_unobtainable,  // fingerprint names a key we do not have
  bad_certificate,           // certificate malformed or wrong key
  peer_rejected,             // the PeerVerifier refused the certificate
  decrypt_error,             // bad signature or Finished
  no_renegotiation,          // renegotiation attempted
  no_application_protocol,   // no common ALPN protocol
  insufficient_security,     // below the policy (e.g. no extended master secret)
  alert_received,            // the peer sent a fatal alert
  closed,                    // the connection is closed
  timeout,                   // a handshake or idle deadline passed
  internal_error,            // a crypto library call failed
  invalid_state,             // an API call in the wrong state
  bad_credential,            // a local certificate or key cannot be loaded
};

// verifier_refusal: how a PeerVerifier's failure reaches the peer, the
// same from both engines: errors of the tls category keep their own alert
// (certificate_unobtainable, bad_certificate, ...); any other failure (a
// keyring rejection, a pin store that cannot be read) becomes
// Errc::peer_rejected with the verifier's message, so the peer gets
// certificate_unknown (RFC 5246 §7.2.2: "some other (unspecified) issue
// arose in processing the certificate, rendering it unacceptable").
[[nodiscard]] Error verifier_refusal(Error error);

// alert_for: the alert to send for an error of any category (errors of other
// libraries become internal_error, parse errors of base decode_error).
[[nodiscard]] AlertDescription alert_for(const std::error_code& code) noexcept;

// alert_name: "handshake_failure", ... for logs and error messages.
[[nodiscard]] const char* alert_name(AlertDescription alert) noexcept;

}  // namespace pgptls::tls

PGPTLS_ERROR_ENUM(pgptls::tls, Errc, tls_category);
