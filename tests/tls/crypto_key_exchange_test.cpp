// ECDHE (RFC 8422, RFC 7748) against OpenSSL: for every group the test makes
// an OpenSSL key, both sides derive with `openssl pkeyutl -derive` and with
// pgptls, and the secrets must agree. Invalid peer keys are refused.
#include "tls/crypto/key_exchange.h"

#include <gtest/gtest.h>

#include <string>

#include "base/rng.h"
#include "tests/support/temp_dir.h"
#include "tests/tls/crypto_tools.h"
#include "tls/wire/errors.h"

namespace pgptls::tls {
namespace {

using test::read_binary;
using test::run_ok;
using test::write_binary;

struct GroupCase {
  NamedGroup group;
  std::vector<std::string> genpkey;  // openssl genpkey arguments
};

std::vector<GroupCase> group_cases() {
  return {
      {NamedGroup::x25519, {"-algorithm", "X25519"}},
      {NamedGroup::secp256r1,
       {"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-pkeyopt",
        "ec_param_enc:named_curve"}},
      {NamedGroup::secp384r1,
       {"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-pkeyopt",
        "ec_param_enc:named_curve"}},
  };
}

Bytes plain(const base::SecretBytes& secret) {
  return Bytes(secret.begin(), secret.end());
}

void expect_refused(const EcdheKeyPair& mine, ByteView peer, std::string_view text) {
  auto result = mine.shared_secret(peer);
  ASSERT_FALSE(result.ok()) << text;
  EXPECT_EQ(result.error().code, Errc::illegal_parameter);
  EXPECT_EQ(alert_for(result.error().code), AlertDescription::illegal_parameter);
  EXPECT_NE(result.error().message().find(text), std::string::npos) << result.error().message();
}

TEST(TlsKeyExchange, AgreesWithOpenSslOnEveryGroup) {
  const pgptls::test::TempDir dir;
  base::DeterministicRng rng(1);
  for (const GroupCase& c : group_cases()) {
    const std::string name(group_name(c.group));
    const auto their_key = dir.file(name + ".pem");
    std::vector<std::string> genpkey{"openssl", "genpkey", "-out", their_key.string()};
    genpkey.insert(genpkey.end(), c.genpkey.begin(), c.genpkey.end());
    run_ok(genpkey);
    const auto their_spki = dir.file(name + ".pub.der");
    run_ok({"openssl", "pkey", "-in", their_key.string(), "-pubout", "-outform", "DER", "-out",
            their_spki.string()});
    // The SubjectPublicKeyInfo ends with the raw key: 32 bytes for X25519,
    // the uncompressed point for the NIST curves.
    const Bytes spki = read_binary(their_spki);
    const std::size_t key_length = public_key_length(c.group);
    ASSERT_GT(spki.size(), key_length);
    const ByteView their_public = ByteView(spki).last(key_length);
    const ByteView spki_prefix = ByteView(spki).first(spki.size() - key_length);

    auto mine = EcdheKeyPair::generate(c.group, rng);
    ASSERT_TRUE(mine.ok()) << mine.error().message();
    ASSERT_EQ(mine->public_key().size(), key_length);
    auto ours = mine->shared_secret(their_public);
    ASSERT_TRUE(ours.ok()) << ours.error().message();

    // Our public key in the same SPKI wrapping, for OpenSSL to derive with.
    Bytes our_spki = to_bytes(spki_prefix);
    our_spki.insert(our_spki.end(), mine->public_key().begin(), mine->public_key().end());
    write_binary(dir.file(name + ".ours.der"), our_spki);
    const auto secret_file = dir.file(name + ".secret");
    run_ok({"openssl", "pkeyutl", "-derive", "-inkey", their_key.string(), "-peerkey",
            dir.file(name + ".ours.der").string(), "-peerform", "DER", "-out",
            secret_file.string()});
    EXPECT_EQ(plain(*ours), read_binary(secret_file)) << name;
    EXPECT_EQ(ours->size(), c.group == NamedGroup::secp384r1 ? 48u : 32u);
  }
}

TEST(TlsKeyExchange, TwoPairsAgreeAndFixedSeedsReproduce) {
  for (const NamedGroup group : supported_groups()) {
    base::DeterministicRng rng(7);
    base::DeterministicRng same(7);
    auto a = EcdheKeyPair::generate(group, rng);
    auto b = EcdheKeyPair::generate(group, rng);
    auto a_again = EcdheKeyPair::generate(group, same);
    ASSERT_TRUE(a.ok() && b.ok() && a_again.ok());
    EXPECT_EQ(to_bytes(a->public_key()), to_bytes(a_again->public_key()));
    EXPECT_NE(to_bytes(a->public_key()), to_bytes(b->public_key()));
    auto ab = a->shared_secret(b->public_key());
    auto ba = b->shared_secret(a->public_key());
    ASSERT_TRUE(ab.ok() && ba.ok());
    EXPECT_EQ(plain(*ab), plain(*ba));
  }
}

TEST(TlsKeyExchange, RefusesPointsOffTheCurveAndBadEncodings) {
  base::DeterministicRng rng(9);
  for (const NamedGroup group : {NamedGroup::secp256r1, NamedGroup::secp384r1}) {
    auto mine = EcdheKeyPair::generate(group, rng);
    auto peer = EcdheKeyPair::generate(group, rng);
    ASSERT_TRUE(mine.ok() && peer.ok());
    const Bytes valid = to_bytes(peer->public_key());

    Bytes off_curve = valid;
    off_curve.back() ^= 0x01;  // y + 1 or y - 1: not on the curve
    expect_refused(*mine, off_curve, "not a point on the curve");

    Bytes compressed(valid.begin(), valid.begin() + 1 + (valid.size() - 1) / 2);
    compressed[0] = 0x02 | (valid.back() & 1);
    expect_refused(*mine, compressed, "has " + std::to_string(compressed.size()) + " bytes");

    Bytes hybrid = valid;
    hybrid[0] = 0x06;
    expect_refused(*mine, hybrid, "not an uncompressed point");

    // The all-zero "point" (the encoding some stacks use for infinity).
    Bytes zero(valid.size(), 0);
    zero[0] = 0x04;
    expect_refused(*mine, zero, "not a point on the curve");
    expect_refused(*mine, {}, "has 0 bytes");
  }
}

TEST(TlsKeyExchange, RefusesLowOrderX25519Keys) {
  base::DeterministicRng rng(11);
  auto mine = EcdheKeyPair::generate(NamedGroup::x25519, rng);
  ASSERT_TRUE(mine.ok());
  // u = 0 and u = 1 are points of order 1 and 4 (RFC 7748 §6.1): the shared
  // secret is all zeros.
  Bytes zero(32, 0);
  expect_refused(*mine, zero, "low-order point");
  Bytes one(32, 0);
  one[0] = 1;
  expect_refused(*mine, one, "low-order point");
  expect_refused(*mine, Bytes(31, 9), "31 bytes instead of 32");
}

TEST(TlsKeyExchange, NamesAndLookups) {
  EXPECT_EQ(find_group(29), NamedGroup::x25519);
  EXPECT_EQ(find_group(23), NamedGroup::secp256r1);
  EXPECT_EQ(find_group(24), NamedGroup::secp384r1);
  EXPECT_FALSE(find_group(25).has_value());  // secp521r1 is not implemented
  EXPECT_EQ(group_name(NamedGroup::secp384r1), "secp384r1");
  EXPECT_EQ(public_key_length(NamedGroup::secp256r1), 65u);
  EXPECT_EQ(public_key_length(NamedGroup::secp384r1), 97u);
  auto short_key = EcdheKeyPair::from_private(NamedGroup::secp256r1, Bytes(31, 1));
  ASSERT_FALSE(short_key.ok());
  EXPECT_NE(short_key.error().message().find("must be 32 bytes"), std::string::npos);
  auto zero_key = EcdheKeyPair::from_private(NamedGroup::secp256r1, Bytes(32, 0));
  ASSERT_FALSE(zero_key.ok());
  EXPECT_NE(zero_key.error().message().find("out of range"), std::string::npos);
}

}  // namespace
}  // namespace pgptls::tls
