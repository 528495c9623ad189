#include "openpgp/cert.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "base/encoding.h"
#include "keyring/keyring_store.h"
#include "openpgp/errors.h"
#include "tests/support/test_files.h"

namespace pgptls::openpgp {
namespace {

std::map<std::string, std::string> fingerprints() {
  std::ifstream in(test::data_dir() / "gnutls-3.5" / "keys" / "FINGERPRINTS.txt");
  std::map<std::string, std::string> out;
  std::string name;
  std::string fpr;
  while (in >> name >> fpr) {
    out[name] = fpr;
  }
  return out;
}

TEST(Cert, GnuTls35KeysParseWithTheirPublishedFingerprints) {
  const auto expected = fingerprints();
  ASSERT_EQ(expected.size(), 8U);
  for (const auto& [name, fpr] : expected) {
    for (const std::string suffix : {".pub.asc", ".sec.asc"}) {
      const Bytes input = test::gnutls_key(name + suffix);
      if (input.empty()) {
        continue;  // not every key has a secret file
      }
      auto cert = parse_certificate(input);
      ASSERT_TRUE(cert) << name << suffix << ": " << cert.error().message();
      EXPECT_EQ(cert->fingerprint_hex(), fpr) << name;
      EXPECT_EQ(cert->primary.key_id_hex(), fpr.substr(24)) << name;
      EXPECT_FALSE(cert->user_ids.empty());
      EXPECT_TRUE(cert->unknown.empty());
    }
  }
}

TEST(Cert, Sub3HasItsSubkeysAndUserId) {
  auto cert = parse_certificate(test::gnutls_key("sub3-a.pub.gpg"));
  ASSERT_TRUE(cert) << cert.error().message();
  ASSERT_EQ(cert->user_ids.size(), 1U);
  EXPECT_EQ(cert->user_ids[0].text(), "xmpp:sub3-a.example");
  ASSERT_EQ(cert->subkeys.size(), 2U);
  EXPECT_NE(cert->find_key(*base::hex_decode("8E622E61C5955DD4")), nullptr);
  EXPECT_EQ(cert->primary.algorithm, PublicKeyAlgorithm::rsa);
  EXPECT_EQ(cert->primary.bits(), 3072U);
  for (const auto& sub : cert->subkeys) {
    EXPECT_EQ(sub.key.bits(), 2048U);
    ASSERT_EQ(sub.signatures.size(), 1U);
    EXPECT_EQ(sub.signatures[0].type, SignatureType::subkey_binding);
  }
}

TEST(Cert, Ed25519AndDsaKeysParse) {
  auto ed = parse_certificate(test::gnutls_key("ed-a.pub.gpg"));
  ASSERT_TRUE(ed) << ed.error().message();
  EXPECT_EQ(ed->primary.algorithm, PublicKeyAlgorithm::eddsa_legacy);
  EXPECT_EQ(ed->primary.curve, Curve::ed25519_legacy);
  EXPECT_TRUE(to_gnutls_pubkey(ed->primary));
  auto dsa = parse_certificate(test::gnutls_key("dsa-a.pub.gpg"));
  ASSERT_TRUE(dsa) << dsa.error().message();
  EXPECT_EQ(dsa->primary.algorithm, PublicKeyAlgorithm::dsa);
  EXPECT_EQ(dsa->primary.bits(), 2048U);
  EXPECT_TRUE(to_gnutls_pubkey(dsa->primary));
}

TEST(Cert, SerializeRoundTrips) {
  auto cert = parse_certificate(test::gnutls_key("sub3-a.pub.gpg"));
  ASSERT_TRUE(cert);
  auto bytes = cert->serialize();
  ASSERT_TRUE(bytes);
  auto again = parse_certificate(*bytes);
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(again->fingerprint(), cert->fingerprint());
  auto bytes2 = again->serialize();
  ASSERT_TRUE(bytes2);
  EXPECT_EQ(*bytes, *bytes2);
}

TEST(Cert, ReadsSeveralCertificatesFromOneFile) {
  auto certs = parse_certificates(test::gnutls_key("signer+b.pub.asc"));
  ASSERT_TRUE(certs) << certs.error().message();
  ASSERT_EQ(certs->size(), 2U);
  const auto fprs = fingerprints();
  EXPECT_EQ((*certs)[0].fingerprint_hex(), fprs.at("signer"));
  EXPECT_EQ((*certs)[1].fingerprint_hex(), fprs.at("b"));
  auto one = parse_certificate(test::gnutls_key("signer+b.pub.asc"));
  ASSERT_FALSE(one);
  EXPECT_NE(one.error().message().find("expected one certificate, found 2"), std::string::npos);
}

TEST(Cert, MergeIsAUnion) {
  auto full = parse_certificate(test::gnutls_key("sub3-a.pub.gpg"));
  ASSERT_TRUE(full);
  Cert part1 = *full;
  part1.subkeys.pop_back();
  Cert part2 = *full;
  part2.subkeys.erase(part2.subkeys.begin());
  part2.user_ids[0].signatures.erase(part2.user_ids[0].signatures.begin());
  auto merged = merge(part1, part2);
  ASSERT_TRUE(merged);
  EXPECT_EQ(merged->subkeys.size(), 2U);
  EXPECT_EQ(merged->user_ids[0].signatures.size(), full->user_ids[0].signatures.size());
  auto other = parse_certificate(test::gnutls_key("b.pub.gpg"));
  ASSERT_TRUE(other);
  auto bad = merge(*full, *other);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::invalid_argument);
}

// The one merge rule for a certificate presented from outside while the
// keyring holds a copy (a peer's handshake, --authority, verify-cert).
TEST(Cert, WithKeyringCopyAddsWhatOnlyTheKeyringHolds) {
  auto full = parse_certificate(test::gnutls_key("sub3-a.pub.gpg"));
  ASSERT_TRUE(full);
  Cert presented = *full;
  presented.subkeys.pop_back();
  Cert stored = *full;
  stored.subkeys.erase(stored.subkeys.begin());

  auto alone = keyring::with_keyring_copy(presented, nullptr);
  ASSERT_TRUE(alone);
  EXPECT_EQ(alone->subkeys.size(), 1U);

  auto merged = keyring::with_keyring_copy(presented, &stored);
  ASSERT_TRUE(merged) << merged.error().message();
  EXPECT_EQ(merged->subkeys.size(), 2U);

  keyring::KeyringStore store;
  ASSERT_TRUE(store.load_bytes(test::gnutls_key("sub3-a.pub.gpg"), "sub3-a.pub.gpg"));
  auto from_store = keyring::with_keyring_copy(presented, store);
  ASSERT_TRUE(from_store) << from_store.error().message();
  EXPECT_EQ(from_store->subkeys.size(), 2U);
  keyring::KeyringStore empty;
  auto not_stored = keyring::with_keyring_copy(presented, empty);
  ASSERT_TRUE(not_stored);
  EXPECT_EQ(not_stored->subkeys.size(), 1U);
}

TEST(Cert, WithKeyringCopyRefusesCopiesThatDoNotCombine) {
  auto presented = parse_certificate(test::gnutls_key("sub3-a.pub.gpg"));
  auto other = parse_certificate(test::gnutls_key("b.pub.gpg"));
  ASSERT_TRUE(presented);
  ASSERT_TRUE(other);
  auto bad = keyring::with_keyring_copy(*presented, &*other);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::invalid_argument);
  EXPECT_NE(bad.error().message().find(presented->fingerprint_hex() +
                                       " cannot be combined with the keyring's copy"),
            std::string::npos)
      << bad.error().message();
}

TEST(Cert, StructureErrorsNameTheOffset) {
  // A signature packet before any key.
  Bytes sig_first = test::gnutls_key("b.pub.gpg");
  auto packets = split_packets(sig_first);
  ASSERT_TRUE(packets);
  const RawPacket& uid = (*packets)[1];
  Bytes only_uid(sig_first.begin() + static_cast<std::ptrdiff_t>(uid.offset), sig_first.end());
  auto bad = parse_certificates(only_uid);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::malformed_certificate);
  EXPECT_NE(bad.error().message().find("offset 0"), std::string::npos);
  // The lenient reader still finds the certificate after the garbage.
  Bytes both = only_uid;
  const Bytes a = test::gnutls_key("a.pub.gpg");
  both.insert(both.end(), a.begin(), a.end());
  const KeyringParse lenient = parse_keyring(both);
  ASSERT_EQ(lenient.certs.size(), 1U);
  EXPECT_EQ(lenient.errors.size(), 1U);
}

TEST(Cert, TruncationAtEveryByteNeverCrashes) {
  const Bytes binary = test::gnutls_key("sub3-a.pub.gpg");
  for (std::size_t cut = 0; cut < binary.size(); ++cut) {
    auto certs = parse_certificates(ByteView(binary).first(cut));
    if (certs) {
      // Cutting between packets leaves a shorter, well-formed sequence.
      EXPECT_EQ((*certs)[0].fingerprint_hex(), "F07AECCFFA94C967B8728C0F42E123496CE81712");
    } else {
      EXPECT_FALSE(certs.error().message().empty());
    }
  }
}

}  // namespace
}  // namespace pgptls::openpgp

namespace pgptls::openpgp {
namespace {

TEST(Cert, MarkerTrustAndPaddingPacketsAreSkipped) {
  const Bytes original = test::gnutls_key("b.pub.gpg");
  auto packets = split_packets(original);
  ASSERT_TRUE(packets);
  base::ByteWriter writer;
  // RFC 9580 §5.8: a marker packet holds "PGP"; §5.10 trust packets are
  // implementation-defined; §5.14 padding is random.
  write_packet(writer, PacketTag::marker, as_bytes_view("PGP"));
  for (const auto& p : *packets) {
    write_packet(writer, p.tag, p.body);
    write_packet(writer, PacketTag::trust, as_bytes_view("\x05\x00"));
  }
  write_packet(writer, PacketTag::padding, as_bytes_view("0123456789"));
  auto bytes = std::move(writer).finish();
  ASSERT_TRUE(bytes);
  auto cert = parse_certificate(*bytes);
  ASSERT_TRUE(cert) << cert.error().message();
  EXPECT_TRUE(cert->unknown.empty());
  auto plain = parse_certificate(original);
  ASSERT_TRUE(plain);
  EXPECT_EQ(*cert->serialize(), *plain->serialize());
}

}  // namespace
}  // namespace pgptls::openpgp
