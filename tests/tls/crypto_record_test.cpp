// AEAD record protection (RFC 5288, RFC 7905) and the sans-IO record layer
// (RFC 5246 §6.2): round trips, every rejection with its error, sequence
// exhaustion. Interoperability of the same code with GnuTLS is checked in
// the captures and GnuTLS-pair tests.
#include <gtest/gtest.h>

#include <limits>
#include <string>

#include "tests/tls/crypto_tools.h"
#include "tls/crypto/prf.h"
#include "tls/crypto/record_protection.h"
#include "tls/rfc6091/record_layer.h"
#include "tls/wire/errors.h"

namespace pgptls::tls {
namespace {

using test::random_bytes;

struct Pair {
  RecordProtection writer;
  RecordProtection reader;
};

Pair make_pair(const CipherSuite& suite, std::uint64_t seed, std::uint64_t first_sequence = 0) {
  const Bytes key = random_bytes(seed, suite.key_length);
  const Bytes iv = random_bytes(seed + 1, suite.fixed_iv_length);
  auto writer = RecordProtection::create(suite, key, iv, first_sequence);
  auto reader = RecordProtection::create(suite, key, iv, first_sequence);
  EXPECT_TRUE(writer.ok() && reader.ok());
  return Pair{std::move(writer).value(), std::move(reader).value()};
}

void expect_error(const Status& status, Errc code, std::string_view text) {
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, code) << status.error().message();
  EXPECT_NE(status.error().message().find(text), std::string::npos) << status.error().message();
}

TEST(TlsRecordProtection, RoundTripsEverySuite) {
  for (const CipherSuite& suite : supported_cipher_suites()) {
    Pair pair = make_pair(suite, 1);
    for (const std::size_t length :
         {std::size_t{0}, std::size_t{1}, std::size_t{5000}, kMaxPlaintextLength}) {
      const Bytes plaintext = random_bytes(length, length);
      Bytes fragment;
      ASSERT_TRUE(pair.writer.seal(ContentType::application_data, plaintext, fragment).ok());
      EXPECT_EQ(fragment.size(), pair.writer.sealed_length(length));
      EXPECT_EQ(fragment.size(), suite.record_iv_length + length + 16);
      Bytes opened;
      const Status status = pair.reader.open(ContentType::application_data, fragment, opened);
      ASSERT_TRUE(status.ok()) << suite.name << ": " << status.error().message();
      EXPECT_EQ(opened, plaintext);
    }
    EXPECT_EQ(pair.writer.sequence(), 4u);
    EXPECT_EQ(pair.reader.sequence(), 4u);
  }
}

TEST(TlsRecordProtection, GcmSendsTheSequenceNumberAsExplicitNonce) {
  // RFC 5288 §3 lets the explicit nonce be the sequence number; RFC 7905 has
  // none. Seal three records and look at the first eight bytes.
  Pair pair = make_pair(supported_cipher_suites()[0], 2, 7);
  for (std::uint64_t expected = 7; expected < 10; ++expected) {
    Bytes fragment;
    ASSERT_TRUE(pair.writer.seal(ContentType::handshake, random_bytes(3, 10), fragment).ok());
    std::uint64_t explicit_nonce = 0;
    for (int i = 0; i < 8; ++i) {
      explicit_nonce = (explicit_nonce << 8) | fragment[static_cast<std::size_t>(i)];
    }
    EXPECT_EQ(explicit_nonce, expected);
  }
}

TEST(TlsRecordProtection, TamperedRecordsFailWithBadRecordMac) {
  for (const CipherSuite& suite : supported_cipher_suites()) {
    Pair sealer = make_pair(suite, 3);
    const Bytes plaintext = random_bytes(4, 100);
    Bytes fragment;
    ASSERT_TRUE(sealer.writer.seal(ContentType::application_data, plaintext, fragment).ok());
    // Flip one bit in the explicit nonce (GCM), the ciphertext, and the tag.
    std::vector<std::size_t> positions{suite.record_iv_length + 10, fragment.size() - 1};
    if (suite.record_iv_length != 0) {
      positions.push_back(3);
    }
    for (const std::size_t position : positions) {
      Pair pair = make_pair(suite, 3);
      Bytes tampered = fragment;
      tampered[position] ^= 0x20;
      Bytes opened{1, 2, 3};
      expect_error(pair.reader.open(ContentType::application_data, tampered, opened),
                   Errc::bad_record_mac, "failed authentication");
      EXPECT_TRUE(opened.empty());  // no unauthenticated plaintext leaks out
    }
    // The additional data binds type and sequence number.
    Pair wrong_type = make_pair(suite, 3);
    Bytes opened;
    expect_error(wrong_type.reader.open(ContentType::handshake, fragment, opened),
                 Errc::bad_record_mac, "failed authentication");
    Pair wrong_sequence = make_pair(suite, 3, 1);
    expect_error(wrong_sequence.reader.open(ContentType::application_data, fragment, opened),
                 Errc::bad_record_mac, "failed authentication");
    // A fragment shorter than nonce + tag.
    Pair short_fragment = make_pair(suite, 3);
    expect_error(
        short_fragment.reader.open(ContentType::application_data,
                                   ByteView(fragment).first(suite.record_iv_length + 15), opened),
        Errc::bad_record_mac, "shorter than its nonce");
  }
}

TEST(TlsRecordProtection, RefusesOversizedPlaintextAndWrongKeys) {
  const CipherSuite& suite = supported_cipher_suites()[0];
  Pair pair = make_pair(suite, 5);
  Bytes out;
  expect_error(
      pair.writer.seal(ContentType::application_data, Bytes(kMaxPlaintextLength + 1, 0), out),
      Errc::record_overflow, "2^14");
  EXPECT_TRUE(out.empty());
  // A fragment whose plaintext would exceed 2^14 is refused before decryption.
  expect_error(
      pair.reader.open(ContentType::application_data,
                       Bytes(suite.record_iv_length + kMaxPlaintextLength + 1 + 16, 0), out),
      Errc::record_overflow, "more than 2^14");
  auto bad_key = RecordProtection::create(suite, random_bytes(1, 15), random_bytes(2, 4));
  ASSERT_FALSE(bad_key.ok());
  EXPECT_EQ(bad_key.error().code, Errc::illegal_parameter);
  EXPECT_NE(bad_key.error().message().find("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
            std::string::npos);
}

TEST(TlsRecordProtection, SequenceNumbersNeverWrap) {
  for (const CipherSuite& suite : supported_cipher_suites()) {
    // 2^64 - 2 is the last usable number; the record after it is refused on
    // both sides instead of reusing a nonce.
    const std::uint64_t last = std::numeric_limits<std::uint64_t>::max() - 1;
    Pair pair = make_pair(suite, 6, last);
    Bytes fragment;
    ASSERT_TRUE(
        pair.writer.seal(ContentType::application_data, random_bytes(1, 20), fragment).ok());
    Bytes opened;
    ASSERT_TRUE(pair.reader.open(ContentType::application_data, fragment, opened).ok());
    Bytes more;
    expect_error(pair.writer.seal(ContentType::application_data, random_bytes(1, 20), more),
                 Errc::internal_error, "sequence numbers exhausted");
    EXPECT_TRUE(more.empty());
    expect_error(pair.reader.open(ContentType::application_data, fragment, opened),
                 Errc::internal_error, "sequence numbers exhausted");
  }
}

// --- the record layer -------------------------------------------------------

// drain: every record the layer has now, as (type, fragment) copies.
Result<std::vector<std::pair<ContentType, Bytes>>> drain(RecordLayer& layer) {
  std::vector<std::pair<ContentType, Bytes>> records;
  while (true) {
    PGPTLS_TRY(const auto record, layer.next_record());
    if (!record) {
      return records;
    }
    records.emplace_back(record->type, to_bytes(record->fragment));
  }
}

Bytes header(std::uint8_t type, std::uint16_t version, std::size_t length) {
  return Bytes{type, static_cast<std::uint8_t>(version >> 8),
               static_cast<std::uint8_t>(version & 0xFF), static_cast<std::uint8_t>(length >> 8),
               static_cast<std::uint8_t>(length & 0xFF)};
}

TEST(TlsRecordLayer, FragmentsAtTwoToTheFourteenAndReassemblesByteByByte) {
  RecordLayer sender;
  const Bytes data = random_bytes(7, 40000);
  ASSERT_TRUE(sender.write(ContentType::handshake, data).ok());
  const Bytes wire = to_bytes(sender.pending_output());
  // 16384 + 16384 + 7232, each with a 5-byte header; before lock_version()
  // the record version is {3,1} (RFC 5246 Appendix E.1).
  ASSERT_EQ(wire.size(), 40000u + 3 * kRecordHeaderLength);
  EXPECT_EQ(Bytes(wire.begin(), wire.begin() + 5), header(22, kTls10, 16384));
  sender.consume_output(wire.size());
  EXPECT_TRUE(sender.pending_output().empty());

  RecordLayer receiver;
  Bytes received;
  for (const std::uint8_t byte : wire) {
    receiver.feed(ByteView(&byte, 1));
    auto records = drain(receiver);
    ASSERT_TRUE(records.ok()) << records.error().message();
    for (const auto& [type, fragment] : *records) {
      EXPECT_EQ(type, ContentType::handshake);
      EXPECT_LE(fragment.size(), kMaxPlaintextLength);
      received.insert(received.end(), fragment.begin(), fragment.end());
    }
  }
  EXPECT_EQ(received, data);
  EXPECT_EQ(receiver.buffered_input(), 0u);
}

TEST(TlsRecordLayer, ProtectedTrafficSwitchesAtChangeCipherSpec) {
  for (const CipherSuite& suite : supported_cipher_suites()) {
    RecordLayer client;
    RecordLayer server;
    client.lock_version();
    server.lock_version();
    Pair keys = make_pair(suite, 8);
    ASSERT_TRUE(client.write(ContentType::handshake, random_bytes(9, 50)).ok());
    ASSERT_TRUE(client.write_change_cipher_spec(std::move(keys.writer)).ok());
    const Bytes finished = random_bytes(10, 16);
    ASSERT_TRUE(client.write(ContentType::handshake, finished).ok());
    const Bytes app = random_bytes(11, 20000);
    ASSERT_TRUE(client.write(ContentType::application_data, app).ok());
    ASSERT_TRUE(client.write(ContentType::application_data, {}).ok());  // allowed when empty

    server.expect_change_cipher_spec(std::move(keys.reader));
    server.feed(client.pending_output());
    auto records = drain(server);
    ASSERT_TRUE(records.ok()) << suite.name << ": " << records.error().message();
    ASSERT_EQ(records->size(), 6u);
    EXPECT_EQ((*records)[1].first, ContentType::change_cipher_spec);
    EXPECT_EQ((*records)[2].second, finished);
    Bytes joined = (*records)[3].second;
    joined.insert(joined.end(), (*records)[4].second.begin(), (*records)[4].second.end());
    EXPECT_EQ(joined, app);
    EXPECT_TRUE((*records)[5].second.empty());
    EXPECT_TRUE(server.read_protected());
    EXPECT_FALSE(server.change_cipher_spec_expected());
  }
}

TEST(TlsRecordLayer, TamperedProtectedRecordPoisonsTheReader) {
  const CipherSuite& suite = supported_cipher_suites()[0];
  RecordLayer client;
  RecordLayer server;
  client.lock_version();
  Pair keys = make_pair(suite, 12);
  ASSERT_TRUE(client.write_change_cipher_spec(std::move(keys.writer)).ok());
  ASSERT_TRUE(client.write(ContentType::application_data, random_bytes(13, 30)).ok());
  Bytes wire = to_bytes(client.pending_output());
  wire.back() ^= 1;
  server.expect_change_cipher_spec(std::move(keys.reader));
  server.feed(wire);
  auto ccs = server.next_record();
  ASSERT_TRUE(ccs.ok() && ccs->has_value());
  auto bad = server.next_record();
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, Errc::bad_record_mac);
  EXPECT_EQ(alert_for(bad.error().code), AlertDescription::bad_record_mac);
  // The first error stays.
  auto again = server.next_record();
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, Errc::bad_record_mac);
}

struct BadInput {
  const char* name;
  Bytes wire;
  bool locked;
  bool protected_reader;
  Errc code;
  AlertDescription alert;
  const char* text;
};

TEST(TlsRecordLayer, RejectsMalformedRecordsWithTheRightAlert) {
  const auto with_body = [](Bytes head, std::size_t length) {
    head.resize(head.size() + length, 0x01);
    return head;
  };
  const auto with_value = [](Bytes head, std::uint8_t value) {
    head.push_back(value);
    return head;
  };
  const std::vector<BadInput> cases{
      {"unknown type", header(24, kTls12, 1), false, false, Errc::unexpected_message,
       AlertDescription::unexpected_message, "unknown content type 24"},
      {"type zero", header(0, kTls12, 1), false, false, Errc::unexpected_message,
       AlertDescription::unexpected_message, "unknown content type 0"},
      {"not TLS", header(22, 0x0200, 1), false, false, Errc::protocol_version,
       AlertDescription::protocol_version, "0x0200"},
      {"0x0304 record", header(22, 0x0304, 1), false, false, Errc::protocol_version,
       AlertDescription::protocol_version, "0x0304"},
      {"TLS 1.0 after hello", header(22, kTls10, 1), true, false, Errc::protocol_version,
       AlertDescription::protocol_version, "0x0301 where TLS 1.2"},
      // Judged on the header alone: no body follows.
      {"plaintext overflow", header(23, kTls12, kMaxPlaintextLength + 1), true, false,
       Errc::record_overflow, AlertDescription::record_overflow, "16385 bytes exceeds"},
      {"ciphertext overflow", header(23, kTls12, kMaxCiphertextLength + 1), true, true,
       Errc::record_overflow, AlertDescription::record_overflow, "16641 bytes exceeds"},
      {"empty handshake", header(22, kTls12, 0), true, false, Errc::decode_error,
       AlertDescription::decode_error, "empty handshake record"},
      {"empty alert", header(21, kTls12, 0), true, false, Errc::decode_error,
       AlertDescription::decode_error, "empty alert record"},
      {"CCS not 1", with_value(header(20, kTls12, 1), 0x00), true, false, Errc::decode_error,
       AlertDescription::decode_error, "single byte 1"},
      {"CCS too early", with_body(header(20, kTls12, 1), 1), true, false, Errc::unexpected_message,
       AlertDescription::unexpected_message, "ChangeCipherSpec before the keys"},
      {"short protected", with_body(header(23, kTls12, 10), 10), true, true, Errc::bad_record_mac,
       AlertDescription::bad_record_mac, "shorter than its nonce"},
  };
  for (const BadInput& input : cases) {
    RecordLayer layer;
    if (input.locked) {
      layer.lock_version();
    }
    if (input.protected_reader) {
      // Make the reader protected: feed it a CCS with keys pending.
      Pair keys = make_pair(supported_cipher_suites()[0], 14);
      layer.expect_change_cipher_spec(std::move(keys.reader));
      const Bytes ccs = with_body(header(20, kTls12, 1), 1);
      layer.feed(ccs);
      ASSERT_TRUE(layer.next_record().ok());
    }
    layer.feed(input.wire);
    auto result = layer.next_record();
    ASSERT_FALSE(result.ok()) << input.name;
    EXPECT_EQ(result.error().code, input.code) << input.name << ": " << result.error().message();
    EXPECT_EQ(alert_for(result.error().code), input.alert) << input.name;
    EXPECT_NE(result.error().message().find(input.text), std::string::npos)
        << input.name << ": " << result.error().message();
  }
}

TEST(TlsRecordLayer, WaitsForIncompleteRecordsAndRefusesEmptyControlWrites) {
  RecordLayer layer;
  const Bytes head = header(22, kTls12, 3);
  layer.feed(ByteView(head).first(4));
  auto partial = layer.next_record();
  ASSERT_TRUE(partial.ok());
  EXPECT_FALSE(partial->has_value());
  layer.feed(ByteView(head).subspan(4));
  layer.feed(Bytes{1, 2});
  ASSERT_FALSE(layer.next_record()->has_value());
  layer.feed(Bytes{3});
  auto whole = layer.next_record();
  ASSERT_TRUE(whole.ok() && whole->has_value());
  EXPECT_EQ(to_bytes((*whole)->fragment), (Bytes{1, 2, 3}));

  const Status empty = layer.write(ContentType::handshake, {});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, Errc::invalid_state);
  EXPECT_TRUE(layer.pending_output().empty());
  ASSERT_TRUE(layer.write_alert(AlertLevel::fatal, AlertDescription::bad_record_mac).ok());
  EXPECT_EQ(to_bytes(layer.pending_output()), (Bytes{21, 3, 1, 0, 2, 2, 20}));
}

TEST(TlsRecordLayer, WriteFailureLeavesOutputUnchanged) {
  // Exhaust the write sequence in the middle of a multi-record write.
  RecordLayer layer;
  layer.lock_version();
  const CipherSuite& suite = supported_cipher_suites()[0];
  auto writer = RecordProtection::create(suite, random_bytes(1, 16), random_bytes(2, 4),
                                         std::numeric_limits<std::uint64_t>::max() - 2);
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE(layer.write_change_cipher_spec(std::move(writer).value()).ok());
  const std::size_t before = layer.pending_output().size();
  const Status status =
      layer.write(ContentType::application_data, Bytes(3 * kMaxPlaintextLength, 0));
  expect_error(status, Errc::internal_error, "exhausted");
  EXPECT_EQ(layer.pending_output().size(), before);
  // Refused whole: the two records that still fit can be sent afterwards.
  ASSERT_TRUE(layer.write(ContentType::application_data, Bytes(2 * kMaxPlaintextLength, 0)).ok());
  expect_error(layer.write(ContentType::application_data, Bytes(1, 0)), Errc::internal_error,
               "exhausted");
}

}  // namespace
}  // namespace pgptls::tls
