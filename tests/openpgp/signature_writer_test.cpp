// Tests of detached signature creation: keys made by gpg, unlocked by our
// secret-key import, signatures checked by gpg itself (`gpg --verify`).
#include "openpgp/signature_writer.h"

#include <gtest/gtest.h>

#include "openpgp/errors.h"
#include "openpgp/secret_key.h"
#include "tests/keyring/store_gpg.h"
#include "tests/support/process.h"

namespace pgptls::openpgp {
namespace {

using test::GpgHome;

const std::string kDocument =
    R"({"spki-sha-256":["4g7nJt3ipkh+L8ssGvfyYZSd01Zj6W4UAhd6RyPZBVU="],"expires":600})";

ByteView view(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

// Signing: a gpg key whose secret we unlocked, ready to sign with.
struct Signing {
  SecretKeyPacket packet;
  base::PrivateKeyHandle key;
  [[nodiscard]] DetachedSigner signer() const {
    return {static_cast<SigningAlgorithm>(packet.public_key.algorithm),
            packet.public_key.fingerprint, key.get()};
  }
};

Signing unlock_primary(GpgHome& gpg, const std::string& fingerprint) {
  const std::string exported = gpg.run({"--export-secret-keys", fingerprint});
  auto keys = load_secret_keys(view(exported));
  EXPECT_TRUE(keys.ok()) << keys.error().message();
  Signing signing{std::move(keys->front()), nullptr};
  auto key = unlock_secret_key(signing.packet, {});
  EXPECT_TRUE(key.ok()) << key.error().message();
  signing.key = std::move(key).value();
  return signing;
}

// gpg_verify: gpg's verdict on `signature` over `document`.
test::ToolResult gpg_verify(GpgHome& gpg, const Bytes& signature, const std::string& document) {
  test::write_file(gpg.path() / "document", document);
  test::write_file(gpg.path() / "document.sig", std::string(signature.begin(), signature.end()));
  return test::run_tool({"gpg", "--homedir", gpg.path().string(), "--batch", "--status-fd", "1",
                         "--verify", (gpg.path() / "document.sig").string(),
                         (gpg.path() / "document").string()});
}

class SignatureWriterTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SignatureWriterTest, GpgAcceptsOurSignatureAndRejectsATamperedDocument) {
  GpgHome gpg;
  const std::string fingerprint = gpg.generate("xmpp:a.example", GetParam(), "sign,cert");
  const Signing signing = unlock_primary(gpg, fingerprint);
  ASSERT_NE(signing.key, nullptr);

  const auto signature =
      make_detached_signature(view(kDocument), signing.signer(), std::chrono::system_clock::now());
  ASSERT_TRUE(signature.ok()) << signature.error().message();

  const test::ToolResult good = gpg_verify(gpg, *signature, kDocument);
  EXPECT_TRUE(good.ok()) << good.describe();
  EXPECT_NE(good.out.find("[GNUPG:] VALIDSIG " + fingerprint), std::string::npos) << good.out;

  const test::ToolResult tampered = gpg_verify(gpg, *signature, kDocument + " ");
  EXPECT_FALSE(tampered.ok());
  EXPECT_NE(tampered.out.find("[GNUPG:] BADSIG"), std::string::npos) << tampered.out;
}

INSTANTIATE_TEST_SUITE_P(Algorithms, SignatureWriterTest,
                         ::testing::Values("ed25519", "nistp256", "nistp384", "rsa2048"));

TEST(SignatureWriter, RefusesWhatItCannotSign) {
  GpgHome gpg;
  const Signing signing = unlock_primary(gpg, gpg.generate("xmpp:a.example"));
  DetachedSigner v6_like = signing.signer();
  v6_like.fingerprint.resize(32);
  const auto v6 =
      make_detached_signature(view(kDocument), v6_like, std::chrono::system_clock::now());
  ASSERT_FALSE(v6.ok());
  EXPECT_EQ(v6.error().code, make_error_code(Errc::unsupported_version));

  DetachedSigner keyless = signing.signer();
  keyless.key = nullptr;
  const auto none =
      make_detached_signature(view(kDocument), keyless, std::chrono::system_clock::now());
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().message(), "no private key to sign with: invalid argument");

  const auto ancient = make_detached_signature(view(kDocument), signing.signer(),
                                               base::TimePoint(std::chrono::seconds(-1)));
  EXPECT_FALSE(ancient.ok());
}

}  // namespace
}  // namespace pgptls::openpgp
