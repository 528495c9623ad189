#include "tls/wire/errors.h"

#include <gtest/gtest.h>

#include "base/errors.h"

namespace pgptls::tls {
namespace {

TEST(TlsErrors, EveryCodeHasAMessage) {
  for (int code = static_cast<int>(Errc::decode_error);
       code <= static_cast<int>(Errc::invalid_state); ++code) {
    EXPECT_NE(tls_category().message(code), "unknown tls error") << code;
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
}

}  // namespace
}  // namespace pgptls::tls
