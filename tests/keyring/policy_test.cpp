// Policy::check_key: the size rules of RSA, ElGamal and DSA keys (a
// minimum, and caps that bound the cost of a verification), on keys whose
// numbers the test sets directly.
#include "keyring/policy.h"

#include <gtest/gtest.h>

#include <string>

#include "openpgp/errors.h"

namespace pgptls::keyring {
namespace {

using openpgp::PublicKey;
using openpgp::PublicKeyAlgorithm;

// key: a public key of `algorithm` whose first number (RSA n, DSA p) has
// `bits` bits and whose second (RSA e, DSA q) has `second_bits`.
PublicKey key(PublicKeyAlgorithm algorithm, unsigned bits, unsigned second_bits) {
  PublicKey key;
  key.version = 4;
  key.algorithm = algorithm;
  key.fields = {Bytes(bits / 8, 0xFF), Bytes(second_bits / 8, 0xFF)};
  return key;
}

// rejection: the message of check_key's refusal, or "" when it accepts.
std::string rejection(const Policy& policy, const PublicKey& key) {
  const Status checked = policy.check_key(key);
  if (checked.ok()) {
    return "";
  }
  EXPECT_EQ(checked.error().code, make_error_code(openpgp::Errc::rejected_by_policy));
  return checked.error().message();
}

TEST(PolicyCheckKey, AcceptsRsaAndDsaWithinTheBounds) {
  EXPECT_EQ(rejection(Policy::standard(), key(PublicKeyAlgorithm::rsa, 2048, 24)), "");
  EXPECT_EQ(rejection(Policy::standard(), key(PublicKeyAlgorithm::rsa, 16384, 512)), "");
  EXPECT_EQ(rejection(Policy::standard(), key(PublicKeyAlgorithm::dsa, 2048, 256)), "");
}

TEST(PolicyCheckKey, RefusesKeysBelowTheMinimum) {
  EXPECT_NE(rejection(Policy::standard(), key(PublicKeyAlgorithm::rsa, 1024, 24))
                .find("1024-bit RSA is below the minimum of 2048 bits; generate a new key"),
            std::string::npos);
  EXPECT_NE(rejection(Policy::strict(), key(PublicKeyAlgorithm::rsa_sign_only, 2048, 24))
                .find("2048-bit RSA is below the minimum of 3072 bits"),
            std::string::npos);
  EXPECT_NE(rejection(Policy::standard(), key(PublicKeyAlgorithm::dsa, 1024, 160))
                .find("1024-bit DSA is below the minimum of 2048 bits; generate a new key"),
            std::string::npos);
}

TEST(PolicyCheckKey, RefusesNumbersOverTheCaps) {
  const std::string rsa_caps =
      "RSA parameters exceed the policy caps (16384-bit modulus, 512-bit exponent)";
  EXPECT_NE(rejection(Policy::standard(), key(PublicKeyAlgorithm::rsa, 16392, 24)).find(rsa_caps),
            std::string::npos);
  EXPECT_NE(rejection(Policy::standard(), key(PublicKeyAlgorithm::rsa, 2048, 520)).find(rsa_caps),
            std::string::npos);
  const std::string dsa_caps = "DSA parameters exceed the policy caps (16384-bit p, 512-bit q)";
  EXPECT_NE(rejection(Policy::standard(), key(PublicKeyAlgorithm::dsa, 16392, 256)).find(dsa_caps),
            std::string::npos);
  EXPECT_NE(rejection(Policy::standard(), key(PublicKeyAlgorithm::dsa, 2048, 520)).find(dsa_caps),
            std::string::npos);
}

TEST(PolicyCheckKey, StrictRefusesDsaWhateverItsSize) {
  const std::string refused = rejection(Policy::strict(), key(PublicKeyAlgorithm::dsa, 3072, 256));
  EXPECT_EQ(refused.rfind("policy \"strict\": key ", 0), 0U) << refused;
  EXPECT_NE(refused.find("DSA keys are not accepted"), std::string::npos) << refused;
}

}  // namespace
}  // namespace pgptls::keyring
