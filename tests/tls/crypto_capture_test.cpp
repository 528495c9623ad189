// Known answers from GnuTLS 3.5.18: with the key log's master secret, our key
// block decrypts the recorded Finished, application and alert records, both
// Finished values verify against our transcript hash, and the application
// data is the echoed line "hello". Tampering breaks exactly what it should.
#include <gtest/gtest.h>

#include <string>

#include "tests/tls/capture.h"
#include "tls/cipher_suite.h"
#include "tls/content_type.h"
#include "tls/errors.h"

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

}  // namespace
}  // namespace pgptls::tls
