#include "tls/wire/errors.h"

#include <gtest/gtest.h>

#include "base/errors.h"
#include "tls/gnutls/gnutls_errors.h"
#include "tls/wire/certificate_type.h"
#include "tls/wire/content_type.h"
#include "tls/wire/messages/types.h"

namespace pgptls::tls {
namespace {

TEST(TlsErrors, EveryCodeHasAMessage) {
  for (int code = static_cast<int>(Errc::decode_error);
       code <= static_cast<int>(Errc::bad_credential); ++code) {
    EXPECT_NE(tls_category().message(code), "unknown pgptls.tls error") << code;
  }
}

TEST(TlsErrors, AlertMapping) {
  EXPECT_EQ(alert_for(make_error_code(Errc::decrypt_error)), AlertDescription::decrypt_error);
  EXPECT_EQ(alert_for(make_error_code(Errc::no_renegotiation)), AlertDescription::no_renegotiation);
  EXPECT_EQ(alert_for(make_error_code(Errc::certificate_unobtainable)),
            AlertDescription::certificate_unobtainable);
  // A parse error from ByteReader is a decode_error on the wire.
  EXPECT_EQ(alert_for(make_error_code(base::Errc::truncated)), AlertDescription::decode_error);
  // Anything else is our fault, not the peer's.
  EXPECT_EQ(alert_for(std::make_error_code(std::errc::io_error)), AlertDescription::internal_error);
  EXPECT_STREQ(alert_name(AlertDescription::unsupported_certificate), "unsupported_certificate");
  // A value outside the enum (a peer's alert byte) still has a printable name.
  EXPECT_STREQ(alert_name(static_cast<AlertDescription>(255)), "unknown_alert");
  EXPECT_EQ(content_type_name(ContentType::application_data), "application_data");
  EXPECT_EQ(content_type_name(static_cast<ContentType>(24)), "unknown");
  EXPECT_EQ(certificate_type_name(CertificateType::raw_public_key), "rawpk");
  EXPECT_EQ(messages::handshake_type_name(20), "finished");
  EXPECT_EQ(messages::handshake_type_name(3), "unknown");
}

}  // namespace
}  // namespace pgptls::tls

namespace pgptls::tls {
namespace {

// The GnuTLS translation table: a few codes, an unknown one, and alerts.
TEST(GnutlsErrors, CodesTranslateToTheirErrcWithGnutlsWords) {
  const Error signature = error_for_gnutls_code(GNUTLS_E_PK_SIG_VERIFY_FAILED);
  EXPECT_EQ(signature.code, Errc::decrypt_error);
  EXPECT_NE(signature.message().find("handshake signature does not verify"), std::string::npos);
  EXPECT_NE(signature.message().find("(GnuTLS: "), std::string::npos);
  EXPECT_EQ(error_for_gnutls_code(GNUTLS_E_LARGE_PACKET).code, Errc::record_overflow);
  EXPECT_EQ(error_for_gnutls_code(GNUTLS_E_CERTIFICATE_REQUIRED).code, Errc::handshake_failure);
  EXPECT_EQ(error_for_gnutls_code(GNUTLS_E_MEMORY_ERROR).code, Errc::handshake_failure);
  const Error refused = error_for_received_alert(GNUTLS_A_CERTIFICATE_UNKNOWN);
  EXPECT_EQ(refused.code, Errc::alert_received);
  EXPECT_NE(refused.message().find("certificate_unknown"), std::string::npos);
  EXPECT_NE(refused.message().find("ask its operator to pin or certify our key"),
            std::string::npos);
  EXPECT_NE(error_for_received_alert(GNUTLS_A_PROTOCOL_VERSION)
                .message()
                .find("no common TLS parameters"),
            std::string::npos);
}

// Both engines: a verifier failure of another library is certificate_unknown.
TEST(TlsErrors, VerifierRefusalsOfOtherLibrariesAreCertificateUnknown) {
  const Error store = verifier_refusal(make_error(base::Errc::invalid_value, "store"));
  EXPECT_EQ(store.code, Errc::peer_rejected);
  EXPECT_EQ(alert_for(store.code), AlertDescription::certificate_unknown);
  const Error own = verifier_refusal(make_error(Errc::certificate_unobtainable, "fpr only"));
  EXPECT_EQ(own.code, Errc::certificate_unobtainable);
}

}  // namespace
}  // namespace pgptls::tls
