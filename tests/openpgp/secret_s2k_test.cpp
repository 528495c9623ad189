#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/encoding.h"
#include "openpgp/errors.h"
#include "openpgp/s2k.h"
#include "tests/support/process.h"

namespace pgptls::openpgp {
namespace {

const Bytes kSalt{0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};

Bytes specifier(std::uint8_t type, std::uint8_t hash, bool salted, int coded_count = -1) {
  Bytes bytes;
  bytes.reserve(11);
  bytes.push_back(type);
  bytes.push_back(hash);
  if (salted) {
    for (const std::uint8_t octet : kSalt) {
      bytes.push_back(octet);
    }
  }
  if (coded_count >= 0) {
    bytes.push_back(static_cast<std::uint8_t>(coded_count));
  }
  return bytes;
}

Bytes argon2_specifier(std::uint8_t passes, std::uint8_t lanes, std::uint8_t encoded_memory) {
  Bytes bytes{4};
  for (std::uint8_t i = 0; i < 16; ++i) {
    bytes.push_back(i);
  }
  bytes.push_back(passes);
  bytes.push_back(lanes);
  bytes.push_back(encoded_memory);
  return bytes;
}

Result<S2kSpecifier> parse(const Bytes& bytes) {
  base::ByteReader reader(bytes);
  auto s2k = read_s2k(reader);
  if (s2k.ok()) {
    EXPECT_TRUE(reader.empty()) << "read_s2k left bytes behind";
  }
  return s2k;
}

// digest_with_tool: the hex digest that coreutils' sha1sum/sha256sum computes
// over the data, so S2K outputs are checked against an independent hash.
std::string digest_with_tool(const std::string& tool, const std::string& data) {
  test::ToolOptions options;
  options.stdin_data = data;
  const test::ToolResult result = test::run_tool({tool}, options);
  EXPECT_TRUE(result.ok()) << result.describe();
  return result.out.substr(0, result.out.find(' '));
}

std::string hex(const base::SecretBytes& key) {
  return base::hex_encode(ByteView(key.data(), key.size()));
}

const std::string kPassphrase = "correct horse battery staple";

TEST(S2kParse, ReadsEachType) {
  auto simple = parse(specifier(0, 8, false));
  ASSERT_TRUE(simple.ok()) << simple.error().message();
  EXPECT_EQ(simple->type, S2kType::simple);
  EXPECT_EQ(simple->hash_algorithm, 8);

  auto salted = parse(specifier(1, 2, true));
  ASSERT_TRUE(salted.ok()) << salted.error().message();
  EXPECT_EQ(salted->salt, kSalt);

  auto iterated = parse(specifier(3, 2, true, 0x60));
  ASSERT_TRUE(iterated.ok()) << iterated.error().message();
  EXPECT_EQ(iterated->coded_count, 0x60);

  auto argon2 = parse(argon2_specifier(1, 4, 21));
  ASSERT_TRUE(argon2.ok()) << argon2.error().message();
  EXPECT_EQ(argon2->salt.size(), 16U);
  EXPECT_EQ(argon2->argon2_memory_kib(), std::uint64_t{1} << 21);
}

TEST(S2kParse, DecodesIteratedOctetCounts) {
  // RFC 9580 §3.7.1.3: count = (16 + (c & 15)) << ((c >> 4) + 6).
  S2kSpecifier s2k;
  s2k.coded_count = 0;
  EXPECT_EQ(s2k.iterated_octets(), 1024U);
  s2k.coded_count = 0x60;
  EXPECT_EQ(s2k.iterated_octets(), 65536U);
  s2k.coded_count = 0xFF;
  EXPECT_EQ(s2k.iterated_octets(), 65011712U);
}

TEST(S2kParse, ReadsGnuStubs) {
  auto dummy = parse({101, 0, 'G', 'N', 'U', 1});
  ASSERT_TRUE(dummy.ok()) << dummy.error().message();
  EXPECT_EQ(dummy->gnu_mode, GnuS2kMode::dummy);

  auto card = parse({101, 0, 'G', 'N', 'U', 2, 3, 0xD2, 0x76, 0x00});
  ASSERT_TRUE(card.ok()) << card.error().message();
  EXPECT_EQ(card->gnu_mode, GnuS2kMode::divert_to_card);
  EXPECT_EQ(card->card_serial, (Bytes{0xD2, 0x76, 0x00}));

  auto bad_magic = parse({101, 0, 'X', 'Y', 'Z', 1});
  ASSERT_FALSE(bad_magic.ok());
  EXPECT_EQ(bad_magic.error().code, Errc::unsupported_algorithm);

  auto bad_mode = parse({101, 0, 'G', 'N', 'U', 7});
  ASSERT_FALSE(bad_mode.ok());
  EXPECT_NE(bad_mode.error().message().find("mode 1007"), std::string::npos)
      << bad_mode.error().message();
}

TEST(S2kParse, RejectsUnknownTypeAndHash) {
  auto type = parse({2, 8});
  ASSERT_FALSE(type.ok());
  EXPECT_EQ(type.error().code, Errc::unsupported_algorithm);
  EXPECT_NE(type.error().message().find("type 2"), std::string::npos) << type.error().message();

  auto hash = parse(specifier(3, 99, true, 0x60));
  ASSERT_FALSE(hash.ok());
  EXPECT_EQ(hash.error().code, Errc::unsupported_algorithm);
  EXPECT_NE(hash.error().message().find("hash algorithm 99"), std::string::npos)
      << hash.error().message();
}

TEST(S2kParse, RejectsArgon2ParametersOutsideTheRfc) {
  // RFC 9580 §3.7.1.4: t and p non-zero; 3 + ceil(log2 p) <= encoded_m <= 31.
  for (const Bytes& bytes : {argon2_specifier(0, 1, 10), argon2_specifier(1, 0, 10),
                             argon2_specifier(1, 4, 4), argon2_specifier(1, 1, 32)}) {
    auto s2k = parse(bytes);
    ASSERT_FALSE(s2k.ok());
    EXPECT_EQ(s2k.error().code, Errc::malformed_packet);
    EXPECT_NE(s2k.error().message().find("Argon2"), std::string::npos) << s2k.error().message();
  }
  EXPECT_TRUE(parse(argon2_specifier(1, 4, 5)).ok());
}

TEST(S2kParse, TruncationAtEveryByteIsAnError) {
  for (const Bytes& full : {specifier(3, 8, true, 0x60), argon2_specifier(1, 4, 21),
                            Bytes{101, 0, 'G', 'N', 'U', 2, 2, 1, 2}}) {
    for (std::size_t size = 0; size < full.size(); ++size) {
      const Bytes cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(size));
      base::ByteReader reader(cut);
      EXPECT_FALSE(read_s2k(reader).ok()) << "accepted " << size << " of " << full.size();
    }
  }
}

TEST(S2kDerive, SimpleMatchesCoreutils) {
  auto s2k = parse(specifier(0, 8, false));
  ASSERT_TRUE(s2k.ok());
  auto key = derive_s2k_key(*s2k, as_bytes_view(kPassphrase), 32, S2kLimits{});
  ASSERT_TRUE(key.ok()) << key.error().message();
  EXPECT_EQ(hex(*key), digest_with_tool("sha256sum", kPassphrase));
}

TEST(S2kDerive, SaltedSha1LongKeyUsesPreloadedContexts) {
  // RFC 9580 §3.7.1.1: a 32-octet key from SHA-1 takes a second context
  // preloaded with one zero octet.
  auto s2k = parse(specifier(1, 2, true));
  ASSERT_TRUE(s2k.ok());
  auto key = derive_s2k_key(*s2k, as_bytes_view(kPassphrase), 32, S2kLimits{});
  ASSERT_TRUE(key.ok()) << key.error().message();
  const std::string salted(kSalt.begin(), kSalt.end());
  const std::string expected =
      digest_with_tool("sha1sum", salted + kPassphrase) +
      digest_with_tool("sha1sum", std::string(1, '\0') + salted + kPassphrase).substr(0, 24);
  EXPECT_EQ(hex(*key), expected);
}

TEST(S2kDerive, IteratedHashesTheOctetCount) {
  auto s2k = parse(specifier(3, 8, true, 0x10));  // 2048 octets
  ASSERT_TRUE(s2k.ok());
  auto key = derive_s2k_key(*s2k, as_bytes_view(kPassphrase), 16, S2kLimits{});
  ASSERT_TRUE(key.ok()) << key.error().message();
  std::string input;
  const std::string unit = std::string(kSalt.begin(), kSalt.end()) + kPassphrase;
  while (input.size() < 2048) {
    input += unit;
  }
  input.resize(2048);
  EXPECT_EQ(hex(*key), digest_with_tool("sha256sum", input).substr(0, 32));
}

TEST(S2kDerive, IteratedCountAboveTheLimitIsRefusedBeforeHashing) {
  auto s2k = parse(specifier(3, 2, true, 0xFF));
  ASSERT_TRUE(s2k.ok());
  S2kLimits limits;
  limits.max_iterated_octets = 1 << 20;
  auto key = derive_s2k_key(*s2k, as_bytes_view(kPassphrase), 16, limits);
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, Errc::rejected_by_policy);
  EXPECT_NE(key.error().message().find("65011712 exceeds the limit 1048576"), std::string::npos)
      << key.error().message();
}

TEST(S2kDerive, Argon2AboveTheLimitsIsRefusedBeforeAllocating) {
  // 2^31 KiB = 2 TiB would be fatal to allocate; the default cap stops it.
  auto huge = parse(argon2_specifier(1, 4, 31));
  ASSERT_TRUE(huge.ok());
  auto key = derive_s2k_key(*huge, as_bytes_view(kPassphrase), 32, S2kLimits{});
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, Errc::rejected_by_policy);
  EXPECT_NE(key.error().message().find("memory 2147483648 KiB"), std::string::npos)
      << key.error().message();

  auto many_passes = parse(argon2_specifier(200, 1, 10));
  ASSERT_TRUE(many_passes.ok());
  EXPECT_EQ(derive_s2k_key(*many_passes, as_bytes_view(kPassphrase), 32, S2kLimits{}).error().code,
            Errc::rejected_by_policy);
}

TEST(S2kDerive, SmallArgon2IsDeterministicAndSaltDependent) {
  auto s2k = parse(argon2_specifier(1, 1, 10));
  ASSERT_TRUE(s2k.ok());
  auto first = derive_s2k_key(*s2k, as_bytes_view(kPassphrase), 32, S2kLimits{});
  auto again = derive_s2k_key(*s2k, as_bytes_view(kPassphrase), 32, S2kLimits{});
  ASSERT_TRUE(first.ok()) << first.error().message();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*first, *again);
  s2k->salt[0] ^= 1;
  auto other = derive_s2k_key(*s2k, as_bytes_view(kPassphrase), 32, S2kLimits{});
  ASSERT_TRUE(other.ok());
  EXPECT_NE(*first, *other);
}

TEST(S2kDerive, RefusesEmptyPassphraseAndStubs) {
  auto s2k = parse(specifier(3, 8, true, 0x60));
  ASSERT_TRUE(s2k.ok());
  auto empty = derive_s2k_key(*s2k, {}, 16, S2kLimits{});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, Errc::bad_passphrase);

  auto card = parse({101, 0, 'G', 'N', 'U', 2, 0});
  ASSERT_TRUE(card.ok());
  auto card_key = derive_s2k_key(*card, as_bytes_view(kPassphrase), 16, S2kLimits{});
  ASSERT_FALSE(card_key.ok());
  EXPECT_EQ(card_key.error().code, Errc::key_on_card);
}

}  // namespace
}  // namespace pgptls::openpgp
