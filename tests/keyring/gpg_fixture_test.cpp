// Verdicts on certificates made by GnuPG (and sq) in a throwaway GNUPGHOME,
// compared with gpg's own opinion where it has one. Every key is made once
// for the suite, at a faked time of 2024-01-01, and judged at 2024-06-01.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "base/clock.h"
#include "base/encoding.h"
#include "keyring/authority.h"
#include "keyring/validate.h"
#include "openpgp/armor.h"
#include "openpgp/errors.h"
#include "openpgp/hash.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_files.h"

namespace pgptls::keyring {
namespace {

const base::Seconds kNow = *base::parse_utc("2024-06-01T00:00:00Z");
// A trailing '!' freezes gpg's clock, so every signature of a step has the
// same, predictable creation time.
constexpr const char* kCreated = "20240101T000000!";
constexpr const char* kRevoked = "20240102T000000!";
constexpr const char* kJudged = "20240601T000000";

class GpgFixtures : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!pgptls::test::has_tool("gpg")) {
      return;
    }
    home_ = new pgptls::test::TempDir();
    make_fixtures();
  }
  static void TearDownTestSuite() {
    delete home_;
    home_ = nullptr;
  }
  void SetUp() override {
    if (home_ == nullptr) {
      GTEST_SKIP() << "gpg is not installed";
    }
    ASSERT_TRUE(setup_error_.empty()) << setup_error_;
  }

  static pgptls::test::ToolResult gpg(std::vector<std::string> args, const std::string& input = {},
                                      const char* time = kCreated) {
    std::vector<std::string> argv = {"gpg",          "--batch", "--pinentry-mode",     "loopback",
                                     "--passphrase", "",        "--faked-system-time", time};
    argv.insert(argv.end(), args.begin(), args.end());
    pgptls::test::ToolOptions options;
    options.env["GNUPGHOME"] = home_->path().string();
    options.stdin_data = input;
    auto result = pgptls::test::run_tool(argv, options);
    if (!result.ok() && setup_error_.empty()) {
      std::string joined;
      for (const auto& a : args) {
        joined += a + " ";
      }
      setup_error_ = "gpg " + joined + ": " + result.describe();
    }
    return result;
  }

  static std::string fingerprint_of(const std::string& uid) {
    const auto out = gpg({"--with-colons", "--list-keys", "=" + uid}).out;
    std::istringstream lines(out);
    std::string line;
    while (std::getline(lines, line)) {
      if (line.rfind("fpr:", 0) == 0) {
        return line.substr(12, line.find(':', 12) - 12);
      }
    }
    return {};
  }

  static std::string generate(const std::string& uid, const std::string& algo,
                              const std::string& usage, const std::string& expire = "never") {
    gpg({"--quick-gen-key", uid, algo, usage, expire});
    const std::string fpr = fingerprint_of(uid);
    fprs_[uid] = fpr;
    return fpr;
  }

  static void certify(const std::string& authority, const std::string& fpr,
                      std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"-u", fprs_.at(authority)};
    args.insert(args.end(), extra.begin(), extra.end());
    args.insert(args.end(), {"--quick-sign-key", fpr});
    gpg(args);
  }

  static void revoke_key(const std::string& fpr) {
    // gpg keeps a revocation certificate for every key it makes; its first
    // armor line is prefixed with ':' to stop accidental imports.
    std::ifstream in(home_->path() / "openpgp-revocs.d" / (fpr + ".rev"));
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto colon = text.find(":-----BEGIN");
    if (colon != std::string::npos) {
      text.erase(colon, 1);
    }
    gpg({"--import"}, text);
  }

  static void make_fixtures() {
    // Authorities.
    generate("CA <ca@example.invalid>", "ed25519", "cert");
    generate("CA2 <ca2@example.invalid>", "ed25519", "cert");
    generate("CA-RSA <ca-rsa@example.invalid>", "rsa3072", "cert");
    const std::string ca_rev = generate("CA-revoked <rev@example.invalid>", "ed25519", "cert");
    generate("CA-expired <exp@example.invalid>", "ed25519", "cert", "30d");

    auto peer = [](const std::string& name, const std::string& algo, const std::string& auth_algo) {
      const std::string fpr = generate("xmpp:" + name, algo, "sign");
      gpg({"--quick-add-key", fpr, auth_algo, "auth", "never"});
      return fpr;
    };
    certify("CA <ca@example.invalid>", peer("ed.example", "ed25519", "ed25519"));
    certify("CA <ca@example.invalid>", peer("rsa.example", "rsa2048", "rsa2048"));
    certify("CA <ca@example.invalid>", peer("p256.example", "nistp256", "nistp256/ecdsa"));
    certify("CA-RSA <ca-rsa@example.invalid>", peer("rsa3.example", "ed25519", "ed25519"));

    const std::string revoked = peer("revoked.example", "ed25519", "ed25519");
    certify("CA <ca@example.invalid>", revoked);
    revoke_key(revoked);

    const std::string revsub = peer("revsub.example", "ed25519", "ed25519");
    certify("CA <ca@example.invalid>", revsub);
    // Revoke the authentication subkey (key 1) as compromised.
    gpg({"--command-fd", "0", "--edit-key", revsub}, "key 1\nrevkey\ny\n1\n\ny\nsave\n", kRevoked);

    const std::string revuid = peer("revuid.example", "ed25519", "ed25519");
    gpg({"--quick-add-uid", revuid, "xmpp:keep.example"});
    certify("CA <ca@example.invalid>", revuid);
    gpg({"--quick-revoke-uid", revuid, "xmpp:revuid.example"}, {}, kRevoked);

    const std::string revcert = peer("revcert.example", "ed25519", "ed25519");
    certify("CA <ca@example.invalid>", revcert);
    gpg({"-u", fprs_.at("CA <ca@example.invalid>"), "--quick-revoke-sig", revcert,
         fprs_.at("CA <ca@example.invalid>")},
        {}, kRevoked);

    const std::string expired = generate("xmpp:expired.example", "ed25519", "sign,auth", "30d");
    certify("CA <ca@example.invalid>", expired);

    const std::string expsub = generate("xmpp:expsub.example", "ed25519", "sign");
    gpg({"--quick-add-key", expsub, "ed25519", "auth", "30d"});
    certify("CA <ca@example.invalid>", expsub);

    certify("CA <ca@example.invalid>", peer("expcert.example", "ed25519", "ed25519"),
            {"--default-cert-expire", "30d"});
    certify("CA-RSA <ca-rsa@example.invalid>", peer("sha1.example", "ed25519", "ed25519"),
            {"--allow-weak-key-signatures", "--cert-digest-algo", "SHA1"});
    certify("CA-revoked <rev@example.invalid>", peer("byrevoked.example", "ed25519", "ed25519"));
    certify("CA-revoked <rev@example.invalid>", peer("tworev.example", "ed25519", "ed25519"));
    certify("CA2 <ca2@example.invalid>", fprs_.at("xmpp:tworev.example"));
    revoke_key(ca_rev);
    certify("CA-expired <exp@example.invalid>", peer("byexpired.example", "ed25519", "ed25519"));
    certify("CA2 <ca2@example.invalid>", peer("two.example", "ed25519", "ed25519"));
    peer("uncertified.example", "ed25519", "ed25519");
    certify("CA <ca@example.invalid>", generate("xmpp:small.example", "rsa1024", "sign,auth"));
    const std::string two_auth = peer("twoauth.example", "ed25519", "ed25519");
    gpg({"--quick-add-key", two_auth, "ed25519", "auth", "never"}, {}, "20240201T000000!");
    certify("CA <ca@example.invalid>", two_auth);
    // SHA-1 self-signatures, made before and after the policy's cutoff
    // (2023-02-01).
    gpg({"--cert-digest-algo", "SHA1", "--quick-gen-key", "xmpp:sha1old.example", "rsa2048",
         "sign,auth", "never"},
        {}, "20220101T000000!");
    fprs_["xmpp:sha1old.example"] = fingerprint_of("xmpp:sha1old.example");
    certify("CA <ca@example.invalid>", fprs_.at("xmpp:sha1old.example"));
    gpg({"--cert-digest-algo", "SHA1", "--quick-gen-key", "xmpp:sha1new.example", "rsa2048",
         "sign,auth", "never"});
    fprs_["xmpp:sha1new.example"] = fingerprint_of("xmpp:sha1new.example");
    certify("CA <ca@example.invalid>", fprs_.at("xmpp:sha1new.example"));
    certify("CA <ca@example.invalid>",
            generate("Plain Person <plain@example.org>", "ed25519", "sign,auth"));
    certify("CA <ca@example.invalid>",
            generate("Server <xmpp:Brackets.Example>", "ed25519", "sign,auth"));
  }

  static Bytes export_cert(const std::string& uid) {
    const auto out = gpg({"--export", "--armor", fprs_.at(uid)}).out;
    return Bytes(out.begin(), out.end());
  }

  static openpgp::Cert cert(const std::string& uid) {
    auto parsed = openpgp::parse_certificate(export_cert(uid));
    EXPECT_TRUE(parsed) << uid << ": " << parsed.error().message();
    return parsed ? std::move(*parsed) : openpgp::Cert{};
  }

  static Authority authority(const std::string& uid, std::vector<std::string> scopes = {}) {
    return Authority{cert(uid), std::move(scopes)};
  }

  static std::vector<Authority> main_authorities() {
    return {authority("CA <ca@example.invalid>"), authority("CA-RSA <ca-rsa@example.invalid>"),
            authority("CA2 <ca2@example.invalid>"), authority("CA-revoked <rev@example.invalid>"),
            authority("CA-expired <exp@example.invalid>")};
  }

  static Result<PeerAcceptance> verdict(const std::string& domain,
                                        const Policy& policy = Policy::standard()) {
    const auto authorities = main_authorities();
    return check_peer(cert("xmpp:" + domain), domain, authorities, policy, kNow);
  }

  // gpg's validity letters at kNow for pub/sub/uid lines, in order, with
  // the user ID text (field 10, \x3a-escaped) for uid lines.
  struct Row {
    std::string kind;
    char letter;
    std::string text;
  };
  static std::vector<Row> gpg_validity(const std::string& uid) {
    const auto out = gpg({"--with-colons", "--list-keys", fprs_.at(uid)}, {}, kJudged).out;
    std::vector<Row> rows;
    std::istringstream lines(out);
    std::string line;
    while (std::getline(lines, line)) {
      const std::string kind = line.substr(0, 3);
      if ((kind == "pub" || kind == "sub" || kind == "uid") && line.size() > 4) {
        std::vector<std::string> fields;
        std::istringstream cells(line);
        std::string cell;
        while (std::getline(cells, cell, ':')) {
          fields.push_back(cell);
        }
        std::string text = fields.size() > 9 ? fields[9] : "";
        for (std::size_t p = text.find("\\x3a"); p != std::string::npos; p = text.find("\\x3a")) {
          text.replace(p, 4, ":");
        }
        rows.push_back(Row{kind, line[4], text});
      }
    }
    return rows;
  }

  static pgptls::test::TempDir* home_;
  static std::map<std::string, std::string> fprs_;
  static std::string setup_error_;
};
pgptls::test::TempDir* GpgFixtures::home_ = nullptr;
std::map<std::string, std::string> GpgFixtures::fprs_;
std::string GpgFixtures::setup_error_;

void expect_rejected(const Result<PeerAcceptance>& v, openpgp::Errc code, const std::string& text) {
  ASSERT_FALSE(v) << "accepted unexpectedly";
  EXPECT_EQ(v.error().code, code) << v.error().message();
  EXPECT_NE(v.error().message().find(text), std::string::npos) << v.error().message();
}

TEST_F(GpgFixtures, Ed25519Rsa2048AndP256PeersAreAccepted) {
  for (const std::string domain : {"ed.example", "rsa.example", "p256.example"}) {
    auto v = verdict(domain);
    ASSERT_TRUE(v) << domain << ": " << v.error().message();
    EXPECT_EQ(v->authority_fingerprint, cert("CA <ca@example.invalid>").fingerprint());
    // Only the [A] subkey authenticates; the [SC] primary does not.
    ASSERT_EQ(v->keys.size(), 1U) << domain;
    EXPECT_NE(v->keys[0].fingerprint, cert("xmpp:" + domain).fingerprint());
  }
  const openpgp::Cert p256 = cert("xmpp:p256.example");
  EXPECT_EQ(p256.primary.algorithm, openpgp::PublicKeyAlgorithm::ecdsa);
  EXPECT_EQ(p256.primary.curve, openpgp::Curve::nist_p256);
}

TEST_F(GpgFixtures, GnuTls35PolicyAlsoAcceptsTheSigningPrimary) {
  auto v = verdict("ed.example", Policy::gnutls35_compatible());
  ASSERT_TRUE(v) << v.error().message();
  EXPECT_EQ(v->keys.size(), 2U);
}

TEST_F(GpgFixtures, Rsa3072AuthorityCertificationIsAccepted) {
  auto v = verdict("rsa3.example");
  ASSERT_TRUE(v) << v.error().message();
  EXPECT_EQ(v->authority_fingerprint, cert("CA-RSA <ca-rsa@example.invalid>").fingerprint());
}

TEST_F(GpgFixtures, RevokedKeyIsRejected) {
  expect_rejected(verdict("revoked.example"), openpgp::Errc::key_revoked, "revoked");
}

TEST_F(GpgFixtures, RevokedAuthenticationSubkeyLeavesNoUsableKey) {
  expect_rejected(verdict("revsub.example"), openpgp::Errc::no_usable_key, "no valid key flagged");
  const openpgp::Cert c = cert("xmpp:revsub.example");
  const ValidatedCert v = validate(c, Policy::standard(), kNow);
  ASSERT_EQ(v.subkeys.size(), 1U);
  ASSERT_FALSE(v.subkeys[0].status);
  EXPECT_EQ(v.subkeys[0].status.error().code, openpgp::Errc::key_revoked);
  EXPECT_NE(v.subkeys[0].status.error().message().find("key compromised"), std::string::npos);
}

TEST_F(GpgFixtures, RevokedUserIdIsRejectedButTheOtherStillValid) {
  expect_rejected(verdict("revuid.example"), openpgp::Errc::user_id_revoked, "revoked");
  const auto authorities = main_authorities();
  auto keep = check_peer(cert("xmpp:revuid.example"), "keep.example", authorities,
                         Policy::standard(), kNow);
  ASSERT_TRUE(keep) << keep.error().message();
}

TEST_F(GpgFixtures, RevokedCertificationIsRejected) {
  expect_rejected(verdict("revcert.example"), openpgp::Errc::certification_revoked,
                  "revoked its certification");
}

TEST_F(GpgFixtures, ExpiredKeyIsRejectedButValidBeforeItsExpiry) {
  expect_rejected(verdict("expired.example"), openpgp::Errc::key_expired, "expired at 2024-01-31");
  const auto authorities = main_authorities();
  auto before = check_peer(cert("xmpp:expired.example"), "expired.example", authorities,
                           Policy::standard(), *base::parse_utc("2024-01-15"));
  EXPECT_TRUE(before) << before.error().message();
}

TEST_F(GpgFixtures, ExpiredAuthenticationSubkeyLeavesNoUsableKey) {
  expect_rejected(verdict("expsub.example"), openpgp::Errc::no_usable_key, "no valid key flagged");
}

TEST_F(GpgFixtures, ExpiredCertificationIsRejected) {
  expect_rejected(verdict("expcert.example"), openpgp::Errc::certification_expired, "expired at");
}

TEST_F(GpgFixtures, Sha1CertificationIsRejectedByPolicy) {
  expect_rejected(verdict("sha1.example"), openpgp::Errc::rejected_by_policy, "SHA-1");
  Policy lax = Policy::standard();
  lax.allow_sha1_certifications = true;
  EXPECT_TRUE(verdict("sha1.example", lax));
}

TEST_F(GpgFixtures, Sha1SelfSignaturesCountOnlyBeforeTheCutoff) {
  const openpgp::Cert old_key = cert("xmpp:sha1old.example");
  ASSERT_EQ(old_key.user_ids[0].signatures[0].hash_algorithm,
            static_cast<std::uint8_t>(openpgp::HashAlgorithm::sha1));
  auto old_verdict = verdict("sha1old.example");
  EXPECT_TRUE(old_verdict) << old_verdict.error().message();
  Policy no_sha1 = Policy::standard();
  no_sha1.sha1_self_signature_cutoff = 0;
  expect_rejected(verdict("sha1old.example", no_sha1), openpgp::Errc::no_valid_self_signature,
                  "SHA-1");
  expect_rejected(verdict("sha1new.example"), openpgp::Errc::no_valid_self_signature,
                  "self-signature made with SHA-1 at 2024-01-01");
}

TEST_F(GpgFixtures, OwnKeySelectionPrefersTheNewestKeyWeHoldTheSecretFor) {
  const openpgp::Cert c = cert("xmpp:twoauth.example");
  ASSERT_EQ(c.subkeys.size(), 2U);
  const openpgp::PublicKey& older = c.subkeys[0].key;
  const openpgp::PublicKey& newer = c.subkeys[1].key;
  ASSERT_LT(older.creation_time, newer.creation_time);
  const ValidatedCert v = validate(c, Policy::standard(), kNow);
  auto all = select_own_authentication_key(v, Policy::standard(),
                                           [](const openpgp::PublicKey&) { return true; });
  ASSERT_TRUE(all) << all.error().message();
  EXPECT_EQ((*all)->fingerprint, newer.fingerprint);
  auto only_old = select_own_authentication_key(
      v, Policy::standard(),
      [&](const openpgp::PublicKey& k) { return k.fingerprint == older.fingerprint; });
  ASSERT_TRUE(only_old);
  EXPECT_EQ((*only_old)->fingerprint, older.fingerprint);
  auto by_fpr = select_authentication_key(v, older.fingerprint, Policy::standard());
  ASSERT_TRUE(by_fpr);
  EXPECT_EQ((*by_fpr)->key_id, older.key_id);
  auto verdict_keys = verdict("twoauth.example");
  ASSERT_TRUE(verdict_keys);
  ASSERT_EQ(verdict_keys->keys.size(), 2U);
  EXPECT_EQ(verdict_keys->keys[0].fingerprint, newer.fingerprint);
}

TEST_F(GpgFixtures, Rsa1024IsRejectedByPolicy) {
  expect_rejected(verdict("small.example"), openpgp::Errc::rejected_by_policy,
                  "1024-bit RSA is below the minimum of 2048 bits");
}

TEST_F(GpgFixtures, RevokedAndExpiredAuthoritiesAreNamed) {
  expect_rejected(verdict("byrevoked.example"), openpgp::Errc::authority_invalid, "revoked");
  expect_rejected(verdict("byexpired.example"), openpgp::Errc::authority_invalid, "expired");
}

TEST_F(GpgFixtures, SecondAuthorityAcceptsAndOutranksARevokedOne) {
  auto two = verdict("two.example");
  ASSERT_TRUE(two) << two.error().message();
  EXPECT_EQ(two->authority_fingerprint, cert("CA2 <ca2@example.invalid>").fingerprint());
  auto tworev = verdict("tworev.example");
  ASSERT_TRUE(tworev) << tworev.error().message();
  EXPECT_EQ(tworev->authority_fingerprint, cert("CA2 <ca2@example.invalid>").fingerprint());
}

TEST_F(GpgFixtures, OutOfScopeAuthorityIsRejected) {
  const std::vector<Authority> scoped{authority("CA <ca@example.invalid>", {"*.example.org"})};
  expect_rejected(
      check_peer(cert("xmpp:ed.example"), "ed.example", scoped, Policy::standard(), kNow),
      openpgp::Errc::out_of_scope, "outside its scope");
  const std::vector<Authority> fits{authority("CA <ca@example.invalid>", {"*.example"})};
  EXPECT_TRUE(check_peer(cert("xmpp:ed.example"), "ed.example", fits, Policy::standard(), kNow));
}

TEST_F(GpgFixtures, UncertifiedAndNonXmppUserIdsAreRejected) {
  expect_rejected(verdict("uncertified.example"), openpgp::Errc::not_certified, "not certified");
  const auto authorities = main_authorities();
  expect_rejected(check_peer(cert("Plain Person <plain@example.org>"), "example.org", authorities,
                             Policy::standard(), kNow),
                  openpgp::Errc::no_matching_user_id, "no user ID xmpp:example.org");
}

TEST_F(GpgFixtures, AngleBracketUserIdIsMatchedCaseInsensitively) {
  const auto authorities = main_authorities();
  auto v = check_peer(cert("Server <xmpp:Brackets.Example>"), "brackets.EXAMPLE", authorities,
                      Policy::standard(), kNow);
  ASSERT_TRUE(v) << v.error().message();
  EXPECT_EQ(v->user_id, "Server <xmpp:Brackets.Example>");
}

TEST_F(GpgFixtures, ValidityAgreesWithGpg) {
  for (const auto& [uid, fpr] : fprs_) {
    if (uid == "xmpp:sha1new.example" || uid == "xmpp:small.example") {
      continue;  // gpg accepts SHA-1 self-signatures and RSA-1024; our policy does not
    }
    const openpgp::Cert c = cert(uid);
    const ValidatedCert v = validate(c, Policy::standard(), kNow);
    const auto rows = gpg_validity(uid);
    std::size_t sub = 0;
    for (const auto& [kind, letter, text] : rows) {
      const Status* status = nullptr;
      if (kind == "pub") {
        status = &v.primary.status;
      } else if (kind == "sub") {
        ASSERT_LT(sub, v.subkeys.size()) << uid;
        status = &v.subkeys[sub++].status;
      } else {
        // gpg reports a user ID of a revoked or expired key with the key's letter.
        if (!v.primary.status) {
          continue;
        }
        for (const auto& state : v.user_ids) {
          if (state.user_id->text() == text) {
            status = &state.status;
          }
        }
        ASSERT_NE(status, nullptr) << uid << ": gpg lists user ID " << text;
      }
      const std::string where = uid + " " + kind;
      if (letter == 'r') {
        ASSERT_FALSE(*status) << where;
        EXPECT_TRUE(status->error().code == openpgp::Errc::key_revoked ||
                    status->error().code == openpgp::Errc::user_id_revoked)
            << where << ": " << status->error().message();
      } else if (letter == 'e') {
        ASSERT_FALSE(*status) << where;
        EXPECT_EQ(status->error().code, openpgp::Errc::key_expired) << where;
      } else if (kind == "pub" || !(!v.primary.status)) {
        EXPECT_TRUE(*status) << where << " gpg '" << letter << "': " << status->error().message();
      }
    }
  }
}

TEST_F(GpgFixtures, CertificationVerdictsAgreeWithGpgCheckSigs) {
  // gpg --check-sigs marks each signature '!' (good) or '-' (bad); every
  // good third-party certification verifies for us too.
  for (const std::string domain : {"ed.example", "rsa.example", "p256.example", "rsa3.example"}) {
    const auto out =
        gpg({"--with-colons", "--check-sigs", fprs_.at("xmpp:" + domain)}, {}, kJudged).out;
    EXPECT_NE(out.find("sig:!::"), std::string::npos) << out;
    EXPECT_EQ(out.find("sig:-::"), std::string::npos) << out;
    EXPECT_TRUE(verdict(domain)) << domain;
  }
}

TEST_F(GpgFixtures, SerializedCertificatesImportIntoGpgWithEveryCertificationGood) {
  pgptls::test::TempDir other;
  pgptls::test::ToolOptions options;
  options.env["GNUPGHOME"] = other.path().string();
  for (const std::string uid : {"xmpp:ed.example", "xmpp:p256.example", "xmpp:rsa3.example"}) {
    const openpgp::Cert c = cert(uid);
    auto bytes = c.serialize();
    ASSERT_TRUE(bytes);
    options.stdin_data = openpgp::encode_armor("PGP PUBLIC KEY BLOCK", *bytes);
    auto imported = pgptls::test::run_tool({"gpg", "--batch", "--import"}, options);
    ASSERT_TRUE(imported.ok()) << imported.describe();
  }
  options.stdin_data.clear();
  for (const std::string uid : {"CA <ca@example.invalid>", "CA-RSA <ca-rsa@example.invalid>"}) {
    options.stdin_data = gpg({"--export", "--armor", fprs_.at(uid)}).out;
    ASSERT_TRUE(pgptls::test::run_tool({"gpg", "--batch", "--import"}, options).ok());
  }
  options.stdin_data.clear();
  auto checked = pgptls::test::run_tool(
      {"gpg", "--batch", "--faked-system-time", kJudged, "--with-colons", "--check-sigs"}, options);
  ASSERT_TRUE(checked.ok()) << checked.describe();
  EXPECT_EQ(checked.out.find("sig:-"), std::string::npos) << checked.out;
  EXPECT_EQ(checked.out.find("sig:%"), std::string::npos) << checked.out;
  EXPECT_NE(checked.out.find("sig:!"), std::string::npos) << checked.out;
}

TEST_F(GpgFixtures, SqCertifiedKeyIsAccepted) {
  if (!pgptls::test::has_tool("sq")) {
    GTEST_SKIP() << "sq is not installed";
  }
  pgptls::test::TempDir dir;
  const auto ca_secret = gpg({"--export-secret-keys", fprs_.at("CA <ca@example.invalid>")}).out;
  { std::ofstream(dir.file("ca.pgp"), std::ios::binary) << ca_secret; }
  using pgptls::test::run_tool;
  auto gen = run_tool({"sq", "key", "generate", "--userid", "xmpp:sq.example", "--can-authenticate",
                       "--export", dir.file("key.pgp").string()});
  ASSERT_TRUE(gen.ok()) << gen.describe();
  auto extract = run_tool({"sq", "key", "extract-cert", "--output", dir.file("cert.pgp").string(),
                           dir.file("key.pgp").string()});
  ASSERT_TRUE(extract.ok()) << extract.describe();
  auto certified =
      run_tool({"sq", "certify", "--output", dir.file("certified.pgp").string(),
                dir.file("ca.pgp").string(), dir.file("cert.pgp").string(), "xmpp:sq.example"});
  ASSERT_TRUE(certified.ok()) << certified.describe();
  auto parsed = openpgp::parse_certificate(test::read_file_bytes(dir.file("certified.pgp")));
  ASSERT_TRUE(parsed) << parsed.error().message();
  const std::vector<Authority> authorities{authority("CA <ca@example.invalid>")};
  // sq makes its keys with the real clock: judge them a minute from now.
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) +
                   std::chrono::seconds(60);
  auto v = check_peer(*parsed, "sq.example", authorities, Policy::standard(), now);
  ASSERT_TRUE(v) << v.error().message();
  EXPECT_FALSE(v->keys.empty());
}

TEST_F(GpgFixtures, EveryFixtureRoundTripsAndCanSeedTheFuzzer) {
  // Every certificate gpg made here parses strictly and serializes back to
  // bytes that parse to the same fingerprint. With PGPTLS_WRITE_SEEDS=<dir>
  // the exports are also stored as fuzz seeds (how fuzz/corpus/keyring_cert
  // was made).
  const char* seed_dir = std::getenv("PGPTLS_WRITE_SEEDS");
  ASSERT_FALSE(fprs_.empty());
  int n = 0;
  for (const auto& [uid, fpr] : fprs_) {
    SCOPED_TRACE(uid);
    const std::string exported = gpg({"--export", fpr}).out;
    auto parsed = openpgp::parse_certificate(as_bytes_view(exported));
    ASSERT_TRUE(parsed.ok()) << parsed.error().message();
    EXPECT_EQ(base::hex_encode_upper(parsed->fingerprint()), fpr);
    auto serialized = parsed->serialize();
    ASSERT_TRUE(serialized.ok()) << serialized.error().message();
    auto again = openpgp::parse_certificate(*serialized);
    ASSERT_TRUE(again.ok()) << again.error().message();
    EXPECT_EQ(again->fingerprint(), parsed->fingerprint());
    if (seed_dir != nullptr) {
      std::ofstream(std::filesystem::path(seed_dir) / ("gpg-" + std::to_string(n++) + ".pgp"),
                    std::ios::binary)
          << exported;
    }
  }
}

}  // namespace
}  // namespace pgptls::keyring
