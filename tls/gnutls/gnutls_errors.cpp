#include "tls/gnutls/gnutls_errors.h"

#include <algorithm>
#include <array>
#include <initializer_list>
#include <string>

#include "tls/wire/errors.h"

namespace pgptls::tls {
namespace {

// Translation: the GnuTLS codes that mean one thing to an operator.
struct Translation {
  std::initializer_list<int> codes;
  Errc errc;
  const char* message;
};

const std::array<Translation, 14> kTranslations{{
    {{GNUTLS_E_CERTIFICATE_ERROR}, Errc::bad_certificate, "peer certificate refused"},
    {{GNUTLS_E_NO_CERTIFICATE_FOUND, GNUTLS_E_CERTIFICATE_REQUIRED},
     Errc::handshake_failure,
     "the peer sent no certificate but one is required; configure a certificate on the peer"},
    {{GNUTLS_E_INSUFFICIENT_CREDENTIALS, GNUTLS_E_NO_CIPHER_SUITES, GNUTLS_E_UNKNOWN_CIPHER_SUITE,
      GNUTLS_E_NO_COMMON_KEY_SHARE, GNUTLS_E_UNKNOWN_PK_ALGORITHM},
     Errc::handshake_failure,
     "no cipher suite, group or certificate key usable with the peer; check the certificate key "
     "type and TLS versions on both sides"},
    {{GNUTLS_E_UNSUPPORTED_CERTIFICATE_TYPE},
     Errc::unsupported_certificate,
     "no certificate type in common with the peer; offer X.509 or raw public keys on both "
     "sides"},
    {{GNUTLS_E_UNSUPPORTED_VERSION_PACKET},
     Errc::protocol_version,
     "the peer speaks no TLS version we allow (TLS 1.2 or 1.3)"},
    {{GNUTLS_E_NO_APPLICATION_PROTOCOL},
     Errc::no_application_protocol,
     "the peer offers none of our ALPN protocols; align the ALPN configuration"},
    {{GNUTLS_E_PK_SIG_VERIFY_FAILED},
     Errc::decrypt_error,
     "the peer's handshake signature does not verify with its certificate's key"},
    {{GNUTLS_E_DECRYPTION_FAILED}, Errc::bad_record_mac, "a record failed authentication"},
    {{GNUTLS_E_RECORD_OVERFLOW, GNUTLS_E_LARGE_PACKET},
     Errc::record_overflow,
     "a record exceeds 2^14 bytes"},
    {{GNUTLS_E_UNEXPECTED_PACKET, GNUTLS_E_UNEXPECTED_HANDSHAKE_PACKET,
      GNUTLS_E_UNEXPECTED_PACKET_LENGTH},
     Errc::unexpected_message,
     "the peer broke the message order"},
    {{GNUTLS_E_RECEIVED_ILLEGAL_PARAMETER, GNUTLS_E_ILLEGAL_PARAMETER,
      GNUTLS_E_RECEIVED_ILLEGAL_EXTENSION},
     Errc::illegal_parameter,
     "the peer sent a forbidden value"},
    {{GNUTLS_E_SAFE_RENEGOTIATION_FAILED, GNUTLS_E_UNSAFE_RENEGOTIATION_DENIED},
     Errc::no_renegotiation,
     "renegotiation refused"},
    {{GNUTLS_E_PREMATURE_TERMINATION}, Errc::closed, "the peer closed the connection"},
    // GNUTLS_E_FATAL_ALERT_RECEIVED: error_for_received_alert names the alert.
    {{GNUTLS_E_UNEXPECTED_EXTENSIONS_LENGTH, GNUTLS_E_BASE64_DECODING_ERROR,
      GNUTLS_E_ASN1_DER_ERROR, GNUTLS_E_PARSING_ERROR},
     Errc::decode_error,
     "a message from the peer does not parse"},
}};

bool is_one_of(int value, std::initializer_list<int> list) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

}  // namespace

Error error_for_gnutls_code(int code) {
  const std::string reason = std::string(" (GnuTLS: ") + gnutls_strerror(code) + ")";
  for (const Translation& translation : kTranslations) {
    if (is_one_of(code, translation.codes)) {
      return make_error(translation.errc, translation.message + reason);
    }
  }
  return make_error(Errc::handshake_failure, "TLS failed" + reason);
}

Error error_for_received_alert(gnutls_alert_description_t alert) {
  std::string context = std::string("the peer sent the fatal alert ") +
                        alert_name(static_cast<AlertDescription>(alert));
  if (is_one_of(alert, {GNUTLS_A_BAD_CERTIFICATE, GNUTLS_A_CERTIFICATE_UNKNOWN, GNUTLS_A_UNKNOWN_CA,
                        GNUTLS_A_UNSUPPORTED_CERTIFICATE, GNUTLS_A_CERTIFICATE_EXPIRED,
                        GNUTLS_A_ACCESS_DENIED})) {
    context +=
        "; the peer does not accept our certificate: ask its operator to pin or certify our key";
  } else if (is_one_of(alert, {GNUTLS_A_HANDSHAKE_FAILURE, GNUTLS_A_PROTOCOL_VERSION,
                               GNUTLS_A_INSUFFICIENT_SECURITY})) {
    context +=
        "; no common TLS parameters: check versions, cipher suites and certificate types on "
        "both sides";
  }
  return make_error(Errc::alert_received, context);
}

}  // namespace pgptls::tls
