// ed25519_test.cpp: base::ed25519_verify (libsodium) accepts exactly the
// Ed25519 signatures GnuTLS accepts on keys this test makes, refuses altered
// ones and a non-canonical S (RFC 8032 §5.1.7: S must be below L), and
// verify_signature uses it for gpg's legacy EdDSA signatures, naming a
// signature that does not verify.
#include <gmock/gmock.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gtest/gtest.h>

#include <string>

#include "base/ed25519.h"
#include "base/gnutls_handles.h"
#include "openpgp/cert.h"
#include "openpgp/errors.h"
#include "openpgp/verify.h"
#include "tests/keyring/exported_cert.h"
#include "tests/keyring/store_gpg.h"

namespace pgptls::openpgp {
namespace {

using ::testing::HasSubstr;

// Signer: an Ed25519 key made by GnuTLS, and its 32-octet public key.
struct Signer {
  base::PrivateKeyHandle key;
  Bytes point;

  Signer() {
    gnutls_privkey_t raw = nullptr;
    EXPECT_EQ(gnutls_privkey_init(&raw), 0);
    key = base::PrivateKeyHandle(raw);
    EXPECT_EQ(
        gnutls_privkey_generate2(raw, GNUTLS_PK_EDDSA_ED25519,
                                 GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_ED25519), 0, nullptr, 0),
        0);
    gnutls_ecc_curve_t curve{};
    gnutls_datum_t x{};
    EXPECT_EQ(gnutls_privkey_export_ecc_raw2(raw, &curve, &x, nullptr, nullptr, 0), 0);
    point.assign(x.data, x.data + x.size);
    gnutls_free(x.data);
  }

  [[nodiscard]] Bytes sign(ByteView message) const {
    const gnutls_datum_t data{const_cast<unsigned char*>(message.data()),
                              static_cast<unsigned>(message.size())};
    gnutls_datum_t out{};
    EXPECT_EQ(gnutls_privkey_sign_data2(key.get(), GNUTLS_SIGN_EDDSA_ED25519, 0, &data, &out), 0);
    Bytes signature(out.data, out.data + out.size);
    gnutls_free(out.data);
    return signature;
  }

  // gnutls_accepts: GnuTLS's (Nettle's) verdict on the same signature.
  [[nodiscard]] bool gnutls_accepts(ByteView message, ByteView signature) const {
    gnutls_pubkey_t raw = nullptr;
    EXPECT_EQ(gnutls_pubkey_init(&raw), 0);
    const base::PublicKeyHandle pub(raw);
    EXPECT_EQ(gnutls_pubkey_import_privkey(raw, key.get(), 0, 0), 0);
    const gnutls_datum_t data{const_cast<unsigned char*>(message.data()),
                              static_cast<unsigned>(message.size())};
    const gnutls_datum_t sig{const_cast<unsigned char*>(signature.data()),
                             static_cast<unsigned>(signature.size())};
    return gnutls_pubkey_verify_data2(raw, GNUTLS_SIGN_EDDSA_ED25519, 0, &data, &sig) >= 0;
  }
};

Bytes random_bytes(std::size_t size) {
  Bytes out(size);
  EXPECT_EQ(gnutls_rnd(GNUTLS_RND_NONCE, out.data(), out.size()), 0);
  return out;
}

TEST(Ed25519, AgreesWithGnutlsOnValidAndAlteredSignatures) {
  const Signer signer;
  for (int round = 0; round < 32; ++round) {
    const Bytes message = random_bytes(static_cast<std::size_t>(round) + 1);
    const Bytes signature = signer.sign(message);
    ASSERT_TRUE(signer.gnutls_accepts(message, signature));
    EXPECT_TRUE(base::ed25519_verify(signer.point, message, signature));

    Bytes altered_message = message;
    altered_message[0] ^= 0x01;
    EXPECT_FALSE(signer.gnutls_accepts(altered_message, signature));
    EXPECT_FALSE(base::ed25519_verify(signer.point, altered_message, signature));

    Bytes altered_signature = signature;
    altered_signature[static_cast<std::size_t>(round) * 2 % 64] ^= 0x10;
    EXPECT_FALSE(signer.gnutls_accepts(message, altered_signature));
    EXPECT_FALSE(base::ed25519_verify(signer.point, message, altered_signature));
  }
}

TEST(Ed25519, RefusesAnotherKeyAndWrongSizes) {
  const Signer signer;
  const Signer other;
  const Bytes message = random_bytes(32);
  const Bytes signature = signer.sign(message);
  EXPECT_FALSE(base::ed25519_verify(other.point, message, signature));
  EXPECT_FALSE(base::ed25519_verify(ByteView(signer.point).first(31), message, signature));
  EXPECT_FALSE(base::ed25519_verify(signer.point, message, ByteView(signature).first(63)));
  Bytes longer = signature;
  longer.push_back(0);
  EXPECT_FALSE(base::ed25519_verify(signer.point, message, longer));
}

TEST(Ed25519, RefusesANonCanonicalS) {
  const Signer signer;
  const Bytes message = random_bytes(32);
  Bytes signature = signer.sign(message);
  // RFC 8032 §5.1.7: S is little-endian in the second half and must be
  // below L = 2^252 + 27742317777372353535851937790883648493; S + L is the
  // same scalar mod L, a second encoding of a valid signature.
  const std::uint8_t kL[32] = {0xED, 0xD3, 0xF5, 0x5C, 0x1A, 0x63, 0x12, 0x58, 0xD6, 0x9C, 0xF7,
                               0xA2, 0xDE, 0xF9, 0xDE, 0x14, 0,    0,    0,    0,    0,    0,
                               0,    0,    0,    0,    0,    0,    0,    0,    0,    0x10};
  unsigned carry = 0;
  for (std::size_t i = 0; i < 32; ++i) {
    const unsigned sum = signature[32 + i] + kL[i] + carry;
    signature[32 + i] = static_cast<std::uint8_t>(sum);
    carry = sum >> 8;
  }
  ASSERT_EQ(carry, 0U);  // S < L < 2^253, so S + L fits in 256 bits
  EXPECT_FALSE(signer.gnutls_accepts(message, signature));
  EXPECT_FALSE(base::ed25519_verify(signer.point, message, signature));
}

// A gpg-made key (gpg 2.2: legacy EdDSA, algorithm 22): its user ID's
// self-signature verifies; with R altered it does not, and says so.
TEST(Ed25519, VerifiesGpgLegacyEdDsaSignaturesAndNamesAFailure) {
  test::GpgHome gpg;
  const std::string fingerprint = gpg.generate("xmpp:e.example", "ed25519", "sign,cert");
  Cert cert = test::parse_exported_cert(test::bytes_of(gpg.export_cert(fingerprint)));
  ASSERT_EQ(cert.primary.algorithm, PublicKeyAlgorithm::eddsa_legacy);
  ASSERT_EQ(cert.user_ids.size(), 1U);
  ASSERT_FALSE(cert.user_ids[0].signatures.empty());
  Signature self = cert.user_ids[0].signatures[0];
  const SignedComponents over{&cert.primary, nullptr, &cert.user_ids[0]};
  const Status ok = verify_signature(self, cert.primary, over);
  EXPECT_TRUE(ok) << ok.error().message();

  ASSERT_EQ(self.fields.size(), 2U);
  self.fields[0].back() ^= 0x01;
  const Status refused = verify_signature(self, cert.primary, over);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::bad_signature);
  EXPECT_THAT(refused.error().message(), HasSubstr("does not verify (Ed25519)"));
}

}  // namespace
}  // namespace pgptls::openpgp
