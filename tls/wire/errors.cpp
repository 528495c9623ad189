#include "tls/wire/errors.h"

#include <string>

#include "base/errors.h"

namespace pgptls::tls {
namespace {

class TlsCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "pgptls.tls"; }

  std::string message(int value) const override {
    switch (static_cast<Errc>(value)) {
      case Errc::decode_error:
        return "malformed TLS message";
      case Errc::unexpected_message:
        return "TLS message out of order";
      case Errc::record_overflow:
        return "TLS record exceeds the size limit";
      case Errc::bad_record_mac:
        return "TLS record failed authentication";
      case Errc::handshake_failure:
        return "no parameters in common with the peer";
      case Errc::protocol_version:
        return "no TLS version in common with the peer (pgptls speaks TLS 1.2 for OpenPGP)";
      case Errc::illegal_parameter:
        return "the peer sent a forbidden value";
      case Errc::unsupported_extension:
        return "the peer answered with an extension that was not offered";
      case Errc::missing_extension:
        return "a required TLS extension is missing";
      case Errc::unsupported_certificate:
        return "no certificate type in common with the peer";
      case Errc::certificate_unobtainable:
        return "the peer sent only a fingerprint of a key that is not in the keyring";
      case Errc::bad_certificate:
        return "the peer's certificate is malformed";
      case Errc::peer_rejected:
        return "the peer's certificate is not acceptable";
      case Errc::decrypt_error:
        return "a handshake signature or Finished value does not verify";
      case Errc::no_renegotiation:
        return "renegotiation is not supported";
      case Errc::no_application_protocol:
        return "no application protocol (ALPN) in common with the peer";
      case Errc::insufficient_security:
        return "the peer's parameters are below the security policy";
      case Errc::alert_received:
        return "the peer sent a fatal alert";
      case Errc::closed:
        return "the TLS connection is closed";
      case Errc::timeout:
        return "the TLS peer did not answer in time";
      case Errc::internal_error:
        return "internal error in a cryptographic operation";
      case Errc::invalid_state:
        return "operation not allowed in the current TLS state";
      case Errc::bad_credential:
        return "the local certificate or private key cannot be used";
    }
    return "unknown tls error";
  }
};

}  // namespace

const std::error_category& tls_category() noexcept {
  static const TlsCategory category;
  return category;
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
  switch (alert) {
    case AlertDescription::close_notify:
      return "close_notify";
    case AlertDescription::unexpected_message:
      return "unexpected_message";
    case AlertDescription::bad_record_mac:
      return "bad_record_mac";
    case AlertDescription::record_overflow:
      return "record_overflow";
    case AlertDescription::handshake_failure:
      return "handshake_failure";
    case AlertDescription::bad_certificate:
      return "bad_certificate";
    case AlertDescription::unsupported_certificate:
      return "unsupported_certificate";
    case AlertDescription::certificate_revoked:
      return "certificate_revoked";
    case AlertDescription::certificate_expired:
      return "certificate_expired";
    case AlertDescription::certificate_unknown:
      return "certificate_unknown";
    case AlertDescription::illegal_parameter:
      return "illegal_parameter";
    case AlertDescription::unknown_ca:
      return "unknown_ca";
    case AlertDescription::access_denied:
      return "access_denied";
    case AlertDescription::decode_error:
      return "decode_error";
    case AlertDescription::decrypt_error:
      return "decrypt_error";
    case AlertDescription::protocol_version:
      return "protocol_version";
    case AlertDescription::insufficient_security:
      return "insufficient_security";
    case AlertDescription::internal_error:
      return "internal_error";
    case AlertDescription::user_canceled:
      return "user_canceled";
    case AlertDescription::no_renegotiation:
      return "no_renegotiation";
    case AlertDescription::missing_extension:
      return "missing_extension";
    case AlertDescription::unsupported_extension:
      return "unsupported_extension";
    case AlertDescription::certificate_unobtainable:
      return "certificate_unobtainable";
    case AlertDescription::unrecognized_name:
      return "unrecognized_name";
    case AlertDescription::no_application_protocol:
      return "no_application_protocol";
  }
  return "unknown_alert";
}

}  // namespace pgptls::tls
