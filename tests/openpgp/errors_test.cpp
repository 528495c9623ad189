#include "openpgp/errors.h"

#include <gtest/gtest.h>

namespace pgptls::openpgp {
namespace {

TEST(KeyringErrors, EveryCodeHasAMessage) {
  for (int code = static_cast<int>(Errc::malformed_packet);
       code <= static_cast<int>(Errc::domain_mismatch); ++code) {
    EXPECT_NE(openpgp_category().message(code), "unknown pgptls.openpgp error") << code;
  }
  EXPECT_STREQ(openpgp_category().name(), "pgptls.openpgp");
}

TEST(KeyringErrors, MessageCombinesContextAndCause) {
  const Error error = make_error(Errc::not_certified, "xmpp:b.example, key 0x9D8E1CC56181F586");
  EXPECT_EQ(error.message(),
            "xmpp:b.example, key 0x9D8E1CC56181F586: peer key not certified by any authority");
}

}  // namespace
}  // namespace pgptls::openpgp
