// The RFC 9580 Appendix A sample v6 certificate: fingerprints, key IDs and
// signatures as the RFC publishes them.
#include <gtest/gtest.h>

#include "keyring/validate.h"
#include "openpgp/cert.h"
#include "openpgp/errors.h"
#include "openpgp/verify.h"
#include "tests/support/test_files.h"

namespace pgptls::openpgp {
namespace {

Bytes sample(const std::string& name) {
  return test::read_file_bytes(test::data_dir() / "rfc9580" / name);
}

const base::Seconds kNow = *base::parse_utc("2024-06-01");

TEST(Rfc9580, SampleCertificateFingerprintsMatchTheRfc) {
  auto cert = parse_certificate(sample("v6-certificate.asc"));
  ASSERT_TRUE(cert) << cert.error().message();
  EXPECT_EQ(cert->primary.version, 6);
  EXPECT_EQ(cert->primary.algorithm, PublicKeyAlgorithm::ed25519);
  EXPECT_EQ(cert->fingerprint_hex(),
            "CB186C4F0609A697E4D52DFA6C722B0C1F1E27C18A56708F6525EC27BAD9ACC9");
  // RFC 9580 §5.5.4.3: a v6 key ID is the high 64 bits.
  EXPECT_EQ(cert->primary.key_id_hex(), "CB186C4F0609A697");
  ASSERT_EQ(cert->subkeys.size(), 1U);
  EXPECT_EQ(cert->subkeys[0].key.algorithm, PublicKeyAlgorithm::x25519);
  EXPECT_EQ(cert->subkeys[0].key.fingerprint_hex(),
            "12C83F1E706F6308FE151A417743A1F033790E93E9978488D1DB378DA9930885");
  EXPECT_EQ(cert->primary.creation_time, 0x63877FE3U);
}

TEST(Rfc9580, SampleSignaturesVerify) {
  auto cert = parse_certificate(sample("v6-certificate.asc"));
  ASSERT_TRUE(cert);
  ASSERT_EQ(cert->direct_signatures.size(), 1U);
  const Signature& direct = cert->direct_signatures[0];
  EXPECT_EQ(direct.version, 6);
  EXPECT_EQ(direct.salt.size(), 32U);
  EXPECT_EQ(direct.key_flags, key_flags::certify | key_flags::sign);
  auto ok = verify_signature(direct, cert->primary, {&cert->primary, nullptr, nullptr});
  EXPECT_TRUE(ok) << ok.error().message();
  const Signature& binding = cert->subkeys[0].signatures[0];
  auto bound =
      verify_signature(binding, cert->primary, {&cert->primary, &cert->subkeys[0].key, nullptr});
  EXPECT_TRUE(bound) << bound.error().message();
  // A changed salt breaks the signature.
  Signature salted = direct;
  salted.salt[0] ^= 1;
  EXPECT_FALSE(verify_signature(salted, cert->primary, {&cert->primary, nullptr, nullptr}));
}

TEST(Rfc9580, SampleCertificateValidatesThroughItsDirectKeySignature) {
  auto cert = parse_certificate(sample("v6-certificate.asc"));
  ASSERT_TRUE(cert);
  const keyring::ValidatedCert v = keyring::validate(*cert, keyring::Policy::standard(), kNow);
  ASSERT_TRUE(v.primary.status) << v.primary.status.error().message();
  EXPECT_EQ(v.primary.flags, key_flags::certify | key_flags::sign);
  ASSERT_TRUE(v.subkeys[0].status) << v.subkeys[0].status.error().message();
  EXPECT_EQ(v.subkeys[0].flags, key_flags::encrypt_communications | key_flags::encrypt_storage);
  // Before the key was made, nothing is valid.
  const keyring::ValidatedCert early =
      keyring::validate(*cert, keyring::Policy::standard(), *base::parse_utc("2022-01-01"));
  EXPECT_FALSE(early.primary.status);
}

TEST(Rfc9580, SecretKeyFilesReadAsTheSameCertificate) {
  for (const std::string name : {"v6-secret-key.asc", "v6-locked-secret-key.asc"}) {
    auto cert = parse_certificate(sample(name));
    ASSERT_TRUE(cert) << name << ": " << cert.error().message();
    EXPECT_EQ(cert->fingerprint_hex(),
              "CB186C4F0609A697E4D52DFA6C722B0C1F1E27C18A56708F6525EC27BAD9ACC9");
    ASSERT_EQ(cert->subkeys.size(), 1U);
    EXPECT_TRUE(keyring::validate(*cert, keyring::Policy::standard(), kNow).primary.status);
  }
}

}  // namespace
}  // namespace pgptls::openpgp
