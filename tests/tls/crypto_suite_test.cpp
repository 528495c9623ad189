// The cipher suite table against GnuTLS's own (gnutls_cipher_suite_info):
// numbers, key exchange, AEAD, key and tag sizes, and the PRF hash in the name.
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gtest/gtest.h>

#include <string>

#include "tls/wire/cipher_suite.h"

namespace pgptls::tls {
namespace {

gnutls_cipher_algorithm_t gnutls_cipher_of(AeadAlgorithm aead) {
  switch (aead) {
    case AeadAlgorithm::aes_128_gcm:
      return GNUTLS_CIPHER_AES_128_GCM;
    case AeadAlgorithm::aes_256_gcm:
      return GNUTLS_CIPHER_AES_256_GCM;
    case AeadAlgorithm::chacha20_poly1305:
      return GNUTLS_CIPHER_CHACHA20_POLY1305;
  }
  return GNUTLS_CIPHER_UNKNOWN;
}

TEST(TlsCipherSuite, TableAgreesWithGnutls) {
  ASSERT_EQ(supported_cipher_suites().size(), 6u);
  for (const CipherSuite& suite : supported_cipher_suites()) {
    SCOPED_TRACE(std::string(suite.name));
    bool found = false;
    for (std::size_t index = 0;; ++index) {
      unsigned char id[2];
      gnutls_kx_algorithm_t kx{};
      gnutls_cipher_algorithm_t cipher{};
      gnutls_mac_algorithm_t mac{};
      gnutls_protocol_t min_version{};
      const char* name = gnutls_cipher_suite_info(index, id, &kx, &cipher, &mac, &min_version);
      if (name == nullptr) {
        break;
      }
      if (((id[0] << 8) | id[1]) != suite.id) {
        continue;
      }
      found = true;
      EXPECT_EQ(kx, suite.auth == AuthAlgorithm::rsa ? GNUTLS_KX_ECDHE_RSA : GNUTLS_KX_ECDHE_ECDSA);
      EXPECT_EQ(cipher, gnutls_cipher_of(suite.aead));
      EXPECT_EQ(gnutls_cipher_get_key_size(cipher), suite.key_length);
      EXPECT_EQ(gnutls_cipher_get_tag_size(cipher), suite.tag_length);
      // GnuTLS names drop IANA's "WITH_" (and "_SHA256" after CHACHA20);
      // the IANA tail names the PRF hash.
      std::string iana(suite.name);
      iana.erase(iana.find("WITH_"), 5);
      EXPECT_TRUE(iana.starts_with(name)) << name;
      EXPECT_EQ(iana.ends_with("SHA384"), suite.prf_hash == HashAlgorithm::sha384);
    }
    EXPECT_TRUE(found);
    EXPECT_EQ(find_cipher_suite(suite.id), &suite);
    // RFC 5288 §3 / RFC 7905 §2 nonce layout.
    EXPECT_EQ(suite.fixed_iv_length + suite.record_iv_length, 12u);
  }
  EXPECT_EQ(find_cipher_suite(0x009C), nullptr);  // TLS_RSA_WITH_AES_128_GCM_SHA256: no RSA kx
  EXPECT_EQ(find_cipher_suite(0xC023), nullptr);  // ECDHE_ECDSA AES-128-CBC: no CBC
}

}  // namespace
}  // namespace pgptls::tls
