// Tests of the signed-pin-list documents: POSH statements, redirects and
// authority bundles, including every rejection and its message.
#include "pins/posh_statement.h"

#include <gnutls/crypto.h>
#include <gtest/gtest.h>

#include "base/encoding.h"
#include "pins/errors.h"

namespace pgptls::pins {
namespace {

using namespace std::chrono_literals;

Bytes sha256_of(const std::string& text) {
  Bytes digest(32);
  EXPECT_EQ(gnutls_hash_fast(GNUTLS_DIG_SHA256, text.data(), text.size(), digest.data()), 0);
  return digest;
}

ByteView view(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

const std::string kPinA = base::base64_encode(sha256_of("certificate a"));
const std::string kPinB = base::base64_encode(sha256_of("spki b"));

// expect_malformed: the document is refused with malformed_statement and a
// message containing `text`.
template <class Parse>
void expect_malformed(Parse parse, const std::string& json, const std::string& text) {
  const auto result = parse(view(json));
  ASSERT_FALSE(result.ok()) << json;
  EXPECT_EQ(result.error().code, make_error_code(PinErrc::malformed_statement));
  EXPECT_NE(result.error().message().find(text), std::string::npos) << result.error().message();
}

const auto parse_document = [](ByteView bytes) { return parse_posh_document(bytes); };
const auto parse_bundle = [](ByteView bytes) { return parse_pin_bundle(bytes); };

TEST(PoshStatement, ReadsAPlainPoshDocument) {
  // RFC 7711 §3.1's shape, with a hash we do not use and a member we do not know.
  const std::string json = R"({"fingerprints":[{"sha-256":")" + kPinA +
                           R"("},{"sha-512":"ignored"}],"expires":604800,"future":1})";
  const auto result = parse_posh_document(view(json));
  ASSERT_TRUE(result.ok()) << result.error().message();
  const auto& statement = std::get<PinStatement>(*result);
  ASSERT_EQ(statement.pins.certificate_sha256.size(), 1U);
  EXPECT_EQ(statement.pins.certificate_sha256[0], sha256_of("certificate a"));
  EXPECT_TRUE(statement.pins.spki_sha256.empty());
  EXPECT_EQ(statement.expires_seconds, 604800);
  EXPECT_FALSE(statement.domain || statement.issued || statement.serial);
}

TEST(PoshStatement, ReadsOurMembersAndRoundTrips) {
  const std::string json =
      R"({"fingerprints":[],"spki-sha-256":[")" + kPinB +
      R"("],"expires":86400,"domain":"B.Example.","issued":"2026-11-01T00:00:00Z","serial":7})";
  const auto result = parse_posh_document(view(json));
  ASSERT_TRUE(result.ok()) << result.error().message();
  const auto& statement = std::get<PinStatement>(*result);
  EXPECT_EQ(statement.domain, "b.example");
  EXPECT_EQ(statement.serial, 7U);
  EXPECT_EQ(base::format_utc(*statement.issued), "2026-11-01T00:00:00Z");
  ASSERT_EQ(statement.pins.spki_sha256.size(), 1U);

  const std::string written = write_pin_statement(statement);
  const auto reread = parse_posh_document(view(written));
  ASSERT_TRUE(reread.ok()) << reread.error().message();
  const auto& again = std::get<PinStatement>(*reread);
  EXPECT_EQ(again.domain, statement.domain);
  EXPECT_EQ(again.serial, statement.serial);
  EXPECT_EQ(again.issued, statement.issued);
  EXPECT_EQ(again.expires_seconds, statement.expires_seconds);
  EXPECT_EQ(again.pins.spki_sha256, statement.pins.spki_sha256);
  EXPECT_EQ(again.pins.certificate_sha256, statement.pins.certificate_sha256);
}

TEST(PoshStatement, ReadsARedirect) {
  const auto result =
      parse_posh_document(view(R"({"url":"https://hosting.example/posh/a.json","expires":60})"));
  ASSERT_TRUE(result.ok()) << result.error().message();
  const auto& redirect = std::get<PoshRedirect>(*result);
  EXPECT_EQ(redirect.url, "https://hosting.example/posh/a.json");
  EXPECT_EQ(redirect.expires_seconds, 60);
  expect_malformed(parse_document, R"({"url":"http://hosting.example/a.json","expires":60})",
                   "\"url\" must be an https:// URL");
}

TEST(PoshStatement, RejectsMalformedDocuments) {
  const std::string pins = R"("fingerprints":[{"sha-256":")" + kPinA + R"("}])";
  expect_malformed(parse_document, "{\"expires\":", "not valid JSON");
  expect_malformed(parse_document, "[1]", "not a JSON object");
  expect_malformed(parse_document, "{" + pins + "}", "\"expires\" is missing");
  expect_malformed(parse_document, "{" + pins + R"(,"expires":-1})", "\"expires\" must be");
  expect_malformed(parse_document, "{" + pins + R"(,"expires":"60"})", "\"expires\" must be");
  expect_malformed(parse_document, "{" + pins + R"(,"expires":99999999999})",
                   "\"expires\" must be");
  expect_malformed(parse_document, R"({"fingerprints":[{"sha-256":"AAAA"}],"expires":1})",
                   "not the base64 of a 32-byte SHA-256 value");
  expect_malformed(parse_document, R"({"fingerprints":[{"sha-256":"!!"}],"expires":1})",
                   "not the base64 of a 32-byte SHA-256 value");
  expect_malformed(parse_document, R"({"fingerprints":{},"expires":1})",
                   "\"fingerprints\" must be an array");
  expect_malformed(parse_document, R"({"fingerprints":[],"expires":1})", "lists no");
  expect_malformed(parse_document, "{" + pins + R"(,"expires":1,"serial":-3})",
                   "\"serial\" must be a non-negative whole number");
  expect_malformed(parse_document, "{" + pins + R"(,"expires":1,"issued":"yesterday"})",
                   "\"issued\" is not a YYYY-MM-DDTHH:MM:SSZ time");
  for (const std::string bad :
       {"b\xc3\xa4r.example", "-a.example", "a..example", "a.example-", ".", ""}) {
    expect_malformed(parse_document, "{" + pins + R"(,"expires":1,"domain":")" + bad + "\"}",
                     "is not a domain name in A-label form");
  }
}

TEST(PoshStatement, EnforcesItsLimits) {
  std::string many = R"({"spki-sha-256":[)";
  for (int index = 0; index < 17; ++index) {
    many += (index == 0 ? "\"" : ",\"") + kPinB + "\"";
  }
  many += R"(],"expires":1})";
  expect_malformed(parse_document, many, "lists more than 16 pins");

  const std::string huge = R"({"expires":1,"padding":")" + std::string(70 * 1024, 'x') + "\"}";
  expect_malformed(parse_document, huge, "exceeds the cap of 65536");

  const std::string deep = std::string(5000, '[') + std::string(5000, ']');
  expect_malformed(parse_document, deep, "nests deeper than 8 levels");
  // Brackets inside strings do not count as nesting.
  const std::string quoted =
      R"({"note":"[[[[[[[[[[[[[[[[","spki-sha-256":[")" + kPinB + R"("],"expires":1})";
  EXPECT_TRUE(parse_posh_document(view(quoted)).ok());
}

// One bundle for a whole community, far over a single
// statement's 64 KiB, under its own cap.
TEST(PinBundle, HasItsOwnLargerCap) {
  const StatementLimits limits;
  EXPECT_EQ(limits.max_document_bytes, 64U * 1024);
  EXPECT_EQ(limits.max_bundle_bytes, 4U * 1024 * 1024);
  std::string json = R"({"domains":{)";
  for (int index = 0; index < 5000; ++index) {
    json += (index == 0 ? "" : ",") + ("\"m" + std::to_string(index) + ".example\"") +
            R"(:{"spki-sha-256":[")" + kPinB + R"("]})";
  }
  json += R"(},"issued":"2026-11-20T10:00:00Z","serial":1,"expires":3600})";
  ASSERT_GT(json.size(), limits.max_document_bytes);
  const auto parsed = parse_pin_bundle(view(json));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_EQ(parsed->domains.size(), 5000U);

  const std::string huge = R"({"padding":")" + std::string(limits.max_bundle_bytes, 'x') + "\"}";
  expect_malformed(parse_bundle, huge,
                   "bundle of " + std::to_string(huge.size()) +
                       " bytes exceeds the bundle cap of 4194304 bytes; ask its authority to "
                       "split it into several bundles");
  // The per-domain caps still apply inside a bundle.
  std::string many = R"({"domains":{"a.example":{"spki-sha-256":[)";
  for (int index = 0; index < 17; ++index) {
    many += (index == 0 ? "\"" : ",\"") + kPinB + "\"";
  }
  many += R"(]}},"issued":"2026-11-20T10:00:00Z","serial":1,"expires":1})";
  expect_malformed(parse_bundle, many, "lists more than 16 pins");
}

TEST(PinBundle, ReadsDomainsAndRequiresRollbackMembers) {
  const std::string domains = R"("domains":{"a.example":{"spki-sha-256":[")" + kPinB +
                              R"("]},"B.example":{"fingerprints":[{"sha-256":")" + kPinA +
                              R"("}]},"c.example":{"spki-sha-256":[")" + kPinB + R"("]}})";
  const std::string json =
      "{" + domains + R"(,"issued":"2026-11-20T10:00:00Z","serial":42,"expires":3600})";
  const auto result = parse_pin_bundle(view(json));
  ASSERT_TRUE(result.ok()) << result.error().message();
  ASSERT_EQ(result->domains.size(), 3U);
  EXPECT_EQ(result->domains.at("b.example").certificate_sha256.at(0), sha256_of("certificate a"));
  EXPECT_EQ(result->serial, 42U);
  EXPECT_EQ(result->expires_seconds, 3600);

  expect_malformed(parse_bundle, "{" + domains + R"(,"serial":42,"expires":3600})",
                   "a bundle needs \"issued\" and \"serial\"");
  expect_malformed(parse_bundle,
                   R"({"domains":{},"issued":"2026-11-20T10:00:00Z","serial":1,"expires":1})",
                   "\"domains\" must be a non-empty object");
  expect_malformed(
      parse_bundle,
      R"({"domains":{"a.example":{}},"issued":"2026-11-20T10:00:00Z","serial":1,"expires":1})",
      "domain \"a.example\" lists no pins");
  const std::string twice = R"({"domains":{"a.example":{"spki-sha-256":[")" + kPinB +
                            R"("]},"A.EXAMPLE":{"spki-sha-256":[")" + kPinB +
                            R"("]}},"issued":"2026-11-20T10:00:00Z","serial":1,"expires":1})";
  expect_malformed(parse_bundle, twice, "appears twice");
}

TEST(PoshStatement, ExpiryCountsFromIssuedElseFromRetrieval) {
  const base::Seconds fetched{std::chrono::sys_days{std::chrono::November / 28 / 2026}};
  const base::Seconds issued = fetched - 24h;
  EXPECT_EQ(statement_expiry(issued, 3600, fetched), issued + 1h);
  EXPECT_EQ(statement_expiry(std::nullopt, 3600, fetched), fetched + 1h);
}

}  // namespace
}  // namespace pgptls::pins
