#include "tls/wire/errors.h"

#include <string>
#include <string_view>

#include "base/error_category.h"
#include "base/errors.h"
#include "base/name_table.h"

namespace pgptls::tls {
namespace {

// kMessages: what each Errc value means.
constexpr base::ErrorMessages<Errc, 23> kMessages{{
    {Errc::decode_error, "malformed TLS message"},
    {Errc::unexpected_message, "TLS message out of order"},
    {Errc::record_overflow, "TLS record exceeds the size limit"},
    {Errc::bad_record_mac, "TLS record failed authentication"},
    {Errc::handshake_failure, "no parameters in common with the peer"},
    {Errc::protocol_version,
     "no TLS version in common with the peer (pgptls speaks TLS 1.2 for OpenPGP)"},
    {Errc::illegal_parameter, "the peer sent a forbidden value"},
    {Errc::unsupported_extension, "the peer answered with an extension that was not offered"},
    {Errc::missing_extension, "a required TLS extension is missing"},
    {Errc::unsupported_certificate, "no certificate type in common with the peer"},
    {Errc::certificate_unobtainable,
     "the peer sent only a fingerprint of a key that is not in the keyring"},
    {Errc::bad_certificate, "the peer's certificate is malformed"},
    {Errc::peer_rejected, "the peer's certificate is not acceptable"},
    {Errc::decrypt_error, "a handshake signature or Finished value does not verify"},
    {Errc::no_renegotiation, "renegotiation is not supported"},
    {Errc::no_application_protocol, "no application protocol (ALPN) in common with the peer"},
    {Errc::insufficient_security, "the peer's parameters are below the security policy"},
    {Errc::alert_received, "the peer sent a fatal alert"},
    {Errc::closed, "the TLS connection is closed"},
    {Errc::timeout, "the TLS peer did not answer in time"},
    {Errc::internal_error, "internal error in a cryptographic operation"},
    {Errc::invalid_state, "operation not allowed in the current TLS state"},
    {Errc::bad_credential, "the local certificate or private key cannot be used"},
}};

// kAlertNames: RFC 5246 §7.2 and the registry's names of the alerts in
// AlertDescription.
constexpr base::NameTable<AlertDescription, 25> kAlertNames{{
    {AlertDescription::close_notify, "close_notify"},
    {AlertDescription::unexpected_message, "unexpected_message"},
    {AlertDescription::bad_record_mac, "bad_record_mac"},
    {AlertDescription::record_overflow, "record_overflow"},
    {AlertDescription::handshake_failure, "handshake_failure"},
    {AlertDescription::bad_certificate, "bad_certificate"},
    {AlertDescription::unsupported_certificate, "unsupported_certificate"},
    {AlertDescription::certificate_revoked, "certificate_revoked"},
    {AlertDescription::certificate_expired, "certificate_expired"},
    {AlertDescription::certificate_unknown, "certificate_unknown"},
    {AlertDescription::illegal_parameter, "illegal_parameter"},
    {AlertDescription::unknown_ca, "unknown_ca"},
    {AlertDescription::access_denied, "access_denied"},
    {AlertDescription::decode_error, "decode_error"},
    {AlertDescription::decrypt_error, "decrypt_error"},
    {AlertDescription::protocol_version, "protocol_version"},
    {AlertDescription::insufficient_security, "insufficient_security"},
    {AlertDescription::internal_error, "internal_error"},
    {AlertDescription::user_canceled, "user_canceled"},
    {AlertDescription::no_renegotiation, "no_renegotiation"},
    {AlertDescription::missing_extension, "missing_extension"},
    {AlertDescription::unsupported_extension, "unsupported_extension"},
    {AlertDescription::certificate_unobtainable, "certificate_unobtainable"},
    {AlertDescription::unrecognized_name, "unrecognized_name"},
    {AlertDescription::no_application_protocol, "no_application_protocol"},
}};

}  // namespace

const std::error_category& tls_category() noexcept {
  static const base::EnumCategory<kMessages> category("pgptls.tls");
  return category;
}

Error verifier_refusal(Error error) {
  if (error.code.category() == tls_category()) {
    return error;
  }
  return make_error(Errc::peer_rejected, error.message());
}

AlertDescription alert_for(const std::error_code& code) noexcept {
  if (code.category() == base::base_category()) {
    return AlertDescription::decode_error;
  }
  if (code.category() != tls_category()) {
    return AlertDescription::internal_error;
  }
  switch (static_cast<Errc>(code.value())) {
    case Errc::decode_error:
      return AlertDescription::decode_error;
    case Errc::unexpected_message:
      return AlertDescription::unexpected_message;
    case Errc::record_overflow:
      return AlertDescription::record_overflow;
    case Errc::bad_record_mac:
      return AlertDescription::bad_record_mac;
    case Errc::handshake_failure:
      return AlertDescription::handshake_failure;
    case Errc::protocol_version:
      return AlertDescription::protocol_version;
    case Errc::illegal_parameter:
      return AlertDescription::illegal_parameter;
    case Errc::unsupported_extension:
      return AlertDescription::unsupported_extension;
    case Errc::missing_extension:
      return AlertDescription::missing_extension;
    case Errc::unsupported_certificate:
      return AlertDescription::unsupported_certificate;
    case Errc::certificate_unobtainable:
      return AlertDescription::certificate_unobtainable;
    case Errc::bad_certificate:
      return AlertDescription::bad_certificate;
    case Errc::peer_rejected:
      return AlertDescription::certificate_unknown;
    case Errc::decrypt_error:
      return AlertDescription::decrypt_error;
    case Errc::no_renegotiation:
      return AlertDescription::no_renegotiation;
    case Errc::no_application_protocol:
      return AlertDescription::no_application_protocol;
    case Errc::insufficient_security:
      return AlertDescription::insufficient_security;
    case Errc::alert_received:
    case Errc::closed:
      return AlertDescription::close_notify;
    case Errc::timeout:
      return AlertDescription::user_canceled;
    case Errc::internal_error:
    case Errc::invalid_state:
    case Errc::bad_credential:
      return AlertDescription::internal_error;
  }
  return AlertDescription::internal_error;
}

const char* alert_name(AlertDescription alert) noexcept {
  // The names are string literals, so the view's data is NUL-terminated.
  return base::name_of(kAlertNames, alert).value_or("unknown_alert").data();
}

}  // namespace pgptls::tls
