// Document signatures (RFC 9580 §5.2.1.1, §5.2.1.2, §5.2.4) and detached
// signature files, and the signing-key and policy rules of statement
// signers, with signatures made by gpg and by make_detached_signature.
#include <gtest/gtest.h>

#include <chrono>

#include "base/encoding.h"
#include "keyring/statement_trust.h"
#include "openpgp/armor.h"
#include "openpgp/cert.h"
#include "openpgp/errors.h"
#include "openpgp/hash.h"
#include "openpgp/verify.h"
#include "tests/keyring/statement_fixture.h"
#include "tests/keyring/store_gpg.h"
#include "tests/support/test_files.h"

namespace pgptls::keyring {
namespace {

using ::pgptls::test::StatementWorld;
using ::pgptls::test::view;

Bytes bytes(const std::string& text) {
  return Bytes(text.begin(), text.end());
}

base::Seconds real_now() {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

TEST(CanonicalText, EveryLineEndBecomesCrLf) {
  EXPECT_EQ(openpgp::canonical_text(bytes("a\nb\r\nc\rd")), bytes("a\r\nb\r\nc\r\nd"));
  EXPECT_EQ(openpgp::canonical_text(bytes("\r\r\n\n")), bytes("\r\n\r\n\r\n"));
  EXPECT_EQ(openpgp::canonical_text(bytes("no line end")), bytes("no line end"));
  EXPECT_TRUE(openpgp::canonical_text({}).empty());
}

// A hash GnuTLS lacks (RIPEMD-160 on Debian's GnuTLS 3.7) is refused
// without leaking (found by the detached signature fuzzer; ASan checks it).
TEST(DocumentHash, AHashGnutlsCannotComputeIsRefusedCleanly) {
  auto hasher =
      openpgp::Hasher::create(static_cast<std::uint8_t>(openpgp::HashAlgorithm::ripemd160));
  if (hasher.ok()) {
    GTEST_SKIP() << "this GnuTLS computes RIPEMD-160";
  }
  EXPECT_EQ(hasher.error().code, openpgp::Errc::unsupported_algorithm);
  EXPECT_EQ(hasher.error().context, "GnuTLS cannot compute RIPEMD160 on this system");
}

class DocumentSignature : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { (void)StatementWorld::get(); }
  const StatementWorld& world = StatementWorld::get();
  const base::Seconds now = real_now() + std::chrono::seconds(5);
};

TEST_F(DocumentSignature, GpgSignaturesParseWithTheirTypes) {
  auto binary = openpgp::parse_detached_signatures(world.a_signature);
  ASSERT_TRUE(binary.ok()) << binary.error().message();
  ASSERT_EQ(binary->size(), 1u);
  EXPECT_EQ(binary->front().type, openpgp::SignatureType::binary);
  auto text = openpgp::parse_detached_signatures(bytes(world.a_text_armored));
  ASSERT_TRUE(text.ok()) << text.error().message();
  EXPECT_EQ(text->front().type, openpgp::SignatureType::text);

  const openpgp::PublicKey& key = world.domain_a.primary;
  EXPECT_TRUE(openpgp::verify_document_signature(binary->front(), key, view(world.a_document)));
  EXPECT_TRUE(openpgp::verify_document_signature(text->front(), key, view(world.a_document)));
  const Status wrong = openpgp::verify_document_signature(binary->front(), world.authority.primary,
                                                          view(world.a_document));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, openpgp::Errc::bad_signature);
}

TEST_F(DocumentSignature, DigestsRefuseTheOtherKindOfSignature) {
  // A certification is over a key and user ID, not a document, and the
  // other way round.
  const openpgp::Signature& certification = world.domain_a.user_ids.at(0).signatures.at(0);
  const auto document = openpgp::document_digest(certification, view(world.a_document));
  ASSERT_FALSE(document.ok());
  EXPECT_EQ(document.error().code, openpgp::Errc::invalid_argument);
  EXPECT_EQ(document.error().context,
            "signature type 0x13 is not a document signature (0x00 binary or 0x01 text)");
  auto sigs = openpgp::parse_detached_signatures(world.a_signature);
  ASSERT_TRUE(sigs.ok());
  const auto over_key = openpgp::signature_digest(
      sigs->front(), {&world.domain_a.primary, nullptr, &world.domain_a.user_ids[0]});
  ASSERT_FALSE(over_key.ok());
  EXPECT_EQ(over_key.error().code, openpgp::Errc::invalid_argument);
}

TEST_F(DocumentSignature, SignatureFilesThatAreNotDetachedSignaturesAreRefused) {
  const auto empty = openpgp::parse_detached_signatures({});
  EXPECT_FALSE(empty.ok());

  const auto huge =
      openpgp::parse_detached_signatures(Bytes(openpgp::kMaxDetachedSignatureBytes + 1, 0x88));
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.error().context,
            "signature file of 65537 bytes exceeds the cap of 65536; a detached signature is a "
            "few hundred bytes");

  const std::string message = openpgp::encode_armor("PGP MESSAGE", world.a_signature);
  const auto wrong_label = openpgp::parse_detached_signatures(bytes(message));
  ASSERT_FALSE(wrong_label.ok());
  EXPECT_EQ(wrong_label.error().context,
            "armored block 'PGP MESSAGE' is not a detached signature (expected 'PGP SIGNATURE')");

  Bytes many;
  for (std::size_t i = 0; i <= openpgp::kMaxDetachedSignatures; ++i) {
    many.insert(many.end(), world.a_signature.begin(), world.a_signature.end());
  }
  const auto too_many = openpgp::parse_detached_signatures(many);
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.error().context, "signature file holds more than 16 signatures");

  // A certificate's packets: a key packet first.
  const std::string cert = ::pgptls::test::read_text_file(world.dir / "domain_a.pub");
  const auto key = openpgp::parse_detached_signatures(bytes(cert));
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().context,
            "packet of tag 6 at offset 0 in a detached signature file; it must hold only "
            "signatures (gpg --detach-sign)");

  // Truncated: the framing error names the offset.
  const auto cut = openpgp::parse_detached_signatures(
      ByteView(world.a_signature.data(), world.a_signature.size() - 3));
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.error().code, openpgp::Errc::malformed_packet);
}

// RFC 9580 Appendix A.6: a v6 text signature (salted, SHA2-512) by the
// A.3 sample key, over the cleartext message with dash-escaping undone.
TEST(DocumentSignatureV6, Rfc9580SampleTextSignatureVerifies) {
  const Bytes armored =
      test::read_file_bytes(test::data_dir() / "rfc9580" / "a6-cleartext-signature.asc");
  auto sigs = openpgp::parse_detached_signatures(armored);
  ASSERT_TRUE(sigs.ok()) << sigs.error().message();
  ASSERT_EQ(sigs->size(), 1u);
  const openpgp::Signature& sig = sigs->front();
  EXPECT_EQ(sig.version, 6);
  EXPECT_EQ(sig.type, openpgp::SignatureType::text);
  auto cert = openpgp::parse_certificate(
      test::read_file_bytes(test::data_dir() / "rfc9580" / "v6-certificate.asc"));
  ASSERT_TRUE(cert.ok()) << cert.error().message();

  const std::string message =
      "What we need from the grocery store:\n\n- tofu\n- vegetables\n- noodles\n";
  const auto digest_value = openpgp::document_digest(sig, view(message));
  ASSERT_TRUE(digest_value.ok()) << digest_value.error().message();
  EXPECT_EQ(base::hex_encode_upper(*digest_value),
            "69365BF44A97AF1F0844F1F6AB83FDF6B36F26692EFAA621A8AAC91C4E29EA07"
            "E894CABC6E2F20EEDFCE6C03B89141A2CC7CBE245E6E7A5654ADDBEC5000B89B");
  EXPECT_TRUE(openpgp::verify_document_signature(sig, cert->primary, view(message)));
  const std::string crlf =
      "What we need from the grocery store:\r\n\r\n- tofu\r\n- vegetables\r\n- noodles\r\n";
  EXPECT_TRUE(openpgp::verify_document_signature(sig, cert->primary, view(crlf)));
  const Status changed =
      openpgp::verify_document_signature(sig, cert->primary, view(message + "x"));
  ASSERT_FALSE(changed);
  EXPECT_EQ(changed.error().code, openpgp::Errc::bad_signature);
}

class SignerRules : public DocumentSignature {
 protected:
  Result<VerifiedStatement> verify_by(const std::string& who) const {
    pins::PinStatement s;
    s.pins.spki_sha256.push_back(Bytes(32, 0x11));
    s.issued = real_now();
    s.expires_seconds = 3600;
    const std::string document = pins::write_pin_statement(s);
    return verify_statement(view(document), world.sign(who, document, real_now()), "b.example",
                            world.signers(), now);
  }
};

TEST_F(SignerRules, AnExpiredAuthorityKeyMayNotSign) {
  auto verified = verify_by("expired");
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.error().code, openpgp::Errc::key_expired);
  EXPECT_NE(verified.error().context.find(", which is not valid now"), std::string::npos)
      << verified.error().context;
}

TEST_F(SignerRules, ARevokedAuthorityKeyMayNotSign) {
  auto verified = verify_by("revoked");
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.error().code, openpgp::Errc::key_revoked);
  EXPECT_NE(verified.error().context.find(", which is not valid now"), std::string::npos)
      << verified.error().context;
}

TEST_F(SignerRules, ACertifyOnlyKeyMayNotSign) {
  auto verified = verify_by("certonly");
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.error().code, openpgp::Errc::no_usable_key);
  EXPECT_NE(verified.error().context.find(
                ", which is not flagged for signing (0x02); sign with a signing key"),
            std::string::npos)
      << verified.error().context;
}

TEST_F(SignerRules, Sha1SignaturesAreRefusedByThePolicy) {
  auto verified = verify_statement(view(world.a_document), world.a_sha1_signature, "a.example",
                                   world.signers(), now);
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.error().code, openpgp::Errc::rejected_by_policy);
  EXPECT_EQ(verified.error().context.rfind(
                "statement signature by key " + world.domain_a.fingerprint_hex(), 0),
            0u)
      << verified.error().context;
}

}  // namespace
}  // namespace pgptls::keyring
