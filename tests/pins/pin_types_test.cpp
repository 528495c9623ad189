// Tests of the pin vocabulary: domain normalisation, pin-sha256 parsing and
// computing pins from certificates made by openssl, checked against the pin
// openssl computes itself.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "pins/errors.h"
#include "pins/pin_types.h"
#include "tests/pins/pin_fixtures.h"

namespace pgptls::pins {
namespace {

using test::X509Fixture;

Bytes slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

class PinTypes : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir();
    ed25519_ = new X509Fixture(test::make_x509(dir_->path(), "ed", "b.example"));
    rsa_ = new X509Fixture(test::make_x509(dir_->path(), "rsa", "c.example", "rsa:2048"));
  }
  static void TearDownTestSuite() {
    delete ed25519_;
    delete rsa_;
    delete dir_;
  }
  static test::TempDir* dir_;
  static X509Fixture* ed25519_;
  static X509Fixture* rsa_;
};
test::TempDir* PinTypes::dir_ = nullptr;
X509Fixture* PinTypes::ed25519_ = nullptr;
X509Fixture* PinTypes::rsa_ = nullptr;

TEST(PinDomain, NormalisesCaseTrailingDotAndIdna) {
  EXPECT_EQ(*normalize_domain_input("B.Example"), "b.example");
  EXPECT_EQ(*normalize_domain_input("b.example."), "b.example");
  EXPECT_EQ(*normalize_domain_input("xn--bcher-kva.example"), "xn--bcher-kva.example");
  // RFC 5891: the U-label form maps to the same A-label.
  EXPECT_EQ(*normalize_domain_input("b\xC3\xBC"
                                    "cher.example"),
            "xn--bcher-kva.example");
  EXPECT_EQ(*normalize_domain_input("B\xC3\x9C"
                                    "CHER.Example."),
            "xn--bcher-kva.example");
  EXPECT_EQ(*normalize_domain_input("localhost"), "localhost");
}

TEST(PinDomain, RejectsMalformedNamesWithTheReason) {
  const struct {
    std::string input;
    std::string reason;
  } cases[] = {
      {"", "is empty"},
      {".", "is empty"},
      {"b..example", "has an empty label"},
      {".b.example", "has an empty label"},
      {"b.example..", "has an empty label"},
      {"b_x.example", "contains a character other than"},
      {"b example", "contains a character other than"},
      {"*.example", "contains a character other than"},
      {"-b.example", "starting or ending with '-'"},
      {std::string(64, 'a') + ".example", "label longer than 63"},
      {std::string(250, 'a'), "label longer than 63"},
  };
  for (const auto& c : cases) {
    const auto result = normalize_domain_input(c.input);
    ASSERT_FALSE(result.ok()) << c.input;
    EXPECT_EQ(result.error().code, PinErrc::invalid_argument);
    EXPECT_NE(result.error().message().find(c.reason), std::string::npos)
        << result.error().message();
    EXPECT_NE(result.error().message().find("give a DNS name"), std::string::npos);
  }
  std::string long_name;
  for (int i = 0; i < 5; ++i) {
    long_name += std::string(60, 'a') + ".";
  }
  long_name += "example";
  const auto too_long = normalize_domain_input(long_name);
  ASSERT_FALSE(too_long.ok());
  EXPECT_NE(too_long.error().message().find("longer than 253"), std::string::npos);
}

TEST(PinValue, AcceptsRfc7469FormAndBareBase64) {
  const std::string value = "d6qzRu9zOECb90Uez27xWltNsj0e1Md7GkYYkVoZWmM=";
  EXPECT_EQ(*parse_pin("pin-sha256=\"" + value + "\""), value);
  EXPECT_EQ(*parse_pin(value), value);
  EXPECT_EQ(format_pin(value), "pin-sha256=\"" + value + "\"");
}

TEST(PinValue, RejectsWhatIsNotASha256Pin) {
  for (const std::string bad :
       {"", "abc", "pin-sha256=\"d6qzRu9zOECb90Uez27xWltNsj0e1Md7GkYYkVoZWmM=",
        "d6qzRu9zOECb90Uez27xWltNsj0e1Md7GkYYkVoZ",  // 30 bytes
        "ZDZxelJ1OXpPRUNiOTBVZXoyN3hXbHROc2owZTFNZDdHa1lZa1ZvWldtTT0=",
        "d6qzRu9zOECb90Uez27xWltNsj0e1Md7GkYYkVoZWmM"}) {
    const auto result = parse_pin(bad);
    ASSERT_FALSE(result.ok()) << bad;
    EXPECT_EQ(result.error().code, PinErrc::invalid_argument);
  }
  EXPECT_NE(parse_pin("abc").error().message().find("not a pin-sha256 value"), std::string::npos);
  EXPECT_NE(parse_pin("pin-sha256=\"abc").error().message().find("lacks its closing quote"),
            std::string::npos);
}

TEST(PinValue, SourceAndSettingNamesRoundTrip) {
  for (const PinSource source : {PinSource::manual, PinSource::tofu, PinSource::signed_list}) {
    EXPECT_EQ(*parse_pin_source(pin_source_name(source)), source);
  }
  EXPECT_EQ(pin_source_name(PinSource::signed_list), "signed");
  EXPECT_FALSE(parse_pin_source("trusted").ok());
  EXPECT_EQ(*parse_setting("require-openpgp"), Setting::require_openpgp);
  EXPECT_EQ(*parse_setting("tofu"), Setting::tofu);
  EXPECT_NE(parse_setting("pkix").error().message().find("expected tofu or require-openpgp"),
            std::string::npos);
}

TEST_F(PinTypes, PinFromCertificateMatchesOpenssl) {
  for (const X509Fixture* fixture : {ed25519_, rsa_}) {
    ASSERT_FALSE(fixture->pin.empty());
    const auto from_pem = pin_from_x509(slurp(fixture->cert_pem));
    ASSERT_TRUE(from_pem.ok()) << from_pem.error().message();
    EXPECT_EQ(*from_pem, fixture->pin);
    const auto from_der = pin_from_x509(slurp(fixture->cert_der));
    ASSERT_TRUE(from_der.ok()) << from_der.error().message();
    EXPECT_EQ(*from_der, fixture->pin);
    const auto spki = spki_from_x509(slurp(fixture->cert_der));
    ASSERT_TRUE(spki.ok());
    EXPECT_EQ(*spki, fixture->spki_der);
    const auto from_spki = pin_from_spki(fixture->spki_der);
    ASSERT_TRUE(from_spki.ok()) << from_spki.error().message();
    EXPECT_EQ(*from_spki, fixture->pin);
  }
  EXPECT_NE(ed25519_->pin, rsa_->pin);
}

TEST_F(PinTypes, RejectsWhatIsNotAKeyOrCertificate) {
  const auto garbage = pin_from_x509(as_bytes_view("not a certificate"));
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.error().code, PinErrc::invalid_argument);
  EXPECT_NE(garbage.error().message().find("not an X.509 certificate"), std::string::npos);

  // A certificate is not an SPKI.
  const auto cert_as_spki = pin_from_spki(slurp(ed25519_->cert_der));
  ASSERT_FALSE(cert_as_spki.ok());
  EXPECT_NE(cert_as_spki.error().message().find("not a DER SubjectPublicKeyInfo"),
            std::string::npos);

  // A truncated SPKI does not import.
  Bytes truncated = ed25519_->spki_der;
  truncated.pop_back();
  EXPECT_FALSE(pin_from_spki(truncated).ok());

  // Trailing bytes after the DER structure change the hash, so they are refused.
  Bytes trailing = ed25519_->spki_der;
  trailing.push_back(0);
  EXPECT_FALSE(pin_from_spki(trailing).ok());

  const auto empty = pin_from_spki({});
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.error().message().find("empty or larger"), std::string::npos);
  const Bytes huge(kMaxCertificateSize + 1, 0x30);
  EXPECT_NE(pin_from_x509(huge).error().message().find("larger than 64 KiB"), std::string::npos);
}

}  // namespace
}  // namespace pgptls::pins
