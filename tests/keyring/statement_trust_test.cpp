// Who may sign a pin statement or bundle: real keys made
// by gpg, statements written with write_pin_statement, signed by gpg
// --detach-sign or by openpgp::make_detached_signature.
#include "keyring/statement_trust.h"

#include <gtest/gtest.h>

#include <chrono>

#include "base/encoding.h"
#include "openpgp/armor.h"
#include "openpgp/errors.h"
#include "openpgp/verify.h"
#include "pins/posh_statement.h"
#include "tests/keyring/statement_fixture.h"
#include "tests/keyring/store_gpg.h"

namespace pgptls::keyring {
namespace {

using test::StatementWorld;
using test::view;

base::Seconds real_now() {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

// statement: a fresh statement for `domain`, issued now.
std::string statement(const std::string& domain, std::uint64_t serial = 1,
                      std::optional<std::string> member = std::nullopt,
                      std::int64_t issued_offset = 0, std::int64_t expires = 7 * 24 * 3600) {
  pins::PinStatement s;
  s.domain = member ? *member : domain;
  s.pins.spki_sha256.push_back(Bytes(32, 0x5A));
  s.issued = real_now() + std::chrono::seconds(issued_offset);
  s.expires_seconds = expires;
  s.serial = serial;
  return pins::write_pin_statement(s);
}

class StatementTrust : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { (void)StatementWorld::get(); }
  const StatementWorld& world = StatementWorld::get();
  // Judged a few seconds after signing.
  const base::Seconds now = real_now() + std::chrono::seconds(5);

  Result<VerifiedStatement> verify(const std::string& document, const Bytes& signature,
                                   const std::string& domain) const {
    return verify_statement(view(document), signature, domain, world.signers(), now);
  }
  Bytes sign(const std::string& who, const std::string& document) const {
    return world.sign(who, document, real_now());
  }
};

TEST_F(StatementTrust, AcceptsAStatementSignedByAnAuthorityInScope) {
  const std::string document = statement("b.example");
  auto verified = verify(document, sign("authority", document), "B.Example.");
  ASSERT_TRUE(verified.ok()) << verified.error().message();
  EXPECT_EQ(verified->domain, "b.example");
  EXPECT_EQ(verified->signer.role, SignerRole::authority);
  EXPECT_EQ(verified->signer.certificate_fingerprint, world.authority.fingerprint());
  EXPECT_EQ(verified->signer.authority_fingerprint, world.authority.fingerprint());
  EXPECT_EQ(verified->pins.record.domain, "b.example");
  EXPECT_EQ(verified->pins.record.signer_fingerprint, world.authority.fingerprint_hex());
  EXPECT_EQ(verified->pins.record.serial, 1u);
  EXPECT_EQ(verified->pins.spki_pins,
            std::vector<std::string>{base::base64_encode(Bytes(32, 0x5A))});
  EXPECT_TRUE(verified->pins.certificate_pins.empty());
  EXPECT_EQ(verified->pins.record.expires,
            *verified->statement.issued + std::chrono::seconds(7 * 24 * 3600));
}

TEST_F(StatementTrust, AcceptsTheDomainsOwnCertifiedKeySignedByGpg) {
  auto verified = verify(world.a_document, world.a_signature, "a.example");
  ASSERT_TRUE(verified.ok()) << verified.error().message();
  EXPECT_EQ(verified->signer.role, SignerRole::certified_domain_key);
  EXPECT_EQ(verified->signer.certificate_fingerprint, world.domain_a.fingerprint());
  EXPECT_EQ(verified->signer.authority_fingerprint, world.authority.fingerprint());
  EXPECT_EQ(verified->pins.record.serial, 7u);
  EXPECT_EQ(verified->pins.record.issued, world.fixture_time);
  EXPECT_EQ(verified->pins.certificate_pins,
            std::vector<std::string>{base::base64_encode(Bytes(32, 0xC1))});
}

TEST_F(StatementTrust, AcceptsArmoredAndTextModeGpgSignatures) {
  auto armored =
      verify(world.a_document, Bytes(world.a_armored.begin(), world.a_armored.end()), "a.example");
  ASSERT_TRUE(armored.ok()) << armored.error().message();
  const Bytes text_sig(world.a_text_armored.begin(), world.a_text_armored.end());
  auto text = verify(world.a_document, text_sig, "a.example");
  ASSERT_TRUE(text.ok()) << text.error().message();

  // RFC 9580 §5.2.1.2: a text signature covers canonical CRLF line ends, so
  // the same document with CRLF verifies too; a binary signature does not.
  std::string crlf;
  for (const char c : world.a_document) {
    if (c == '\n') {
      crlf += '\r';
    }
    crlf += c;
  }
  ASSERT_NE(crlf, world.a_document);
  auto text_crlf = verify(crlf, text_sig, "a.example");
  EXPECT_TRUE(text_crlf.ok()) << text_crlf.error().message();
  auto binary_crlf = verify(crlf, world.a_signature, "a.example");
  ASSERT_FALSE(binary_crlf.ok());
  EXPECT_EQ(binary_crlf.error().code, openpgp::Errc::bad_signature);
}

TEST_F(StatementTrust, RejectsADocumentChangedByOneByte) {
  std::string changed = world.a_document;
  const std::size_t at = changed.find("\"serial\": 7");
  ASSERT_NE(at, std::string::npos) << changed;
  changed[at + 10] = '8';
  auto verified = verify(changed, world.a_signature, "a.example");
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.error().code, openpgp::Errc::bad_signature);
  EXPECT_EQ(verified.error().context,
            "the signature by key " + world.domain_a.fingerprint_hex() + " of certificate " +
                world.domain_a.fingerprint_hex() +
                " does not verify over the document: the document was changed after signing, "
                "or the signature belongs to another document; fetch both again or ask the "
                "publisher to re-sign");
}

TEST_F(StatementTrust, RejectsAKeyringSignerNotCertifiedForTheDomain) {
  // c.example's own key is in the keyring but nobody certified it.
  const std::string document = statement("c.example");
  auto verified = verify(document, sign("stranger", document), "c.example");
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.error().code, openpgp::Errc::signer_not_allowed);
  const std::string& message = verified.error().context;
  EXPECT_EQ(
      message.rfind("the statement for c.example is signed by keyring certificate " +
                        world.stranger.fingerprint_hex() + ", which may not vouch for c.example: ",
                    0),
      0u)
      << message;
  EXPECT_NE(message.find("is not certified by any configured authority"), std::string::npos)
      << message;
  EXPECT_NE(message.find("an authority must certify its xmpp:c.example user ID"), std::string::npos)
      << message;

  // a.example's certified key may not vouch for b.example.
  const std::string other = statement("b.example");
  auto cross = verify(other, sign("domain_a", other), "b.example");
  ASSERT_FALSE(cross.ok());
  EXPECT_EQ(cross.error().code, openpgp::Errc::signer_not_allowed);
  EXPECT_NE(cross.error().context.find("has no user ID xmpp:b.example"), std::string::npos)
      << cross.error().context;
}

// A domain's own certified key signing its statement is for X.509-only
// servers: their certified certificate
// is [SC] with no authentication key, which check_peer (a TLS peer) refuses
// but which may still vouch for its domain's X.509 keys.
TEST_F(StatementTrust, AcceptsACertifiedSignOnlyDomainKeyWithoutAnAuthenticationKey) {
  auto peer = check_peer(world.domain_d, "d.example", world.authorities, Policy::standard(), now);
  ASSERT_FALSE(peer.ok());
  EXPECT_EQ(peer.error().code, openpgp::Errc::no_usable_key);
  EXPECT_EQ(peer.error().context, "peer key " + world.domain_d.fingerprint_hex() +
                                      " (xmpp:d.example) has no valid key flagged for "
                                      "authentication; add an authentication subkey");

  const std::string document = statement("d.example");
  auto verified = verify(document, sign("domain_d", document), "d.example");
  ASSERT_TRUE(verified.ok()) << verified.error().message();
  EXPECT_EQ(verified->signer.role, SignerRole::certified_domain_key);
  EXPECT_EQ(verified->signer.certificate_fingerprint, world.domain_d.fingerprint());
  EXPECT_EQ(verified->signer.key_fingerprint, world.domain_d.fingerprint());
  EXPECT_EQ(verified->signer.authority_fingerprint, world.authority.fingerprint());
  EXPECT_EQ(verified->pins.record.signer_fingerprint, world.domain_d.fingerprint_hex());

  // Certified for d.example only: it may not vouch for another domain.
  const std::string other = statement("e.example");
  auto cross = verify(other, sign("domain_d", other), "e.example");
  ASSERT_FALSE(cross.ok());
  EXPECT_EQ(cross.error().code, openpgp::Errc::signer_not_allowed);
  EXPECT_NE(cross.error().context.find("has no user ID xmpp:e.example"), std::string::npos)
      << cross.error().context;
}

TEST_F(StatementTrust, RejectsAnUncertifiedSignOnlyDomainKey) {
  const std::string document = statement("e.example");
  auto verified = verify(document, sign("lone", document), "e.example");
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.error().code, openpgp::Errc::signer_not_allowed);
  EXPECT_EQ(verified.error().context,
            "the statement for e.example is signed by keyring certificate " +
                world.lone.fingerprint_hex() + ", which may not vouch for e.example: peer key " +
                world.lone.fingerprint_hex() +
                " (xmpp:e.example) is not certified by any configured authority; ask an "
                "authority to certify it (gpg --quick-sign-key): peer key not certified by any "
                "authority; an authority must certify its xmpp:e.example user ID (gpg "
                "--quick-sign-key)");
}

TEST_F(StatementTrust, RejectsASignerNeitherAuthorityNorInTheKeyring) {
  const std::string document = statement("b.example");
  const Bytes signature = sign("unknown", document);
  auto verified = verify(document, signature, "b.example");
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.error().code, openpgp::Errc::signer_not_allowed);
  auto sigs = openpgp::parse_detached_signatures(signature);
  ASSERT_TRUE(sigs.ok());
  EXPECT_EQ(verified.error().context,
            "the statement for b.example is signed by " + sigs->front().issuer_text() +
                ", which is neither a configured authority nor a certificate in the keyring; add "
                "the signer as an authority ('pgptls authority add') or import the domain's "
                "certified certificate into the keyring");
}

TEST_F(StatementTrust, RejectsAnAuthorityOutsideItsScope) {
  const std::string document = statement("a.example");
  auto verified = verify(document, sign("narrow", document), "a.example");
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.error().code, openpgp::Errc::out_of_scope);
  EXPECT_EQ(verified.error().context,
            "the statement for a.example is signed by authority " + world.narrow.fingerprint_hex() +
                ", but that domain is outside its scope; widen the authority's --scope or have "
                "an authority for a.example sign it");
  // Inside its scope, the same authority is accepted.
  const std::string inside = statement("x.other.test");
  EXPECT_TRUE(verify(inside, sign("narrow", inside), "x.other.test").ok());
}

TEST_F(StatementTrust, RejectsAnExpiredStatement) {
  // Issued two days ago, valid for one day.
  const std::string document = statement("b.example", 1, std::nullopt, -2 * 24 * 3600, 24 * 3600);
  auto verified = verify(document, sign("authority", document), "b.example");
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.error().code, openpgp::Errc::statement_expired);
  const std::string& message = verified.error().context;
  EXPECT_EQ(message.rfind("the statement for b.example issued ", 0), 0u) << message;
  EXPECT_NE(message.find(" expired on "), std::string::npos) << message;
  EXPECT_TRUE(message.ends_with("; its publisher must sign a fresh one")) << message;
}

TEST_F(StatementTrust, RejectsAStatementIssuedInTheFuture) {
  const std::string document = statement("b.example", 1, std::nullopt, 2 * 3600);
  auto verified = verify(document, sign("authority", document), "b.example");
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.error().code, openpgp::Errc::malformed_statement);
  EXPECT_NE(verified.error().context.find(", in the future (now "), std::string::npos)
      << verified.error().context;
}

TEST_F(StatementTrust, RejectsADomainMemberNamingAnotherDomain) {
  // A valid statement for b.example served at a.example's URL.
  const std::string document = statement("a.example", 1, "b.example");
  auto verified = verify(document, sign("authority", document), "a.example");
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.error().code, openpgp::Errc::domain_mismatch);
  EXPECT_EQ(verified.error().context,
            "the statement for a.example names the domain \"b.example\" in its \"domain\" "
            "member: it was published for another domain (a copied statement); the publisher "
            "of a.example must sign its own");
}

TEST_F(StatementTrust, OneValidSignatureAmongSeveralIsEnough) {
  const std::string document = statement("b.example");
  Bytes both = sign("unknown", document);
  const Bytes good = sign("authority", document);
  both.insert(both.end(), good.begin(), good.end());
  auto verified = verify(document, both, "b.example");
  ASSERT_TRUE(verified.ok()) << verified.error().message();
  EXPECT_EQ(verified->signer.certificate_fingerprint, world.authority.fingerprint());

  // Armored, as two blocks.
  const std::string armored = openpgp::encode_armor("PGP SIGNATURE", sign("stranger", document)) +
                              openpgp::encode_armor("PGP SIGNATURE", good);
  EXPECT_TRUE(verify(document, Bytes(armored.begin(), armored.end()), "b.example").ok());
}

TEST_F(StatementTrust, RejectsARedirectAndASignatureFileHoldingAKey) {
  const std::string redirect = R"({"url":"https://c.example/posh.json","expires":60})";
  auto verified = verify(redirect, sign("authority", redirect), "b.example");
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.error().code, openpgp::Errc::malformed_statement);
  EXPECT_NE(verified.error().context.find("is a POSH redirect"), std::string::npos);

  const std::string document = statement("b.example");
  const std::string key = test::read_text_file(world.dir / "authority.pub");
  auto keyfile = verify(document, Bytes(key.begin(), key.end()), "b.example");
  ASSERT_FALSE(keyfile.ok());
  EXPECT_EQ(keyfile.error().code, openpgp::Errc::invalid_argument);
  EXPECT_NE(
      keyfile.error().context.find("in a detached signature file; it must hold only signatures"),
      std::string::npos)
      << keyfile.error().context;
}

// A bundle of three domains, one outside the signing authority's scope.
std::string bundle(std::int64_t issued_offset = 0, std::int64_t expires = 24 * 3600) {
  const std::string pin = base::base64_encode(Bytes(32, 0x42));
  return R"({"domains":{"a.example":{"spki-sha-256":[")" + pin +
         R"("]},"b.example":{"spki-sha-256":[")" + pin +
         R"("]},"x.other.test":{"spki-sha-256":[")" + pin + R"("]}},"issued":")" +
         base::format_utc(real_now() + std::chrono::seconds(issued_offset)) +
         R"(","serial":3,"expires":)" + std::to_string(expires) + "}";
}

TEST_F(StatementTrust, BundleTakesDomainsInScopeAndRefusesTheOthers) {
  const std::string document = bundle();
  auto verified = verify_bundle(view(document), sign("authority", document), world.signers(), now);
  ASSERT_TRUE(verified.ok()) << verified.error().message();
  ASSERT_EQ(verified->accepted.size(), 2u);
  EXPECT_EQ(verified->accepted[0].record.domain, "a.example");
  EXPECT_EQ(verified->accepted[1].record.domain, "b.example");
  EXPECT_EQ(verified->accepted[1].record.serial, 3u);
  EXPECT_EQ(verified->accepted[1].record.signer_fingerprint, world.authority.fingerprint_hex());
  ASSERT_EQ(verified->refused.size(), 1u);
  EXPECT_EQ(verified->refused[0].domain, "x.other.test");
  EXPECT_EQ(verified->refused[0].error.code, openpgp::Errc::out_of_scope);
  EXPECT_EQ(verified->refused[0].error.context,
            "the bundle lists x.other.test, but that domain is outside the scope of its signer, "
            "authority " +
                world.authority.fingerprint_hex() +
                "; its pins were not taken: widen the authority's --scope if it should vouch "
                "for x.other.test");
}

// One bundle for a whole community, over a single statement's
// 64 KiB cap but within the bundle cap.
TEST_F(StatementTrust, BundleOfFiveThousandDomainsIsAccepted) {
  const std::string pin = base::base64_encode(Bytes(32, 0x42));
  std::string document = R"({"domains":{)";
  for (int index = 0; index < 5000; ++index) {
    document += (index == 0 ? "\"m" : ",\"m") + std::to_string(index) +
                R"(.example":{"spki-sha-256":[")" + pin + R"("]})";
  }
  document += R"(},"issued":")" + base::format_utc(real_now()) + R"(","serial":9,"expires":3600})";
  ASSERT_GT(document.size(), pins::StatementLimits{}.max_document_bytes);
  auto verified = verify_bundle(view(document), sign("authority", document), world.signers(), now);
  ASSERT_TRUE(verified.ok()) << verified.error().message();
  EXPECT_EQ(verified->accepted.size(), 5000U);
  EXPECT_TRUE(verified->refused.empty());
}

TEST_F(StatementTrust, BundleMustBeSignedByAnAuthorityAndNotExpired) {
  const std::string document = bundle();
  auto by_domain_key =
      verify_bundle(view(document), sign("domain_a", document), world.signers(), now);
  ASSERT_FALSE(by_domain_key.ok());
  EXPECT_EQ(by_domain_key.error().code, openpgp::Errc::signer_not_allowed);
  EXPECT_NE(by_domain_key.error().context.find(
                "is not a configured authority; only authorities may sign bundles"),
            std::string::npos)
      << by_domain_key.error().context;

  const std::string old = bundle(-3 * 24 * 3600, 24 * 3600);
  auto expired = verify_bundle(view(old), sign("authority", old), world.signers(), now);
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().code, openpgp::Errc::statement_expired);
  EXPECT_EQ(expired.error().context.rfind("the bundle (serial 3) issued ", 0), 0u)
      << expired.error().context;

  std::string changed = document;
  changed[changed.find("\"serial\":3") + 9] = '4';
  auto tampered = verify_bundle(view(changed), sign("authority", document), world.signers(), now);
  ASSERT_FALSE(tampered.ok());
  EXPECT_EQ(tampered.error().code, openpgp::Errc::bad_signature);
}

}  // namespace
}  // namespace pgptls::keyring
