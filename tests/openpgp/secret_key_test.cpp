// Secret keys exported by gpg and sq (made here, by the tests), and the
// RFC 9580 appendix A.4/A.5 v6 samples.
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/encoding.h"
#include "openpgp/armor.h"
#include "openpgp/errors.h"
#include "openpgp/packet.h"
#include "openpgp/secret_key.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_files.h"

namespace pgptls::openpgp {
namespace {

using namespace std::chrono_literals;

// expect_signs: the unlocked key signs, and GnuTLS verifies the signature
// with the public key of the packet (and rejects it over other data).
void expect_signs(const SecretKeyPacket& packet, const base::PrivateKeyHandle& key) {
  ASSERT_TRUE(key);
  gnutls_sign_algorithm_t algorithm = GNUTLS_SIGN_UNKNOWN;
  switch (gnutls_privkey_get_pk_algorithm(key.get(), nullptr)) {
    case GNUTLS_PK_RSA:
      algorithm = GNUTLS_SIGN_RSA_SHA256;
      break;
    case GNUTLS_PK_DSA:
      algorithm = GNUTLS_SIGN_DSA_SHA256;
      break;
    case GNUTLS_PK_ECDSA:
      algorithm = GNUTLS_SIGN_ECDSA_SHA256;
      break;
    case GNUTLS_PK_EDDSA_ED25519:
      algorithm = GNUTLS_SIGN_EDDSA_ED25519;
      break;
    case GNUTLS_PK_EDDSA_ED448:
      algorithm = GNUTLS_SIGN_EDDSA_ED448;
      break;
    default:
      FAIL() << "unexpected key algorithm";
  }
  std::string message = "pgptls handshake transcript";
  gnutls_datum_t data{reinterpret_cast<unsigned char*>(message.data()),
                      static_cast<unsigned>(message.size())};
  gnutls_datum_t signature{};
  ASSERT_GE(gnutls_privkey_sign_data2(key.get(), algorithm, 0, &data, &signature), 0);
  auto public_key = to_gnutls_pubkey(packet.public_key);
  ASSERT_TRUE(public_key.ok()) << public_key.error().message();
  EXPECT_GE(gnutls_pubkey_verify_data2(public_key->get(), algorithm, 0, &data, &signature), 0);
  message[0] ^= 1;
  EXPECT_LT(gnutls_pubkey_verify_data2(public_key->get(), algorithm, 0, &data, &signature), 0);
  gnutls_free(signature.data);
}

// first_secret_body: a copy of the first secret key packet body of a file,
// for tests that change one field of a real key.
Bytes first_secret_body(ByteView file) {
  auto blocks = decode_armor_or_binary(file);
  EXPECT_TRUE(blocks.ok());
  auto packets = split_packets(blocks->front().data);
  EXPECT_TRUE(packets.ok());
  for (const RawPacket& raw : *packets) {
    if (raw.tag == 5) {
      return to_bytes(raw.body);
    }
  }
  ADD_FAILURE() << "no secret key packet";
  return {};
}

// with_octet: the body with one octet replaced.
Bytes with_octet(Bytes body, std::size_t offset, std::uint8_t value) {
  EXPECT_LT(offset, body.size());
  body.at(offset) = value;
  return body;
}

// usage_offset: where the S2K usage octet sits (right after the public part).
std::size_t usage_offset(const Bytes& body) {
  auto packet = parse_secret_key_packet(5, body);
  EXPECT_TRUE(packet.ok());
  return packet->public_key.body.size();
}

// GpgKeysBase: a throwaway GNUPGHOME and gpg helpers. The agent's S2K count
// is lowered so that every unlock stays cheap; sq's key below keeps the
// largest count.
class GpgKeysBase : public ::testing::Test {
 protected:
  static void SetUpHome() {
    home_ = std::make_unique<pgptls::test::TempDir>();
    std::ofstream conf(home_->file("gpg-agent.conf"));
    conf << "s2k-count 65536\n";
  }

  static void TearDownTestSuite() {
    if (!home_) {
      return;
    }
    pgptls::test::ToolOptions options;
    options.env["GNUPGHOME"] = home_->path().string();
    (void)pgptls::test::run_tool({"gpgconf", "--kill", "all"}, options);
    home_.reset();
  }

  static std::string gpg(std::vector<std::string> args, const std::string& passphrase) {
    std::vector<std::string> argv{"gpg",      "--homedir",    home_->path().string(),
                                  "--batch",  "--no-tty",     "--pinentry-mode",
                                  "loopback", "--passphrase", passphrase};
    argv.insert(argv.end(), args.begin(), args.end());
    pgptls::test::ToolOptions options;
    options.env["GNUPGHOME"] = home_->path().string();
    const pgptls::test::ToolResult result = pgptls::test::run_tool(argv, options);
    EXPECT_TRUE(result.ok()) << result.describe();
    return result.out;
  }

  static void generate(const std::string& name, const std::string& uid, const std::string& algo,
                       const std::string& passphrase) {
    passphrases_[name] = passphrase;
    gpg({"--quick-gen-key", uid, algo, "sign,cert", "never"}, passphrase);
    fingerprints_[name] = list_fingerprints(uid);
  }

  static void add_subkey(const std::string& name, const std::string& algo, const std::string& usage,
                         const std::string& passphrase) {
    gpg({"--quick-add-key", fingerprints_[name][0], algo, usage, "never"}, passphrase);
    fingerprints_[name] = list_fingerprints(fingerprints_[name][0]);
  }

  static std::vector<std::string> list_fingerprints(const std::string& who) {
    const std::string colons = gpg({"--with-colons", "--list-keys", who}, "");
    std::vector<std::string> result;
    std::size_t at = 0;
    while ((at = colons.find("\nfpr:", at)) != std::string::npos) {
      const std::size_t start = colons.find_first_not_of(':', at + 5);
      result.push_back(colons.substr(start, 40));
      at = start;
    }
    return result;
  }

  static std::vector<SecretKeyPacket> load(const std::string& name) {
    const std::string& data = exports_[name];
    auto keys = load_secret_keys(as_bytes_view(data));
    EXPECT_TRUE(keys.ok()) << name << ": " << keys.error().message();
    return keys.ok() ? std::move(keys).value() : std::vector<SecretKeyPacket>{};
  }

  static ByteView pass(const std::string& name) { return as_bytes_view(passphrases_[name]); }

  static inline std::unique_ptr<pgptls::test::TempDir> home_;
  static inline std::map<std::string, std::string> exports_;
  static inline std::map<std::string, std::string> passphrases_;
  static inline std::map<std::string, std::vector<std::string>> fingerprints_;
};

// GpgKeys: Ed25519 (with an authentication subkey), RSA-2048 and P-256 keys
// with passphrases, an Ed25519 key without one, and a gnu-dummy stub export,
// made once per suite.
class GpgKeys : public GpgKeysBase {
 protected:
  static void SetUpTestSuite() {
    SetUpHome();
    generate("ed25519", "xmpp:ed.example", "ed25519", "pw-ed");
    add_subkey("ed25519", "ed25519", "auth", "pw-ed");
    generate("rsa", "xmpp:rsa.example", "rsa2048", "pw-rsa");
    generate("p256", "xmpp:p256.example", "nistp256", "pw-p256");
    generate("p384", "xmpp:p384.example", "nistp384", "pw-p384");
    generate("brainpool", "xmpp:bp.example", "brainpoolP256r1", "pw-bp");
    generate("clear", "xmpp:clear.example", "ed25519", "");
    for (const char* name : {"ed25519", "rsa", "p256", "p384", "brainpool", "clear"}) {
      exports_[name] =
          gpg({"--armor", "--export-secret-keys", fingerprints_[name][0]}, passphrases_[name]);
    }
    // `--export-secret-subkeys KEYID!` leaves the primary as a gnu-dummy stub.
    exports_["stub"] = gpg({"--export-secret-subkeys", fingerprints_["ed25519"][1] + "!"},
                           passphrases_["ed25519"]);
    exports_["public"] = gpg({"--export", fingerprints_["ed25519"][0]}, "");
  }
};

TEST_F(GpgKeys, ParsesWhatGpgExports) {
  const auto keys = load("ed25519");
  ASSERT_EQ(keys.size(), 2U);
  EXPECT_FALSE(keys[0].subkey);
  EXPECT_TRUE(keys[1].subkey);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ(keys[i].public_key.fingerprint_hex(), fingerprints_["ed25519"][i]);
    // gpg 2.2 re-protects exports with S2K usage 254, AES-128 and an
    // iterated+salted SHA-1 S2K.
    EXPECT_EQ(keys[i].s2k_usage, 254);
    EXPECT_EQ(keys[i].protection, SecretKeyProtection::cfb_sha1);
    EXPECT_EQ(keys[i].cipher, 7);
    EXPECT_EQ(keys[i].s2k.type, S2kType::iterated_salted);
    EXPECT_EQ(keys[i].s2k.iterated_octets(), 65536U);
  }
  const auto clear = load("clear");
  ASSERT_EQ(clear.size(), 1U);
  EXPECT_EQ(clear[0].protection, SecretKeyProtection::unprotected);
}

TEST_F(GpgKeys, UnlockedKeysSign) {
  for (const char* name : {"ed25519", "rsa", "p256", "p384", "clear"}) {
    SCOPED_TRACE(name);
    const auto keys = load(name);
    ASSERT_FALSE(keys.empty());
    for (const SecretKeyPacket& packet : keys) {
      auto key = unlock_secret_key(packet, pass(name));
      ASSERT_TRUE(key.ok()) << key.error().message();
      expect_signs(packet, *key);
    }
  }
}

TEST_F(GpgKeys, CurveWithoutGnuTlsSupportIsNamed) {
  // GnuTLS has no Brainpool curves: the secret decrypts, the import says why
  // it cannot be used.
  const auto keys = load("brainpool");
  ASSERT_EQ(keys.size(), 1U);
  auto key = unlock_secret_key(keys[0], pass("brainpool"));
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, Errc::unsupported_algorithm);
  EXPECT_NE(key.error().message().find("NIST P-256/384/521"), std::string::npos)
      << key.error().message();
}

TEST_F(GpgKeys, AnEcdsaPointThatIsNotUncompressedIsRefusedByBothImports) {
  // RFC 9580 §5.5.5.4 / §11.2.1: an ECDSA point is 0x04 || x || y.
  auto keys = load("p256");
  ASSERT_FALSE(keys.empty());
  const Bytes& encoded = keys[0].public_key.fields[0];
  auto point = ecdsa_point(keys[0].public_key);
  ASSERT_TRUE(point.ok()) << point.error().message();
  EXPECT_EQ(point->curve, GNUTLS_ECC_CURVE_SECP256R1);
  ASSERT_EQ(point->width, 32U);
  Bytes joined(point->x.begin(), point->x.end());
  joined.insert(joined.end(), point->y.begin(), point->y.end());
  EXPECT_EQ(joined, Bytes(encoded.begin() + 1, encoded.end()));

  // The prefix of a compressed point: the public and the secret import
  // refuse it alike.
  keys[0].public_key.fields[0][0] = 0x02;
  auto public_import = to_gnutls_pubkey(keys[0].public_key);
  ASSERT_FALSE(public_import.ok());
  EXPECT_EQ(public_import.error().code, Errc::malformed_packet);
  EXPECT_NE(public_import.error().message().find("not an uncompressed point"), std::string::npos)
      << public_import.error().message();
  auto secret_import = unlock_secret_key(keys[0], pass("p256"));
  ASSERT_FALSE(secret_import.ok());
  EXPECT_EQ(secret_import.error().code, Errc::malformed_packet);
  EXPECT_NE(secret_import.error().message().find("not an uncompressed point"), std::string::npos)
      << secret_import.error().message();
}

TEST_F(GpgKeys, ZeroSecretIsRefusedBeforeGnuTls) {
  // The unprotected key with its secret MPI zeroed and the checksum made to
  // fit again: the checksum passes, the zero value does not.
  auto keys = load("clear");
  ASSERT_EQ(keys.size(), 1U);
  base::SecretBytes& secret = keys[0].secret;
  ASSERT_GT(secret.size(), 4U);
  std::uint32_t sum = secret[0] + secret[1];
  for (std::size_t i = 2; i + 2 < secret.size(); ++i) {
    secret[i] = 0;
  }
  secret[secret.size() - 2] = static_cast<std::uint8_t>((sum >> 8U) & 0xFFU);
  secret[secret.size() - 1] = static_cast<std::uint8_t>(sum & 0xFFU);
  auto key = unlock_secret_key(keys[0], {});
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, Errc::malformed_packet);
  EXPECT_NE(key.error().message().find("zero-valued key field"), std::string::npos)
      << key.error().message();
}

TEST_F(GpgKeys, WrongPassphraseIsAClearError) {
  for (const char* name : {"ed25519", "rsa", "p256"}) {
    const auto keys = load(name);
    ASSERT_FALSE(keys.empty());
    auto key = unlock_secret_key(keys[0], as_bytes_view("not the passphrase"));
    ASSERT_FALSE(key.ok()) << name;
    EXPECT_EQ(key.error().code, Errc::bad_passphrase);
    EXPECT_NE(key.error().message().find("0x" + keys[0].public_key.key_id_hex()), std::string::npos)
        << key.error().message();
    EXPECT_NE(key.error().message().find("passphrase does not unlock it"), std::string::npos)
        << key.error().message();
  }
}

TEST_F(GpgKeys, CorruptedChecksOfEveryKindAreRejected) {
  // Unprotected v4: the 2-octet checksum no longer matches.
  auto clear = load("clear");
  ASSERT_EQ(clear.size(), 1U);
  clear[0].secret.back() ^= 0x01;
  auto damaged = unlock_secret_key(clear[0], {});
  ASSERT_FALSE(damaged.ok());
  EXPECT_EQ(damaged.error().code, Errc::malformed_packet);
  EXPECT_NE(damaged.error().message().find("checksum"), std::string::npos)
      << damaged.error().message();

  // Usage 254: a flipped octet of the encrypted SHA-1 check.
  auto protected_keys = load("p256");
  ASSERT_FALSE(protected_keys.empty());
  protected_keys[0].secret.back() ^= 0x80;
  auto tampered = unlock_secret_key(protected_keys[0], pass("p256"));
  ASSERT_FALSE(tampered.ok());
  EXPECT_EQ(tampered.error().code, Errc::bad_passphrase);

  // A flipped octet of the encrypted secret itself.
  protected_keys = load("p256");
  protected_keys[0].secret[3] ^= 0x01;
  EXPECT_EQ(unlock_secret_key(protected_keys[0], pass("p256")).error().code, Errc::bad_passphrase);
}

TEST_F(GpgKeys, TruncationAtEveryByteIsAnError) {
  for (const char* name : {"ed25519", "rsa", "clear"}) {
    SCOPED_TRACE(name);
    auto blocks = load_secret_keys(as_bytes_view(exports_[name]));
    ASSERT_TRUE(blocks.ok());
    // Re-frame the binary packets to cut each body short.
    auto armor = decode_armor_or_binary(as_bytes_view(exports_[name]));
    ASSERT_TRUE(armor.ok());
    auto packets = split_packets(armor->front().data);
    ASSERT_TRUE(packets.ok());
    for (const RawPacket& raw : *packets) {
      if (raw.tag != 5 && raw.tag != 7) {
        continue;
      }
      for (std::size_t size = 0; size < raw.body.size(); ++size) {
        auto packet = parse_secret_key_packet(raw.tag, raw.body.first(size));
        if (packet.ok()) {
          // Cut inside the secret material: unlocking must fail cleanly.
          EXPECT_FALSE(unlock_secret_key(*packet, pass(name)).ok()) << "size " << size;
        }
      }
    }
  }
}

TEST_F(GpgKeys, GnuDummyPrimaryIsAClearError) {
  const auto keys = load("stub");
  ASSERT_EQ(keys.size(), 2U);
  EXPECT_EQ(keys[0].protection, SecretKeyProtection::gnu_dummy);
  EXPECT_FALSE(keys[0].has_secret());
  auto primary = unlock_secret_key(keys[0], pass("ed25519"));
  ASSERT_FALSE(primary.ok());
  EXPECT_EQ(primary.error().code, Errc::not_found);
  EXPECT_NE(primary.error().message().find("GnuPG stub without its secret"), std::string::npos)
      << primary.error().message();
  EXPECT_NE(primary.error().message().find("--export-secret-keys"), std::string::npos);

  auto subkey = unlock_secret_key(keys[1], pass("ed25519"));
  ASSERT_TRUE(subkey.ok()) << subkey.error().message();
  expect_signs(keys[1], *subkey);
}

TEST_F(GpgKeys, FindsKeysByKeyIdAndFingerprint) {
  const auto keys = load("ed25519");
  ASSERT_EQ(keys.size(), 2U);
  const auto fingerprint = base::hex_decode(fingerprints_["ed25519"][1]);
  ASSERT_TRUE(fingerprint.ok());
  EXPECT_EQ(find_secret_key(keys, *fingerprint), &keys[1]);
  EXPECT_EQ(find_secret_key(keys, ByteView(*fingerprint).last(8)), &keys[1]);
  EXPECT_EQ(find_secret_key(keys, keys[0].public_key.key_id), &keys[0]);
  const Bytes unknown(8, 0xAB);
  EXPECT_EQ(find_secret_key(keys, unknown), nullptr);
}

TEST_F(GpgKeys, PublicCertificateHoldsNoSecret) {
  auto keys = load_secret_keys(as_bytes_view(exports_["public"]));
  ASSERT_FALSE(keys.ok());
  EXPECT_EQ(keys.error().code, Errc::not_found);
  EXPECT_NE(keys.error().message().find("no secret key packet"), std::string::npos)
      << keys.error().message();
}

TEST_F(GpgKeys, UnsupportedProtectionIsNamed) {
  // A pre-RFC 2440 LegacyCFB usage octet (a bare cipher ID, here AES-128).
  const Bytes clear = first_secret_body(as_bytes_view(exports_["clear"]));
  auto legacy = parse_secret_key_packet(5, with_octet(clear, usage_offset(clear), 7));
  ASSERT_FALSE(legacy.ok());
  EXPECT_EQ(legacy.error().code, Errc::unsupported_algorithm);
  EXPECT_NE(legacy.error().message().find("LegacyCFB"), std::string::npos)
      << legacy.error().message();

  // A cipher other than AES (3 = CAST5).
  const Bytes locked = first_secret_body(as_bytes_view(exports_["ed25519"]));
  auto cast5 = parse_secret_key_packet(5, with_octet(locked, usage_offset(locked) + 1, 3));
  ASSERT_FALSE(cast5.ok());
  EXPECT_EQ(cast5.error().code, Errc::unsupported_algorithm);
  EXPECT_NE(cast5.error().message().find("cipher 3"), std::string::npos) << cast5.error().message();
}

TEST_F(GpgKeys, S2kLimitIsAppliedWhenUnlocking) {
  const auto keys = load("rsa");
  ASSERT_FALSE(keys.empty());
  S2kLimits limits;
  limits.max_iterated_octets = 1024;
  auto key = unlock_secret_key(keys[0], pass("rsa"), limits);
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, Errc::rejected_by_policy);
}

// DSA: GnuTLS 3.5 peers speak OpenPGP with RSA and DSA keys only. Its own
// suite, so the slower DSA key generation runs for this test alone.
class GpgDsaKey : public GpgKeysBase {};

TEST_F(GpgDsaKey, UnlocksAndSigns) {
  SetUpHome();
  generate("dsa", "xmpp:dsa.example", "dsa2048", "pw-dsa");
  exports_["dsa"] =
      gpg({"--armor", "--export-secret-keys", fingerprints_["dsa"][0]}, passphrases_["dsa"]);
  const auto keys = load("dsa");
  ASSERT_EQ(keys.size(), 1U);
  EXPECT_EQ(keys[0].public_key.algorithm, PublicKeyAlgorithm::dsa);
  auto key = unlock_secret_key(keys[0], pass("dsa"));
  ASSERT_TRUE(key.ok()) << key.error().message();
  expect_signs(keys[0], *key);
  TearDownTestSuite();
}

// sq ---------------------------------------------------------------------

class SqKeys : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<pgptls::test::TempDir>();
    const auto plain =
        pgptls::test::run_tool({"sq", "key", "generate", "--userid", "xmpp:sq.example", "--export",
                                dir_->file("plain.pgp").string()});
    ASSERT_TRUE(plain.ok()) << plain.describe();
    // sq 0.27 reads a new password only from the terminal: give it one
    // through script(1) and answer its two prompts.
    const std::string command =
        "sq key generate --userid xmpp:sq-locked.example --with-password "
        "--export " +
        dir_->file("locked.pgp").string();
    auto child = pgptls::test::ChildProcess::start({"script", "-qec", command, "/dev/null"},
                                                   dir_->file("script.log"));
    ASSERT_TRUE(child.has_value());
    ASSERT_TRUE(child->wait_for_log("Enter password", 20s)) << child->log();
    child->write_stdin(kSqPassword + "\n");
    ASSERT_TRUE(child->wait_for_log("Repeat", 20s)) << child->log();
    child->write_stdin(kSqPassword + "\n");
    ASSERT_EQ(child->wait(60s), 0) << child->log();
  }
  static void TearDownTestSuite() { dir_.reset(); }

  static inline std::unique_ptr<pgptls::test::TempDir> dir_;
  static inline const std::string kSqPassword = "sq horse staple";
};

TEST_F(SqKeys, UnprotectedKeyUnlocksAndSigns) {
  auto keys = load_secret_keys(test::read_file_bytes(dir_->file("plain.pgp")));
  ASSERT_TRUE(keys.ok()) << keys.error().message();
  ASSERT_GE(keys->size(), 2U);
  const SecretKeyPacket& primary = keys->front();
  EXPECT_EQ(primary.protection, SecretKeyProtection::unprotected);
  // sq's default cipher suite is Cv25519: legacy EdDSA (22) primary.
  EXPECT_EQ(primary.public_key.algorithm, PublicKeyAlgorithm::eddsa_legacy);
  // Every component: signing keys sign; the Cv25519 (legacy ECDH)
  // encryption subkey decodes but is refused for TLS authentication.
  int signing = 0;
  int encryption = 0;
  for (const SecretKeyPacket& packet : *keys) {
    auto key = unlock_secret_key(packet, {});
    if (packet.public_key.algorithm == PublicKeyAlgorithm::ecdh) {
      ++encryption;
      ASSERT_FALSE(key.ok());
      EXPECT_EQ(key.error().code, Errc::unsupported_algorithm);
      EXPECT_NE(key.error().message().find("cannot sign"), std::string::npos)
          << key.error().message();
      continue;
    }
    ++signing;
    ASSERT_TRUE(key.ok()) << key.error().message();
    expect_signs(packet, *key);
  }
  EXPECT_GE(signing, 2);
  EXPECT_EQ(encryption, 1);
}

TEST_F(SqKeys, PasswordProtectedKeyUnlocksAndSigns) {
  auto keys = load_secret_keys(test::read_file_bytes(dir_->file("locked.pgp")));
  ASSERT_TRUE(keys.ok()) << keys.error().message();
  const SecretKeyPacket& primary = keys->front();
  // What sq 0.27 writes: usage 254, AES-256, iterated SHA-256 at the
  // largest octet count.
  EXPECT_EQ(primary.protection, SecretKeyProtection::cfb_sha1);
  EXPECT_EQ(primary.cipher, 9);
  EXPECT_EQ(primary.s2k.type, S2kType::iterated_salted);
  EXPECT_EQ(primary.s2k.hash_algorithm, 8);
  EXPECT_EQ(primary.s2k.iterated_octets(), 65011712U);
  auto key = unlock_secret_key(primary, as_bytes_view(kSqPassword));
  ASSERT_TRUE(key.ok()) << key.error().message();
  expect_signs(primary, *key);

  auto wrong = unlock_secret_key(primary, as_bytes_view("sq horse"));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, Errc::bad_passphrase);
}

// RFC 9580 appendix A.4 / A.5 ---------------------------------------------

std::vector<SecretKeyPacket> rfc_keys(const std::string& file) {
  auto keys = load_secret_keys(test::read_file_bytes(test::data_dir() / "rfc9580" / file));
  EXPECT_TRUE(keys.ok()) << keys.error().message();
  return keys.ok() ? std::move(keys).value() : std::vector<SecretKeyPacket>{};
}

Bytes hex(std::string_view text) {
  auto bytes = base::hex_decode(text);
  EXPECT_TRUE(bytes.ok());
  return bytes.ok() ? *bytes : Bytes{};
}

Bytes ed25519_secret(const base::PrivateKeyHandle& key) {
  gnutls_ecc_curve_t curve{};
  gnutls_datum_t x{};
  gnutls_datum_t k{};
  EXPECT_GE(gnutls_privkey_export_ecc_raw2(key.get(), &curve, &x, nullptr, &k, 0), 0);
  Bytes secret(k.data, k.data + k.size);
  gnutls_free(x.data);
  gnutls_memset(k.data, 0, k.size);
  gnutls_free(k.data);
  return secret;
}

TEST(Rfc9580SecretKeys, UnlockedV6KeySigns) {
  const auto keys = rfc_keys("v6-secret-key.asc");
  ASSERT_EQ(keys.size(), 2U);
  EXPECT_EQ(keys[0].public_key.version, 6);
  EXPECT_EQ(keys[0].public_key.fingerprint_hex(),
            "CB186C4F0609A697E4D52DFA6C722B0C1F1E27C18A56708F6525EC27BAD9ACC9");
  EXPECT_EQ(keys[0].protection, SecretKeyProtection::unprotected);
  auto key = unlock_secret_key(keys[0], {});
  ASSERT_TRUE(key.ok()) << key.error().message();
  expect_signs(keys[0], *key);

  // The X25519 subkey decodes but cannot authenticate TLS.
  auto subkey = unlock_secret_key(keys[1], {});
  ASSERT_FALSE(subkey.ok());
  EXPECT_EQ(subkey.error().code, Errc::unsupported_algorithm);
  EXPECT_NE(subkey.error().message().find("cannot sign"), std::string::npos)
      << subkey.error().message();
}

TEST(Rfc9580SecretKeys, LockedV6KeyParametersAndIntermediateValues) {
  const auto keys = rfc_keys("v6-locked-secret-key.asc");
  ASSERT_EQ(keys.size(), 2U);
  const SecretKeyPacket& primary = keys[0];
  EXPECT_EQ(primary.protection, SecretKeyProtection::aead);
  EXPECT_EQ(primary.cipher, 9);
  EXPECT_EQ(primary.aead_mode, 2);
  EXPECT_EQ(primary.s2k.type, S2kType::argon2);
  EXPECT_EQ(primary.s2k.argon2_passes, 1);
  EXPECT_EQ(primary.s2k.argon2_parallelism, 4);
  EXPECT_EQ(primary.s2k.argon2_encoded_memory, 21);
  // RFC 9580 §A.5.1 and §A.5.2: additional data and the HKDF output for the
  // S2K-derived keys the RFC lists.
  EXPECT_EQ(aead_associated_data(primary),
            hex("c50663877fe31b00000020f94da7bb48d60a61e567706a6587d0331999bb9d89"
                "1a08242ead84543df895a3"));
  auto kek = aead_key_encryption_key(
      primary, hex("832bd2662a5c2b251ee3fc82aec349a766ca539015880133002e5a21960b3bcf"));
  ASSERT_TRUE(kek.ok()) << kek.error().message();
  EXPECT_EQ(base::hex_encode(ByteView(kek->data(), kek->size())),
            "9e37cb26787f37e18db172795c4c297550d39ac82511d9af4c8706db6a77fd51");
  EXPECT_EQ(aead_associated_data(keys[1]),
            hex("c70663877fe319000000208693248367f9e5015db922f8f48095dda784987f2d"
                "5985b12fbad16caf5e4435"));
  auto sub_kek = aead_key_encryption_key(
      keys[1], hex("f74a6ce873a089ef13a3da9ac059777bb22340d15eaa6c9dc0f8ef09035c67cd"));
  ASSERT_TRUE(sub_kek.ok());
  EXPECT_EQ(base::hex_encode(ByteView(sub_kek->data(), sub_kek->size())),
            "3c60cb63285f62f4c3de49835786f011cf6f4c069f61232cd7013ff5fd31e603");
}

TEST(Rfc9580SecretKeys, V6RulesAreEnforced) {
  // RFC 9580 §3.7.2.1: MalleableCFB (usage 255) must be rejected in v6 keys.
  const Bytes clear =
      first_secret_body(test::read_file_bytes(test::data_dir() / "rfc9580" / "v6-secret-key.asc"));
  auto malleable = parse_secret_key_packet(5, with_octet(clear, usage_offset(clear), 255));
  ASSERT_FALSE(malleable.ok());
  EXPECT_EQ(malleable.error().code, Errc::malformed_packet);
  EXPECT_NE(malleable.error().message().find("MalleableCFB"), std::string::npos)
      << malleable.error().message();

  // Only OCB among the AEAD modes (the octet after usage, count, cipher).
  const Bytes locked = first_secret_body(
      test::read_file_bytes(test::data_dir() / "rfc9580" / "v6-locked-secret-key.asc"));
  auto eax = parse_secret_key_packet(5, with_octet(locked, usage_offset(locked) + 3, 1));
  ASSERT_FALSE(eax.ok());
  EXPECT_EQ(eax.error().code, Errc::unsupported_algorithm);
  EXPECT_NE(eax.error().message().find("AEAD mode 1"), std::string::npos) << eax.error().message();

  // The unchanged packet: a 15-octet OCB nonce, then the 32-octet Ed25519
  // secret and the 16-octet tag.
  auto packet = parse_secret_key_packet(5, locked);
  ASSERT_TRUE(packet.ok()) << packet.error().message();
  EXPECT_EQ(packet->iv.size(), 15U);
  EXPECT_EQ(packet->secret.size(), 32U + 16U);
}

TEST(Rfc9580SecretKeys, LockedV6KeyArgon2MemoryIsCappedByPolicy) {
  const auto keys = rfc_keys("v6-locked-secret-key.asc");
  ASSERT_FALSE(keys.empty());
  S2kLimits limits;
  limits.max_argon2_encoded_memory = 20;
  auto key = unlock_secret_key(keys[0], as_bytes_view("correct horse battery staple"), limits);
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, Errc::rejected_by_policy);
  EXPECT_NE(key.error().message().find("memory 2097152 KiB"), std::string::npos)
      << key.error().message();
}

TEST(Rfc9580SecretKeys, LockedV6KeyUnlocksWithItsPassphrase) {
  // One Argon2 run with the sample's own parameters (t=1, p=4, 2 GiB).
  const auto locked = rfc_keys("v6-locked-secret-key.asc");
  const auto clear = rfc_keys("v6-secret-key.asc");
  ASSERT_FALSE(locked.empty());
  ASSERT_FALSE(clear.empty());
  auto key = unlock_secret_key(locked[0], as_bytes_view("correct horse battery staple"));
  ASSERT_TRUE(key.ok()) << key.error().message();
  expect_signs(locked[0], *key);
  auto reference = unlock_secret_key(clear[0], {});
  ASSERT_TRUE(reference.ok());
  EXPECT_EQ(ed25519_secret(*key), ed25519_secret(*reference));
}

}  // namespace
}  // namespace pgptls::openpgp
