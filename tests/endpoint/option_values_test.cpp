// Tests of the option values shared by the programs.
#include "endpoint/option_values.h"

#include <gtest/gtest.h>

#include "base/errors.h"

namespace pgptls::endpoint {
namespace {

void expect_refused(const Result<HostPort>& result, const std::string& text) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, make_error_code(base::Errc::invalid_value));
  EXPECT_NE(result.error().message().find(text), std::string::npos) << result.error().message();
}

TEST(HostPort, ReadsNamesAddressesAndBracketedIpv6) {
  const auto name = parse_host_port("xmpp.example.org:5269");
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(name->host, "xmpp.example.org");
  EXPECT_EQ(name->port, 5269);
  const auto v4 = parse_host_port("127.0.0.1:1");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->host, "127.0.0.1");
  const auto v6 = parse_host_port("[::1]:65535");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 65535);
}

TEST(HostPort, RefusesBadValuesWithTheValueInTheMessage) {
  expect_refused(parse_host_port("example.org"), "'example.org' needs a port: HOST:PORT");
  expect_refused(parse_host_port(":5269"), "':5269' has no host");
  expect_refused(parse_host_port("[]:5269"), "has no host");
  expect_refused(parse_host_port("::1:5269"), "write an IPv6 address in brackets");
  for (const char* bad : {"h:", "h:0", "h:65536", "h:52x", "h:-1", "h: 1"}) {
    expect_refused(parse_host_port(bad), "the port must be a number from 1 to 65535");
  }
}

TEST(AuthoritySpec, ReadsFileAndScopes) {
  const auto plain = parse_authority_spec("/etc/pgptls/ca.asc");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->file, "/etc/pgptls/ca.asc");
  EXPECT_TRUE(plain->scopes.empty());
  const auto scoped = parse_authority_spec("ca.asc,scope=*.example.org,scope=example.org");
  ASSERT_TRUE(scoped.ok());
  EXPECT_EQ(scoped->scopes, (std::vector<std::string>{"*.example.org", "example.org"}));
}

TEST(AuthoritySpec, RefusesMalformedSpecs) {
  for (const auto& [text, message] : std::vector<std::pair<std::string, std::string>>{
           {"", "needs a certificate file"},
           {",scope=a.example", "needs a certificate file"},
           {"ca.asc,domain=a.example",
            "unknown part 'domain=a.example' in --authority: only scope=PATTERN"},
           {"ca.asc,scope=", "scope= needs a pattern"},
           {"ca.asc,", "only scope=PATTERN may follow the file"}}) {
    const auto result = parse_authority_spec(text);
    ASSERT_FALSE(result.ok()) << text;
    EXPECT_NE(result.error().message().find(message), std::string::npos)
        << result.error().message();
  }
}

}  // namespace
}  // namespace pgptls::endpoint
