// Signature schemes against keys made by certtool and signatures made and
// checked by OpenSSL (run by the test): every scheme a key can make signs and
// verifies, OpenSSL accepts our signatures and we accept OpenSSL's, and a
// wrong key, scheme or message is decrypt_error.
#include "tls/crypto/signature_scheme.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "base/gnutls_handles.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/tls/crypto_tools.h"
#include "tls/wire/errors.h"

namespace pgptls::tls {
namespace {

using test::read_binary;
using test::run_ok;
using test::write_binary;

struct TestKey {
  std::filesystem::path private_pem;
  std::filesystem::path public_pem;
  base::PrivateKeyHandle private_key;
  base::PublicKeyHandle public_key;
};

class TlsSignatureScheme : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<pgptls::test::TempDir>();
    keys_ = std::make_unique<std::map<std::string, TestKey>>();
    const std::map<std::string, std::vector<std::string>> specs{
        {"ed25519", {"--key-type", "ed25519"}},
        {"p256", {"--key-type", "ecdsa", "--curve", "secp256r1"}},
        {"p384", {"--key-type", "ecdsa", "--curve", "secp384r1"}},
        {"rsa2048", {"--key-type", "rsa", "--bits", "2048"}},
    };
    for (const auto& [name, args] : specs) {
      TestKey key;
      key.private_pem = dir_->file(name + ".pem");
      key.public_pem = dir_->file(name + ".pub.pem");
      std::vector<std::string> argv{"certtool", "--generate-privkey", "--no-text", "--outfile",
                                    key.private_pem.string()};
      argv.insert(argv.end(), args.begin(), args.end());
      run_ok(argv);
      run_ok({"openssl", "pkey", "-in", key.private_pem.string(), "-pubout", "-out",
              key.public_pem.string()});
      const Bytes pem = read_binary(key.private_pem);
      const gnutls_datum_t datum{const_cast<std::uint8_t*>(pem.data()),
                                 static_cast<unsigned>(pem.size())};
      gnutls_privkey_t private_key = nullptr;
      gnutls_pubkey_t public_key = nullptr;
      ASSERT_EQ(gnutls_privkey_init(&private_key), 0);
      key.private_key.reset(private_key);
      ASSERT_EQ(
          gnutls_privkey_import_x509_raw(private_key, &datum, GNUTLS_X509_FMT_PEM, nullptr, 0), 0)
          << name;
      ASSERT_EQ(gnutls_pubkey_init(&public_key), 0);
      key.public_key.reset(public_key);
      ASSERT_EQ(gnutls_pubkey_import_privkey(public_key, private_key, 0, 0), 0);
      keys_->emplace(name, std::move(key));
    }
  }
  static void TearDownTestSuite() {
    keys_.reset();
    dir_.reset();
  }

  static TestKey& key(const std::string& name) { return keys_->at(name); }

  static std::unique_ptr<pgptls::test::TempDir> dir_;
  static std::unique_ptr<std::map<std::string, TestKey>> keys_;
};

std::unique_ptr<pgptls::test::TempDir> TlsSignatureScheme::dir_;
std::unique_ptr<std::map<std::string, TestKey>> TlsSignatureScheme::keys_;

std::string digest_of(SignatureScheme scheme) {
  switch (scheme) {
    case SignatureScheme::rsa_pkcs1_sha384:
    case SignatureScheme::rsa_pss_rsae_sha384:
    case SignatureScheme::ecdsa_secp384r1_sha384:
      return "-sha384";
    case SignatureScheme::rsa_pkcs1_sha512:
    case SignatureScheme::rsa_pss_rsae_sha512:
      return "-sha512";
    default:
      return "-sha256";
  }
}

bool is_pss(SignatureScheme scheme) {
  return scheme == SignatureScheme::rsa_pss_rsae_sha256 ||
         scheme == SignatureScheme::rsa_pss_rsae_sha384 ||
         scheme == SignatureScheme::rsa_pss_rsae_sha512;
}

// openssl_arguments: how OpenSSL makes or checks the scheme. RFC 8446
// §4.2.3: PSS salt length equals the digest length.
std::vector<std::string> openssl_arguments(SignatureScheme scheme) {
  if (is_pss(scheme)) {
    return {digest_of(scheme), "-sigopt", "rsa_padding_mode:pss", "-sigopt",
            "rsa_pss_saltlen:digest"};
  }
  return {digest_of(scheme)};
}

TEST_F(TlsSignatureScheme, KeysOfferTheSchemesOfTheirType) {
  using S = SignatureScheme;
  EXPECT_EQ(schemes_for_key(key("ed25519").private_key.get()), std::vector<S>{S::ed25519});
  EXPECT_EQ(schemes_for_key(key("p256").private_key.get()),
            std::vector<S>{S::ecdsa_secp256r1_sha256});
  EXPECT_EQ(schemes_for_key(key("p384").private_key.get()),
            std::vector<S>{S::ecdsa_secp384r1_sha384});
  EXPECT_EQ(schemes_for_key(key("rsa2048").private_key.get()),
            (std::vector<S>{S::rsa_pss_rsae_sha256, S::rsa_pss_rsae_sha384, S::rsa_pss_rsae_sha512,
                            S::rsa_pkcs1_sha256, S::rsa_pkcs1_sha384, S::rsa_pkcs1_sha512}));
  EXPECT_TRUE(schemes_for_key(nullptr).empty());
}

TEST_F(TlsSignatureScheme, SignaturesInteroperateWithOpenSsl) {
  const Bytes data = test::random_bytes(1, 700);
  write_binary(dir_->file("data"), data);
  for (const auto& [name, key] : *keys_) {
    for (const SignatureScheme scheme : schemes_for_key(key.private_key.get())) {
      const std::string label = name + " " + std::string(signature_scheme_name(scheme));
      auto signature = sign(key.private_key.get(), scheme, data);
      ASSERT_TRUE(signature.ok()) << label << ": " << signature.error().message();
      EXPECT_TRUE(verify(key.public_key.get(), scheme, data, *signature).ok()) << label;

      // OpenSSL checks ours, and we check OpenSSL's.
      const auto ours = dir_->file("ours.sig");
      const auto theirs = dir_->file("theirs.sig");
      write_binary(ours, *signature);
      if (scheme == SignatureScheme::ed25519) {
        run_ok({"openssl", "pkeyutl", "-verify", "-pubin", "-inkey", key.public_pem.string(),
                "-rawin", "-in", dir_->file("data").string(), "-sigfile", ours.string()});
        run_ok({"openssl", "pkeyutl", "-sign", "-inkey", key.private_pem.string(), "-rawin", "-in",
                dir_->file("data").string(), "-out", theirs.string()});
      } else {
        std::vector<std::string> check{"openssl", "dgst"};
        const auto extra = openssl_arguments(scheme);
        check.insert(check.end(), extra.begin(), extra.end());
        std::vector<std::string> make = check;
        check.insert(check.end(), {"-verify", key.public_pem.string(), "-signature", ours.string(),
                                   dir_->file("data").string()});
        run_ok(check);
        make.insert(make.end(), {"-sign", key.private_pem.string(), "-out", theirs.string(),
                                 dir_->file("data").string()});
        run_ok(make);
      }
      const Status status = verify(key.public_key.get(), scheme, data, read_binary(theirs));
      EXPECT_TRUE(status.ok()) << label << ": " << status.error().message();
    }
  }
}

TEST_F(TlsSignatureScheme, WrongMessageKeyOrSchemeIsDecryptError) {
  const Bytes data = test::random_bytes(2, 100);
  auto signature =
      sign(key("p256").private_key.get(), SignatureScheme::ecdsa_secp256r1_sha256, data);
  ASSERT_TRUE(signature.ok());

  Bytes other = data;
  other[0] ^= 1;
  const Status wrong_data = verify(key("p256").public_key.get(),
                                   SignatureScheme::ecdsa_secp256r1_sha256, other, *signature);
  ASSERT_FALSE(wrong_data.ok());
  EXPECT_EQ(wrong_data.error().code, Errc::decrypt_error);
  EXPECT_EQ(alert_for(wrong_data.error().code), AlertDescription::decrypt_error);
  EXPECT_NE(wrong_data.error().message().find("ecdsa_secp256r1_sha256 handshake signature does "
                                              "not verify"),
            std::string::npos)
      << wrong_data.error().message();

  // Ed25519 is checked through libsodium (base/ed25519.h): the same
  // refusals, the same error.
  auto ed25519 = sign(key("ed25519").private_key.get(), SignatureScheme::ed25519, data);
  ASSERT_TRUE(ed25519.ok());
  ASSERT_TRUE(
      verify(key("ed25519").public_key.get(), SignatureScheme::ed25519, data, *ed25519).ok());
  Bytes altered = *ed25519;
  altered[10] ^= 1;
  for (const auto& [message, signature] : {std::pair{other, *ed25519}, std::pair{data, altered}}) {
    const Status refused =
        verify(key("ed25519").public_key.get(), SignatureScheme::ed25519, message, signature);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, Errc::decrypt_error);
    EXPECT_NE(refused.error().message().find("ed25519 handshake signature does not verify"),
              std::string::npos)
        << refused.error().message();
  }

  // A P-384 key cannot have made a P-256 scheme signature; an Ed25519 key
  // cannot make an RSA one.
  const Status wrong_key = verify(key("p384").public_key.get(),
                                  SignatureScheme::ecdsa_secp256r1_sha256, data, *signature);
  ASSERT_FALSE(wrong_key.ok());
  EXPECT_EQ(wrong_key.error().code, Errc::decrypt_error);
  EXPECT_NE(wrong_key.error().message().find("which its certified key cannot make"),
            std::string::npos);
  EXPECT_FALSE(
      verify(key("ed25519").public_key.get(), SignatureScheme::rsa_pkcs1_sha256, data, *signature)
          .ok());

  // PKCS#1 and PSS signatures are not interchangeable.
  auto pkcs1 = sign(key("rsa2048").private_key.get(), SignatureScheme::rsa_pkcs1_sha256, data);
  ASSERT_TRUE(pkcs1.ok());
  EXPECT_FALSE(
      verify(key("rsa2048").public_key.get(), SignatureScheme::rsa_pss_rsae_sha256, data, *pkcs1)
          .ok());

  auto refused = sign(key("ed25519").private_key.get(), SignatureScheme::rsa_pkcs1_sha256, data);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message().find("cannot make rsa_pkcs1_sha256"), std::string::npos);
}

TEST_F(TlsSignatureScheme, ChoiceIsTheKeysFirstSchemeBothSidesAllow) {
  using S = SignatureScheme;
  const auto all = supported_signature_schemes();
  gnutls_privkey_t rsa = key("rsa2048").private_key.get();
  // Key order (PSS first) decides, not the peer's list order.
  const std::vector<std::uint16_t> peer{0x0401, 0x0805};
  EXPECT_EQ(choose_signature_scheme(rsa, all, peer), S::rsa_pss_rsae_sha384);
  // Our policy without PSS: PKCS#1 v1.5.
  const std::vector<S> no_pss{S::rsa_pkcs1_sha256, S::ed25519};
  EXPECT_EQ(choose_signature_scheme(rsa, no_pss, peer), S::rsa_pkcs1_sha256);
  // Nothing in common, or no key.
  EXPECT_EQ(choose_signature_scheme(key("ed25519").private_key.get(), all, peer), std::nullopt);
  EXPECT_EQ(choose_signature_scheme(nullptr, all, peer), std::nullopt);
  EXPECT_EQ(choose_signature_scheme(key("p384").private_key.get(), all,
                                    std::vector<std::uint16_t>{0x0403, 0x0503}),
            S::ecdsa_secp384r1_sha384);
}

TEST(TlsSignatureSchemeTable, AuthAlgorithmAndWireValuesAgreeWithGnuTls) {
  for (const SignatureScheme scheme : supported_signature_schemes()) {
    // GnuTLS's own table says which key type makes the scheme.
    const gnutls_pk_algorithm_t pk = gnutls_sign_get_pk_algorithm(gnutls_sign_for(scheme));
    const bool rsa = pk == GNUTLS_PK_RSA || pk == GNUTLS_PK_RSA_PSS;
    EXPECT_EQ(auth_algorithm_of(scheme), rsa ? AuthAlgorithm::rsa : AuthAlgorithm::ecdsa)
        << signature_scheme_name(scheme);
  }
  const std::vector<SignatureScheme> list{SignatureScheme::rsa_pkcs1_sha512,
                                          SignatureScheme::ed25519};
  EXPECT_EQ(wire_values(list), (std::vector<std::uint16_t>{0x0601, 0x0807}));
}

TEST(TlsSignatureSchemeTable, NoSha1OrMd5AndNamesMatchTheRegistry) {
  // 0x0201 rsa_pkcs1_sha1, 0x0203 ecdsa_sha1, 0x0101 md5: never accepted.
  EXPECT_FALSE(find_signature_scheme(0x0201).has_value());
  EXPECT_FALSE(find_signature_scheme(0x0203).has_value());
  EXPECT_FALSE(find_signature_scheme(0x0101).has_value());
  EXPECT_EQ(supported_signature_schemes().size(), 9u);
  for (const SignatureScheme scheme : supported_signature_schemes()) {
    EXPECT_EQ(find_signature_scheme(static_cast<std::uint16_t>(scheme)), scheme);
    // GnuTLS's own name table agrees on the hash of every scheme.
    const gnutls_sign_algorithm_t algorithm = gnutls_sign_for(scheme);
    ASSERT_NE(algorithm, GNUTLS_SIGN_UNKNOWN);
    const gnutls_digest_algorithm_t hash = gnutls_sign_get_hash_algorithm(algorithm);
    EXPECT_NE(hash, GNUTLS_DIG_SHA1);
    EXPECT_NE(hash, GNUTLS_DIG_MD5);
    // RSA schemes serve ECDHE_RSA, the others ECDHE_ECDSA (RFC 8422 §5.1.1).
    EXPECT_EQ(auth_algorithm_of(scheme) == AuthAlgorithm::rsa,
              signature_scheme_name(scheme).starts_with("rsa_"))
        << signature_scheme_name(scheme);
  }
  EXPECT_EQ(signature_scheme_name(SignatureScheme::rsa_pss_rsae_sha384), "rsa_pss_rsae_sha384");
}

}  // namespace
}  // namespace pgptls::tls
