// The engine and verifier interfaces compile on their own and keep the
// properties the transport relies on.
#include <gtest/gtest.h>

#include <type_traits>

#include "tls/engine/credentials.h"
#include "tls/engine/engine.h"
#include "tls/engine/peer_verifier.h"

namespace pgptls::tls {
namespace {

static_assert(std::is_abstract_v<Engine>);
static_assert(std::is_abstract_v<PeerVerifier>);
// A verified peer owns its key and moves, never copies.
static_assert(!std::is_copy_constructible_v<VerifiedPeer>);
static_assert(std::is_nothrow_move_constructible_v<VerifiedPeer>);

TEST(TlsInterfaces, CertificateTypeNamesMatchTheProgramsOutput) {
  EXPECT_EQ(certificate_type_name(CertificateType::openpgp), "openpgp");
  EXPECT_EQ(certificate_type_name(CertificateType::x509), "x509");
  EXPECT_EQ(certificate_type_name(CertificateType::raw_public_key), "rawpk");
  // RFC 6091 §4 / RFC 7250 §3 registry values.
  EXPECT_EQ(static_cast<int>(CertificateType::openpgp), 1);
  EXPECT_EQ(static_cast<int>(CertificateType::raw_public_key), 2);
}

TEST(TlsInterfaces, CredentialsStartEmpty) {
  const Credentials credentials;
  EXPECT_FALSE(credentials.openpgp.has_value());
  EXPECT_FALSE(credentials.x509.has_value());
  EXPECT_FALSE(credentials.raw_public_key.has_value());
}

}  // namespace
}  // namespace pgptls::tls
