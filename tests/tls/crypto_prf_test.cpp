// The TLS 1.2 key schedule against OpenSSL's own TLS1-PRF (run by the test):
// PRF with SHA-256 and SHA-384, the extended master secret, the key block
// and Finished. The captures test checks the same code against GnuTLS 3.5.
#include "tls/crypto/prf.h"

#include <gtest/gtest.h>

#include <string>

#include "base/encoding.h"
#include "tests/support/process.h"
#include "tests/tls/crypto_tools.h"
#include "tls/crypto/transcript.h"
#include "tls/wire/errors.h"

namespace pgptls::tls {
namespace {

using test::openssl_tls1_prf;
using test::random_bytes;

Bytes concat(std::string_view label, ByteView a, ByteView b = {}) {
  Bytes out(label.begin(), label.end());
  out.insert(out.end(), a.begin(), a.end());
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

Bytes plain(const base::SecretBytes& secret) {
  return Bytes(secret.begin(), secret.end());
}

struct HashCase {
  HashAlgorithm hash;
  const char* openssl_name;
};
constexpr HashCase kHashes[] = {{HashAlgorithm::sha256, "SHA2-256"},
                                {HashAlgorithm::sha384, "SHA2-384"}};

TEST(TlsPrf, MatchesOpenSslForBothHashesAndManyLengths) {
  std::uint64_t seed = 1;
  for (const HashCase& hash : kHashes) {
    // Lengths around the HMAC block boundaries (32 and 48) and a long output.
    for (const std::size_t length :
         {std::size_t{1}, std::size_t{12}, std::size_t{32}, std::size_t{33}, std::size_t{48},
          std::size_t{97}, std::size_t{200}}) {
      const Bytes secret = random_bytes(seed++, 48);
      const Bytes data = random_bytes(seed++, 64);
      auto ours = prf(hash.hash, secret, "test label", data, length);
      ASSERT_TRUE(ours.ok()) << ours.error().message();
      EXPECT_EQ(plain(*ours),
                openssl_tls1_prf(hash.openssl_name, secret, concat("test label", data), length))
          << hash.openssl_name << " length " << length;
    }
  }
}

TEST(TlsPrf, ExtendedMasterSecretMatchesOpenSsl) {
  for (const HashCase& hash : kHashes) {
    const Bytes pre_master = random_bytes(10, 32);
    const Bytes session_hash = random_bytes(11, hash_length(hash.hash));
    auto ours = extended_master_secret(hash.hash, pre_master, session_hash);
    ASSERT_TRUE(ours.ok());
    ASSERT_EQ(ours->size(), kMasterSecretLength);
    // RFC 7627 §4: the label is "extended master secret", seed the session hash.
    EXPECT_EQ(plain(*ours), openssl_tls1_prf(hash.openssl_name, pre_master,
                                             concat("extended master secret", session_hash), 48));
  }
}

TEST(TlsPrf, KeyBlockIsSplitInRfcOrder) {
  const Bytes master = random_bytes(20, 48);
  const Bytes client_random = random_bytes(21, 32);
  const Bytes server_random = random_bytes(22, 32);
  for (const CipherSuite& suite : supported_cipher_suites()) {
    auto keys = derive_key_block(suite, master, client_random, server_random);
    ASSERT_TRUE(keys.ok());
    const std::size_t total = 2 * suite.key_length + 2 * suite.fixed_iv_length;
    const Bytes block =
        openssl_tls1_prf(suite.prf_hash == HashAlgorithm::sha384 ? "SHA2-384" : "SHA2-256", master,
                         concat("key expansion", server_random, client_random), total);
    Bytes joined = plain(keys->client_write_key);
    for (const auto* part :
         {&keys->server_write_key, &keys->client_write_iv, &keys->server_write_iv}) {
      joined.insert(joined.end(), part->begin(), part->end());
    }
    EXPECT_EQ(joined, block) << suite.name;
    EXPECT_EQ(keys->client_write_key.size(), suite.key_length);
    EXPECT_EQ(keys->client_write_iv.size(), suite.fixed_iv_length);
  }
}

TEST(TlsPrf, KeyBlockRefusesBadRandomsAndMasterSecrets) {
  const CipherSuite& suite = supported_cipher_suites()[0];
  auto short_random =
      derive_key_block(suite, random_bytes(1, 48), random_bytes(2, 31), random_bytes(3, 32));
  ASSERT_FALSE(short_random.ok());
  EXPECT_EQ(short_random.error().code, Errc::illegal_parameter);
  EXPECT_NE(short_random.error().message().find("32 bytes"), std::string::npos);
  auto short_master =
      derive_key_block(suite, random_bytes(1, 47), random_bytes(2, 32), random_bytes(3, 32));
  ASSERT_FALSE(short_master.ok());
  EXPECT_NE(short_master.error().message().find("48 bytes"), std::string::npos);
}

TEST(TlsPrf, FinishedMatchesOpenSslAndComparesStrictly) {
  const Bytes master = random_bytes(30, 48);
  const Bytes transcript_hash = random_bytes(31, 32);
  auto client = finished_verify_data(HashAlgorithm::sha256, master, Role::client, transcript_hash);
  auto server = finished_verify_data(HashAlgorithm::sha256, master, Role::server, transcript_hash);
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE(server.ok());
  EXPECT_EQ(*client,
            openssl_tls1_prf("SHA2-256", master, concat("client finished", transcript_hash), 12));
  EXPECT_EQ(*server,
            openssl_tls1_prf("SHA2-256", master, concat("server finished", transcript_hash), 12));

  EXPECT_TRUE(
      check_finished(HashAlgorithm::sha256, master, Role::client, transcript_hash, *client).ok());
  // A flipped bit, the other side's value, and a truncated value all fail
  // with decrypt_error (RFC 5246 §7.4.9).
  Bytes flipped = *client;
  flipped[11] ^= 0x01;
  for (const Bytes& wrong : {flipped, *server, Bytes(client->begin(), client->end() - 1)}) {
    const Status result =
        check_finished(HashAlgorithm::sha256, master, Role::client, transcript_hash, wrong);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, Errc::decrypt_error);
    EXPECT_NE(result.error().message().find("client Finished does not match"), std::string::npos)
        << result.error().message();
  }
}

TEST(TlsTranscript, HashesBufferedAndLaterMessagesAlike) {
  const Bytes first = random_bytes(40, 100);
  const Bytes second = random_bytes(41, 300);
  for (const HashCase& hash : kHashes) {
    Transcript transcript;
    ASSERT_TRUE(transcript.append(first).ok());
    EXPECT_FALSE(transcript.current_hash().ok());  // no hash chosen yet
    ASSERT_TRUE(transcript.select_hash(hash.hash).ok());
    auto after_first = transcript.current_hash();
    ASSERT_TRUE(transcript.append(second).ok());
    auto after_second = transcript.current_hash();
    ASSERT_TRUE(after_first.ok() && after_second.ok());

    Bytes all = first;
    all.insert(all.end(), second.begin(), second.end());
    EXPECT_EQ(to_bytes(transcript.messages()), all);
    // Cross-check with openssl dgst over the same bytes.
    const auto digest_of = [&](ByteView data) {
      pgptls::test::ToolOptions options;
      options.stdin_data.assign(data.begin(), data.end());
      const auto result = pgptls::test::run_tool(
          {"openssl", "dgst", hash.hash == HashAlgorithm::sha384 ? "-sha384" : "-sha256", "-hex",
           "-r"},
          options);
      EXPECT_TRUE(result.ok()) << result.describe();
      return result.out.substr(0, 2 * hash_length(hash.hash));
    };
    EXPECT_EQ(base::hex_encode(*after_first), digest_of(first));
    EXPECT_EQ(base::hex_encode(*after_second), digest_of(all));

    transcript.release_messages();
    EXPECT_TRUE(transcript.messages().empty());
    ASSERT_TRUE(transcript.append(first).ok());  // the hash goes on
    const Status twice = transcript.select_hash(hash.hash);
    ASSERT_FALSE(twice.ok());
    EXPECT_EQ(twice.error().code, Errc::invalid_state);
  }
}

}  // namespace
}  // namespace pgptls::tls
