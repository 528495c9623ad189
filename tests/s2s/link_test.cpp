// The rule both session kinds check a peer against: the TLS handshake
// authenticated it as the domain its stream names (RFC 6120 §4.7.1; else
// invalid-from, §4.9.3.9), compared in any case.
#include <gtest/gtest.h>

#include "s2s/link.h"

namespace pgptls::s2s {
namespace {

tls::SessionInfo authenticated_for(std::vector<std::string> domains) {
  tls::SessionInfo session;
  session.peer.emplace();
  session.peer->domains = std::move(domains);
  return session;
}

TEST(AuthenticatedAs, ADomainTheCertificateIsForInAnyCase) {
  const tls::SessionInfo session = authenticated_for({"A.Example", "b.example"});
  EXPECT_TRUE(authenticated_as(session, "a.example"));
  EXPECT_TRUE(authenticated_as(session, "B.EXAMPLE"));
}

TEST(AuthenticatedAs, AnotherDomainOrNoneIsNot) {
  const tls::SessionInfo session = authenticated_for({"a.example"});
  EXPECT_FALSE(authenticated_as(session, "c.example"));
  EXPECT_FALSE(authenticated_as(session, "example"));
  EXPECT_FALSE(authenticated_as(session, ""));
}

TEST(AuthenticatedAs, APeerWithoutACertificateIsNeverAuthenticated) {
  EXPECT_FALSE(authenticated_as(tls::SessionInfo{}, "a.example"));
  EXPECT_FALSE(authenticated_as(authenticated_for({}), "a.example"));
}

}  // namespace
}  // namespace pgptls::s2s
