// Validation and check_peer on the GnuTLS 3.5 reference keys (made by
// GnuPG 2.2.40): a, b, sub3-a, ed-a, dsa-a are certified by signer.
#include "keyring/authority.h"

#include <gtest/gtest.h>

#include "base/encoding.h"
#include "keyring/domain.h"
#include "keyring/peer_cache.h"
#include "keyring/validate.h"
#include "openpgp/errors.h"
#include "openpgp/verify.h"
#include "tests/support/test_files.h"

namespace pgptls::keyring {
namespace {

// The reference keys were made at 2026-11-28; judge them a month later.
const base::Seconds kNow = *base::parse_utc("2026-12-28T00:00:00Z");

openpgp::Cert load(const std::string& name) {
  auto cert = openpgp::parse_certificate(test::gnutls_key(name + ".pub.asc"));
  EXPECT_TRUE(cert) << name << ": " << cert.error().message();
  return cert ? std::move(*cert) : openpgp::Cert{};
}

class ReferenceKeys : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    signer_ = new Authority{load("signer"), {}};
    stranger_ = new Authority{load("stranger"), {}};
  }
  static void TearDownTestSuite() {
    delete signer_;
    delete stranger_;
  }
  static std::vector<Authority> signer_only() { return {*signer_}; }
  static Authority* signer_;
  static Authority* stranger_;
};
Authority* ReferenceKeys::signer_ = nullptr;
Authority* ReferenceKeys::stranger_ = nullptr;

TEST_F(ReferenceKeys, EveryReferenceKeyValidates) {
  for (const std::string name :
       {"a", "b", "sub3-a", "ed-a", "dsa-a", "signer", "stranger", "unsigned"}) {
    const openpgp::Cert cert = load(name);
    const ValidatedCert v = validate(cert, Policy::standard(), kNow);
    EXPECT_TRUE(v.primary.status) << name << ": " << v.primary.status.error().message();
    for (const auto& uid : v.user_ids) {
      EXPECT_TRUE(uid.status) << name;
    }
    for (const auto& sub : v.subkeys) {
      EXPECT_TRUE(sub.status) << name << ": " << sub.status.error().message();
    }
  }
}

TEST_F(ReferenceKeys, CertifiedKeysAreAcceptedUnderSigner) {
  const auto authorities = signer_only();
  for (const std::string name : {"a", "b", "sub3-a", "ed-a", "dsa-a"}) {
    const openpgp::Cert cert = load(name);
    auto verdict =
        check_peer(cert, name + ".example", authorities, Policy::gnutls35_compatible(), kNow);
    ASSERT_TRUE(verdict) << name << ": " << verdict.error().message();
    EXPECT_EQ(verdict->authority_fingerprint, signer_->cert.fingerprint());
    EXPECT_EQ(verdict->user_id, "xmpp:" + name + ".example");
    EXPECT_FALSE(verdict->keys.empty());
  }
}

TEST_F(ReferenceKeys, Sub3AuthenticatesWithItsSigningSubkey) {
  const openpgp::Cert cert = load("sub3-a");
  const ValidatedCert v = validate(cert, Policy::standard(), kNow);
  ASSERT_EQ(v.subkeys.size(), 2U);
  EXPECT_EQ(v.subkeys[0].flags, openpgp::key_flags::sign | openpgp::key_flags::authenticate);
  const Bytes id = *base::hex_decode("8E622E61C5955DD4");
  auto key = select_authentication_key(v, id, Policy::standard());
  ASSERT_TRUE(key) << key.error().message();
  EXPECT_EQ((*key)->key_id_hex(), "8E622E61C5955DD4");
  // The certify-only primary may not authenticate.
  auto primary = select_authentication_key(v, cert.primary.key_id, Policy::standard());
  ASSERT_FALSE(primary);
  EXPECT_EQ(primary.error().code, openpgp::Errc::no_usable_key);
  // The encryption subkey neither.
  auto enc = select_authentication_key(v, cert.subkeys[1].key.fingerprint, Policy::standard());
  ASSERT_FALSE(enc);
  EXPECT_EQ(enc.error().code, openpgp::Errc::no_usable_key);
  auto missing =
      select_authentication_key(v, *base::hex_decode("0102030405060708"), Policy::standard());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, openpgp::Errc::not_found);
  auto own = select_own_authentication_key(v, Policy::standard(),
                                           [](const openpgp::PublicKey&) { return true; });
  ASSERT_TRUE(own);
  EXPECT_EQ((*own)->key_id_hex(), "8E622E61C5955DD4");
  auto none = select_own_authentication_key(v, Policy::standard(),
                                            [](const openpgp::PublicKey&) { return false; });
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, openpgp::Errc::no_usable_key);
}

TEST_F(ReferenceKeys, UnsignedIsRejectedAsNotCertified) {
  auto verdict = check_peer(load("unsigned"), "unsigned.example", signer_only(),
                            Policy::gnutls35_compatible(), kNow);
  ASSERT_FALSE(verdict);
  EXPECT_EQ(verdict.error().code, openpgp::Errc::not_certified);
  EXPECT_NE(verdict.error().message().find("not certified by any configured authority"),
            std::string::npos);
}

TEST_F(ReferenceKeys, StrangerAloneDoesNotVouchForA) {
  const std::vector<Authority> authorities{*stranger_};
  auto verdict = check_peer(load("a"), "a.example", authorities, Policy::standard(), kNow);
  ASSERT_FALSE(verdict);
  EXPECT_EQ(verdict.error().code, openpgp::Errc::not_certified);
  auto self = check_peer(stranger_->cert, "a.example", signer_only(), Policy::standard(), kNow);
  ASSERT_FALSE(self);
  EXPECT_EQ(self.error().code, openpgp::Errc::no_matching_user_id);
}

TEST_F(ReferenceKeys, OtherDomainAndScopeAreRejected) {
  const openpgp::Cert a = load("a");
  auto other = check_peer(a, "b.example", signer_only(), Policy::standard(), kNow);
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, openpgp::Errc::no_matching_user_id);
  const std::vector<Authority> scoped{{signer_->cert, {"*.example.org", "b.example"}}};
  auto out = check_peer(a, "a.example", scoped, Policy::standard(), kNow);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, openpgp::Errc::out_of_scope);
  EXPECT_NE(out.error().message().find("outside its scope"), std::string::npos);
  const std::vector<Authority> in{{signer_->cert, {"?.example"}}};
  EXPECT_TRUE(check_peer(a, "A.Example", in, Policy::standard(), kNow));
  auto idn = check_peer(a, "ä.example", in, Policy::standard(), kNow);
  ASSERT_FALSE(idn);
  EXPECT_EQ(idn.error().code, openpgp::Errc::invalid_argument);
}

TEST_F(ReferenceKeys, SignOnlyKeysNeedTheGnuTls35Policy) {
  // a is [SCA]: fine under both. Remove the A flag by choosing a policy
  // check directly on the subkey of sub3-a, flagged [SA]: fine; b is [SCA].
  const openpgp::Cert b = load("b");
  const ValidatedCert v = validate(b, Policy::standard(), kNow);
  EXPECT_TRUE(is_authentication_capable(v, v.primary, Policy::standard()));
  KeyState sign_only = v.primary;
  sign_only.flags = openpgp::key_flags::sign;
  EXPECT_FALSE(is_authentication_capable(v, sign_only, Policy::standard()));
  EXPECT_TRUE(is_authentication_capable(v, sign_only, Policy::gnutls35_compatible()));
}

TEST_F(ReferenceKeys, BeforeTheKeysExistedNothingIsValid) {
  const auto before = *base::parse_utc("2020-01-01");
  auto verdict = check_peer(load("a"), "a.example", signer_only(), Policy::standard(), before);
  ASSERT_FALSE(verdict);
  EXPECT_EQ(verdict.error().code, openpgp::Errc::no_valid_self_signature);
}

TEST_F(ReferenceKeys, StrictPolicyRejectsRsa2048) {
  auto verdict = check_peer(load("b"), "b.example", signer_only(), Policy::strict(), kNow);
  ASSERT_FALSE(verdict);
  EXPECT_EQ(verdict.error().code, openpgp::Errc::rejected_by_policy);
  EXPECT_NE(verdict.error().message().find("2048-bit RSA is below the minimum of 3072"),
            std::string::npos);
}

// Hostile changes to real certificates.

TEST_F(ReferenceKeys, FlippedBitsInTheCertificationAreRejected) {
  openpgp::Cert a = load("a");
  auto& sigs = a.user_ids[0].signatures;
  auto it = std::find_if(sigs.begin(), sigs.end(), [&](const openpgp::Signature& s) {
    return s.names_issuer(signer_->cert.primary);
  });
  ASSERT_NE(it, sigs.end());
  it->fields[0][10] ^= 0x01;
  auto verdict = check_peer(a, "a.example", signer_only(), Policy::standard(), kNow);
  ASSERT_FALSE(verdict);
  EXPECT_EQ(verdict.error().code, openpgp::Errc::bad_signature);
  EXPECT_NE(verdict.error().message().find("does not verify"), std::string::npos);
}

TEST_F(ReferenceKeys, FlippedBitsInTheSelfSignatureInvalidateTheKey) {
  openpgp::Cert a = load("a");
  for (auto& sig : a.user_ids[0].signatures) {
    if (sig.names_issuer(a.primary)) {
      sig.fields[0][5] ^= 0x80;
    }
  }
  const ValidatedCert v = validate(a, Policy::standard(), kNow);
  ASSERT_FALSE(v.primary.status);
  EXPECT_EQ(v.primary.status.error().code, openpgp::Errc::no_valid_self_signature);
}

TEST_F(ReferenceKeys, SwappedSubkeyBindingsInvalidateBothSubkeys) {
  openpgp::Cert cert = load("sub3-a");
  std::swap(cert.subkeys[0].signatures, cert.subkeys[1].signatures);
  const ValidatedCert v = validate(cert, Policy::standard(), kNow);
  EXPECT_TRUE(v.primary.status);
  for (const auto& sub : v.subkeys) {
    ASSERT_FALSE(sub.status);
    EXPECT_NE(sub.status.error().message().find("no valid binding signature"), std::string::npos);
  }
  auto verdict = check_peer(cert, "sub3-a.example", signer_only(), Policy::standard(), kNow);
  ASSERT_FALSE(verdict);
  EXPECT_EQ(verdict.error().code, openpgp::Errc::no_usable_key);
}

TEST_F(ReferenceKeys, SigningSubkeyWithoutItsBackSignatureIsRejected) {
  openpgp::Cert cert = load("sub3-a");
  auto& binding = cert.subkeys[0].signatures[0];
  ASSERT_NE(binding.embedded, nullptr);
  // A back-signature by the wrong key: the encryption subkey's binding
  // stands in for it (it is a real signature, but not a 0x19 by this key).
  auto wrong = std::make_shared<openpgp::Signature>(*binding.embedded);
  wrong->fields = cert.subkeys[1].signatures[0].fields;
  binding.embedded = wrong;
  ValidatedCert v = validate(cert, Policy::standard(), kNow);
  ASSERT_FALSE(v.subkeys[0].status);
  EXPECT_NE(v.subkeys[0].status.error().message().find("back-signature"), std::string::npos);
  binding.embedded.reset();
  v = validate(cert, Policy::standard(), kNow);
  ASSERT_FALSE(v.subkeys[0].status);
  EXPECT_NE(v.subkeys[0].status.error().message().find("back-signature"), std::string::npos);
}

TEST_F(ReferenceKeys, UnknownCriticalSubpacketInvalidatesTheCertification) {
  openpgp::Cert a = load("a");
  for (auto& sig : a.user_ids[0].signatures) {
    if (sig.names_issuer(signer_->cert.primary)) {
      // Re-parse the signature with a critical private subpacket (type 100)
      // appended to its hashed area.
      Bytes body = sig.body;
      const std::size_t hashed_len = (std::size_t{body[4]} << 8) | body[5];
      const Bytes extra = {2, 0x80 | 100, 0x00};
      body.insert(body.begin() + 6 + static_cast<std::ptrdiff_t>(hashed_len), extra.begin(),
                  extra.end());
      const std::size_t new_len = hashed_len + extra.size();
      body[4] = static_cast<std::uint8_t>(new_len >> 8);
      body[5] = static_cast<std::uint8_t>(new_len);
      auto reparsed = openpgp::parse_signature(body);
      ASSERT_TRUE(reparsed) << reparsed.error().message();
      EXPECT_TRUE(reparsed->has_unknown_critical);
      sig = *reparsed;
    }
  }
  auto verdict = check_peer(a, "a.example", signer_only(), Policy::standard(), kNow);
  ASSERT_FALSE(verdict);
  EXPECT_EQ(verdict.error().code, openpgp::Errc::unknown_critical_subpacket);
  EXPECT_NE(verdict.error().message().find("critical subpacket type 100"), std::string::npos);
}

// PeerCache answers only inside a verdict's window [from, until), drops a
// passed entry, and keeps at most its capacity (least recently used out).
TEST(PeerCache, AnswersOnlyInsideTheWindowAndStaysBounded) {
  PeerCache<int> cache(2);
  cache.store("a", 1, kNow, kNow + std::chrono::seconds(10));
  EXPECT_EQ(cache.find("a", kNow), 1);
  EXPECT_EQ(cache.find("a", kNow + std::chrono::seconds(9)), 1);
  EXPECT_EQ(cache.find("a", kNow - std::chrono::seconds(1)), std::nullopt);  // clock went back
  EXPECT_EQ(cache.find("a", kNow + std::chrono::seconds(10)), std::nullopt);
  EXPECT_EQ(cache.size(), 0U);  // a passed window is dropped
  EXPECT_EQ(cache.hits(), 2U);
  EXPECT_EQ(cache.misses(), 2U);
  cache.store("empty", 0, kNow, kNow);  // an empty window stores nothing
  EXPECT_EQ(cache.size(), 0U);
  cache.store("a", 1, kNow, kNoValidityChange);
  cache.store("b", 2, kNow, kNoValidityChange);
  EXPECT_EQ(cache.find("a", kNow), 1);  // "b" is now the least recently used
  cache.store("c", 3, kNow, kNoValidityChange);
  EXPECT_EQ(cache.size(), 2U);
  EXPECT_EQ(cache.find("b", kNow), std::nullopt);
  EXPECT_EQ(cache.find("a", kNow), 1);
  EXPECT_EQ(cache.find("c", kNow), 3);
}

// validity_change_after: the verdict at any time before the next change
// equals the verdict at now; and it is the first creation or expiry after
// now (reference keys without expiry: the next creation is none).
TEST_F(ReferenceKeys, ValidityChangesAtCreationAndExpiryInstants) {
  const openpgp::Cert a = load("a");
  const auto authorities = signer_only();
  // Before the key existed, the next change is its creation.
  const base::Seconds before(std::chrono::seconds(a.primary.creation_time - 100));
  EXPECT_EQ(validity_change_after(a, before),
            base::Seconds(std::chrono::seconds(a.primary.creation_time)));
  const base::Seconds change =
      std::min(validity_change_after(a, kNow), validity_change_after(authorities, kNow));
  EXPECT_GT(change, kNow);
  const auto at_now = check_peer(a, "a.example", authorities, Policy::standard(), kNow);
  ASSERT_TRUE(at_now) << at_now.error().message();
  if (change != kNoValidityChange) {
    const auto just_before = check_peer(a, "a.example", authorities, Policy::standard(),
                                        change - std::chrono::seconds(1));
    EXPECT_TRUE(just_before);
  }
}

TEST(Domains, XmppUserIdsParse) {
  EXPECT_EQ(xmpp_domain_of("xmpp:a.example"), "a.example");
  EXPECT_EQ(xmpp_domain_of("XMPP:A.Example."), "a.example");
  EXPECT_EQ(xmpp_domain_of("Server A <xmpp:a.example>"), "a.example");
  EXPECT_EQ(xmpp_domain_of("Server A <admin@a.example>"), std::nullopt);
  EXPECT_EQ(xmpp_domain_of("xmpp:a..example"), std::nullopt);
  EXPECT_EQ(xmpp_domain_of("xmpp:bücher.example"), std::nullopt);
  EXPECT_EQ(xmpp_domain_of("xmpp:xn--bcher-kva.example"), "xn--bcher-kva.example");
  EXPECT_EQ(xmpp_domain_of("xmpp:user@a.example"), std::nullopt);
}

TEST(Domains, ScopesFollowOpenSshPatterns) {
  EXPECT_TRUE(in_scope({}, "anything.example"));
  EXPECT_TRUE(in_scope({"example.org"}, "example.org"));
  EXPECT_FALSE(in_scope({"example.org"}, "a.example.org"));
  EXPECT_TRUE(in_scope({"*.example.org"}, "a.b.example.org"));
  EXPECT_FALSE(in_scope({"*.example.org"}, "example.org"));
  EXPECT_FALSE(in_scope({"*.example.org", "!bad.example.org"}, "bad.example.org"));
  EXPECT_TRUE(in_scope({"*.EXAMPLE.org"}, "ok.example.org"));
  auto bad = normalize_domain("exa mple.org");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("not a valid DNS name"), std::string::npos);
}

}  // namespace
}  // namespace pgptls::keyring

namespace pgptls::keyring {
namespace {

TEST(HostileInput, FlippedBitAtEveryOctetNeverCrashesAndNeverValidatesAChangedSignature) {
  const Bytes original = test::gnutls_key("ed-a.pub.gpg");
  const auto now = *base::parse_utc("2026-12-28");
  auto reference = openpgp::parse_certificate(original);
  ASSERT_TRUE(reference);
  for (std::size_t i = 0; i < original.size(); ++i) {
    Bytes changed = original;
    changed[i] ^= static_cast<std::uint8_t>(1U << (i % 8));
    const openpgp::KeyringParse parsed = openpgp::parse_keyring(changed);
    for (const openpgp::Cert& cert : parsed.certs) {
      const ValidatedCert v = validate(cert, Policy::standard(), now);
      if (!v.primary.status || cert.fingerprint() != reference->fingerprint()) {
        continue;
      }
      // Still valid: then the flip hit only bytes no signature covers
      // (unhashed subpackets, packet framing) and every valid self-signature
      // is one of the original ones.
      for (const auto& uid : v.user_ids) {
        if (uid.self_signature == nullptr) {
          continue;
        }
        bool known = false;
        for (const auto& sig : reference->user_ids[0].signatures) {
          known = known || (sig.hashed_area == uid.self_signature->hashed_area &&
                            sig.fields == uid.self_signature->fields);
        }
        EXPECT_TRUE(known) << "flip at " << i;
      }
    }
  }
}

TEST(HostileInput, SubpacketWith4GiBLengthIsMalformed) {
  auto a = openpgp::parse_certificate(test::gnutls_key("a.pub.gpg"));
  ASSERT_TRUE(a);
  Bytes body = a->user_ids[0].signatures[0].body;
  const std::size_t hashed_len = (std::size_t{body[4]} << 8) | body[5];
  const Bytes huge = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02};
  body.insert(body.begin() + 6 + static_cast<std::ptrdiff_t>(hashed_len), huge.begin(), huge.end());
  const std::size_t new_len = hashed_len + huge.size();
  body[4] = static_cast<std::uint8_t>(new_len >> 8);
  body[5] = static_cast<std::uint8_t>(new_len);
  auto sig = openpgp::parse_signature(body);
  ASSERT_FALSE(sig);
  EXPECT_EQ(sig.error().code, openpgp::Errc::malformed_packet);
  EXPECT_NE(sig.error().message().find("runs past its area"), std::string::npos);
}

TEST(HostileInput, UnparseableSubkeyBecomesAnUnknownEntry) {
  // A subkey packet with an unknown algorithm (99) does not hide the rest.
  auto a = openpgp::parse_certificate(test::gnutls_key("sub3-a.pub.gpg"));
  ASSERT_TRUE(a);
  openpgp::Cert changed = *a;
  auto bytes = changed.serialize();
  ASSERT_TRUE(bytes);
  auto packets = openpgp::split_packets(*bytes);
  ASSERT_TRUE(packets);
  Bytes edited = *bytes;
  for (const auto& p : *packets) {
    if (p.tag == 14) {
      // Algorithm octet: version(1) + time(4), then the algorithm.
      const std::size_t at = static_cast<std::size_t>(p.body.data() - bytes->data()) + 5;
      edited[at] = 99;
      break;
    }
  }
  auto cert = openpgp::parse_certificate(edited);
  ASSERT_TRUE(cert) << cert.error().message();
  EXPECT_EQ(cert->subkeys.size(), 1U);
  ASSERT_GE(cert->unknown.size(), 2U);  // the subkey and its binding
  EXPECT_EQ(cert->unknown[0].error.code, openpgp::Errc::unsupported_algorithm);
  EXPECT_TRUE(validate(*cert, Policy::standard(), *base::parse_utc("2026-12-28")).primary.status);
}

}  // namespace
}  // namespace pgptls::keyring
