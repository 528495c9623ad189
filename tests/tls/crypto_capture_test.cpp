// Known answers from GnuTLS 3.5.18: with the key log's master secret, our key
// block decrypts the recorded Finished, application and alert records, both
// Finished values verify against our transcript hash, and the application
// data is the echoed line "hello". Tampering breaks exactly what it should.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include "base/gnutls_handles.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/tls/capture.h"
#include "tls/crypto/signature_scheme.h"
#include "tls/wire/cipher_suite.h"
#include "tls/wire/content_type.h"
#include "tls/wire/errors.h"

namespace pgptls::tls {
namespace {

using test::Capture;
using test::capture_names;
using test::decode_capture;
using test::load_capture;

Capture must_load(const std::string& name) {
  auto capture = load_capture(name);
  EXPECT_TRUE(capture.ok()) << (capture.ok() ? "" : capture.error().message());
  return capture.ok() ? std::move(capture).value() : Capture{};
}

std::string text(const Bytes& bytes) {
  return std::string(bytes.begin(), bytes.end());
}

TEST(TlsCryptoCaptures, AllFourCapturesArePresent) {
  EXPECT_EQ(capture_names(),
            (std::vector<std::string>{"mutual-chacha", "mutual-rsa", "mutual-subkey-fingerprint",
                                      "serveronly-rsa"}));
}

TEST(TlsCryptoCaptures, FinishedVerifiesAndApplicationDataDecrypts) {
  for (const std::string& name : capture_names()) {
    SCOPED_TRACE(name);
    const Capture capture = must_load(name);
    auto decoded = decode_capture(capture);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message();
    EXPECT_EQ(decoded->finished_verified, 2);
    ASSERT_EQ(decoded->client_application.size(), 1u);
    ASSERT_EQ(decoded->server_application.size(), 1u);
    EXPECT_EQ(text(decoded->client_application[0]), "hello\n");
    EXPECT_EQ(text(decoded->server_application[0]), "hello\n");
    // Both sides closed with a warning-level close_notify (RFC 5246 §7.2.1).
    ASSERT_EQ(decoded->alerts.size(), 2u);
    for (const Bytes& alert : decoded->alerts) {
      EXPECT_EQ(alert, (Bytes{1, 0}));
    }
    const CipherSuite* suite = find_cipher_suite(decoded->cipher_suite);
    ASSERT_NE(suite, nullptr);
    // The README: mutual-chacha uses ChaCha20-Poly1305, the others AES-256-GCM.
    EXPECT_EQ(suite->aead, name == "mutual-chacha" ? AeadAlgorithm::chacha20_poly1305
                                                   : AeadAlgorithm::aes_256_gcm);
    EXPECT_EQ(suite->auth, AuthAlgorithm::rsa);
    // The Finished messages are the only encrypted handshake messages.
    int encrypted = 0;
    for (const auto& message : decoded->messages) {
      if (message.was_encrypted) {
        ++encrypted;
        EXPECT_EQ(message.type, 20);
        EXPECT_EQ(message.bytes.size(), 4u + 12u);
      }
    }
    EXPECT_EQ(encrypted, 2);
  }
}

TEST(TlsCryptoCaptures, WrongMasterSecretFailsWithBadRecordMac) {
  Capture capture = must_load("mutual-rsa");
  ASSERT_EQ(capture.keylog.size(), 1u);
  capture.keylog.begin()->second[0] ^= 0x01;
  auto decoded = decode_capture(capture);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().code, Errc::bad_record_mac);
  EXPECT_NE(decoded.error().message().find("failed authentication"), std::string::npos);
}

TEST(TlsCryptoCaptures, TamperedHandshakeMessageFailsTheFinishedCheck) {
  Capture capture = must_load("mutual-rsa");
  // The server's first flight: ServerHello (105 bytes with its record
  // header) then the Certificate; byte 300 lies inside the OpenPGP key, so
  // the records still parse but the transcript differs from GnuTLS's.
  ASSERT_FALSE(capture.chunks[1].from_client);
  ASSERT_GT(capture.chunks[1].bytes.size(), 300u);
  capture.chunks[1].bytes[300] ^= 0x01;
  auto decoded = decode_capture(capture);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().code, Errc::decrypt_error);
  EXPECT_EQ(alert_for(decoded.error().code), AlertDescription::decrypt_error);
  EXPECT_NE(decoded.error().message().find("client Finished does not match"), std::string::npos)
      << decoded.error().message();
}

TEST(TlsCryptoCaptures, TamperedApplicationRecordFailsWithBadRecordMac) {
  Capture capture = must_load("mutual-chacha");
  // The last client chunk holding application data: flip its final byte
  // (part of the Poly1305 tag).
  for (auto& chunk : capture.chunks) {
    if (chunk.from_client && chunk.bytes[0] == 23) {
      chunk.bytes.back() ^= 0x80;
      break;
    }
  }
  auto decoded = decode_capture(capture);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().code, Errc::bad_record_mac);
}

TEST(TlsCryptoCaptures, StreamsSplitIntoWellFormedRecords) {
  for (const std::string& name : capture_names()) {
    const Capture capture = must_load(name);
    for (const bool from_client : {true, false}) {
      auto records = test::split_records(capture.stream(from_client));
      ASSERT_TRUE(records.ok()) << name;
      ASSERT_FALSE(records->empty());
      // GnuTLS sends its ClientHello in a {3,1} record, everything else {3,3}.
      EXPECT_EQ(records->front().version, from_client ? kTls10 : kTls12) << name;
      for (std::size_t i = 1; i < records->size(); ++i) {
        EXPECT_EQ((*records)[i].version, kTls12) << name;
      }
    }
  }
}

// --- handshake signatures ---------------------------------------------------

// TlsCryptoCaptureSignatures: the captures' RSA keys, exported from their OpenPGP
// certificates by gpg (as SSH keys) and converted by ssh-keygen to PKCS#8.
class TlsCryptoCaptureSignatures : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<pgptls::test::TempDir>();
    const auto keys = std::filesystem::path(PGPTLS_TEST_DATA_DIR) / "gnutls-3.5" / "keys";
    const std::map<std::string, std::string> env{{"GNUPGHOME", dir_->path().string()}};
    pgptls::test::ToolOptions options;
    options.env = env;
    const auto import =
        pgptls::test::run_tool({"gpg", "--batch", "--import", (keys / "a.pub.asc").string(),
                                (keys / "b.pub.asc").string(), (keys / "sub3-a.pub.asc").string()},
                               options);
    ASSERT_TRUE(import.ok()) << import.describe();
    keys_ = std::make_unique<std::map<std::string, base::PublicKeyHandle>>();
    for (const std::string id : {"xmpp:a.example", "xmpp:b.example", "8E622E61C5955DD4!"}) {
      const auto ssh = pgptls::test::run_tool({"gpg", "--batch", "--export-ssh-key", id}, options);
      ASSERT_TRUE(ssh.ok()) << ssh.describe();
      const auto ssh_file = dir_->file("key.pub");
      std::ofstream(ssh_file) << ssh.out;
      const auto pem =
          pgptls::test::run_tool({"ssh-keygen", "-e", "-m", "PKCS8", "-f", ssh_file.string()});
      ASSERT_TRUE(pem.ok()) << pem.describe();
      gnutls_pubkey_t key = nullptr;
      ASSERT_EQ(gnutls_pubkey_init(&key), 0);
      base::PublicKeyHandle handle(key);
      const gnutls_datum_t datum{
          reinterpret_cast<unsigned char*>(const_cast<char*>(pem.out.data())),
          static_cast<unsigned>(pem.out.size())};
      ASSERT_EQ(gnutls_pubkey_import(key, &datum, GNUTLS_X509_FMT_PEM), 0) << id;
      keys_->emplace(id, std::move(handle));
    }
  }
  static void TearDownTestSuite() {
    keys_.reset();
    dir_.reset();
  }
  static gnutls_pubkey_t key(const std::string& id) { return keys_->at(id).get(); }

  static std::unique_ptr<pgptls::test::TempDir> dir_;
  static std::unique_ptr<std::map<std::string, base::PublicKeyHandle>> keys_;
};

std::unique_ptr<pgptls::test::TempDir> TlsCryptoCaptureSignatures::dir_;
std::unique_ptr<std::map<std::string, base::PublicKeyHandle>> TlsCryptoCaptureSignatures::keys_;

TEST_F(TlsCryptoCaptureSignatures, ServerKeyExchangeAndCertificateVerifyVerify) {
  // Who signs in each capture (README of the captures).
  const std::map<std::string, std::pair<std::string, std::string>> signers{
      {"mutual-rsa", {"xmpp:a.example", "xmpp:b.example"}},
      {"mutual-chacha", {"xmpp:a.example", "xmpp:b.example"}},
      {"mutual-subkey-fingerprint", {"8E622E61C5955DD4!", "xmpp:b.example"}},
      {"serveronly-rsa", {"xmpp:a.example", ""}},
  };
  for (const auto& [name, who] : signers) {
    SCOPED_TRACE(name);
    auto decoded = decode_capture(must_load(name));
    ASSERT_TRUE(decoded.ok()) << decoded.error().message();
    ASSERT_TRUE(decoded->server_key_exchange.has_value());
    const auto& ske = *decoded->server_key_exchange;
    const auto scheme = find_signature_scheme(ske.scheme);
    ASSERT_EQ(scheme, SignatureScheme::rsa_pkcs1_sha256);
    const Status server = verify(key(who.first), *scheme, ske.signed_data, ske.signature);
    EXPECT_TRUE(server.ok()) << server.error().message();
    // The other party's key does not verify it.
    EXPECT_FALSE(verify(key("xmpp:b.example"), *scheme, ske.signed_data, ske.signature).ok());

    if (who.second.empty()) {
      EXPECT_FALSE(decoded->certificate_verify.has_value());
      continue;
    }
    ASSERT_TRUE(decoded->certificate_verify.has_value());
    const auto& cv = *decoded->certificate_verify;
    ASSERT_EQ(find_signature_scheme(cv.scheme), SignatureScheme::rsa_pkcs1_sha256);
    const Status client =
        verify(key(who.second), SignatureScheme::rsa_pkcs1_sha256, cv.signed_data, cv.signature);
    EXPECT_TRUE(client.ok()) << client.error().message();
    // One changed byte in the transcript: decrypt_error.
    Bytes tampered = cv.signed_data;
    tampered[tampered.size() / 2] ^= 0x01;
    const Status bad =
        verify(key(who.second), SignatureScheme::rsa_pkcs1_sha256, tampered, cv.signature);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().code, Errc::decrypt_error);
  }
}

}  // namespace
}  // namespace pgptls::tls
