// messages_test.cpp: every handshake message of the recorded GnuTLS 3.5
// handshakes parses and re-encodes; negative vectors for each parser.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "base/encoding.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/tls/capture.h"
#include "tls/crypto/prf.h"
#include "tls/wire/errors.h"
#include "tls/wire/messages/certificate.h"
#include "tls/wire/messages/certificate_request.h"
#include "tls/wire/messages/extensions.h"
#include "tls/wire/messages/handshake.h"
#include "tls/wire/messages/hello.h"
#include "tls/wire/messages/key_exchange.h"
#include "tls/wire/messages/simple.h"

namespace pgptls::tls::messages {
namespace {

// CaptureMessages: each side's handshake messages (bodies), decrypted ones
// included, read with tls-crypto's capture decoder (tshark + key log).
struct CaptureMessages {
  std::vector<HandshakeMessage> client;
  std::vector<HandshakeMessage> server;
};

CaptureMessages load_capture_messages(const std::string& name) {
  auto capture = pgptls::tls::test::load_capture(name);
  if (!capture.ok()) {
    throw std::runtime_error(capture.error().message());
  }
  auto decoded = pgptls::tls::test::decode_capture(*capture);
  if (!decoded.ok()) {
    throw std::runtime_error(decoded.error().message());
  }
  CaptureMessages result;
  for (const auto& message : decoded->messages) {
    HandshakeMessage body{message.type, Bytes(message.bytes.begin() + 4, message.bytes.end())};
    (message.from_client ? result.client : result.server).push_back(std::move(body));
  }
  return result;
}

std::string keys_dir() {
  return std::string(PGPTLS_TEST_DATA_DIR) + "/gnutls-3.5/keys/";
}

std::map<std::string, std::string> fingerprints() {
  std::ifstream in(keys_dir() + "FINGERPRINTS.txt");
  std::map<std::string, std::string> result;
  std::string name;
  std::string fingerprint;
  while (in >> name >> fingerprint) {
    result[name] = fingerprint;
  }
  return result;
}

// key_id_of: a v4 key ID is the low 64 bits of the fingerprint.
std::string key_id_of(const std::string& fingerprint) {
  return fingerprint.substr(24);
}

std::string upper_hex(ByteView bytes) {
  return base::hex_encode_upper(bytes);
}

class CaptureMessagesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    captures_ = new std::map<std::string, CaptureMessages>();
    for (const std::string& name : pgptls::tls::test::capture_names()) {
      (*captures_)[name] = load_capture_messages(name);
    }
  }
  static void TearDownTestSuite() {
    delete captures_;
    captures_ = nullptr;
  }
  static const CaptureMessages& capture(const std::string& name) { return captures_->at(name); }
  static std::map<std::string, CaptureMessages>* captures_;
};
std::map<std::string, CaptureMessages>* CaptureMessagesTest::captures_ = nullptr;

std::vector<std::uint8_t> types_of(const std::vector<HandshakeMessage>& messages) {
  std::vector<std::uint8_t> types;
  for (const auto& message : messages) {
    types.push_back(message.type);
  }
  return types;
}

const HandshakeMessage& find(const std::vector<HandshakeMessage>& messages, HandshakeType type) {
  for (const auto& message : messages) {
    if (message.type == static_cast<std::uint8_t>(type)) {
      return message;
    }
  }
  throw std::runtime_error("message not in capture");
}

// parse_and_reencode: parses one message by type and returns its encoding
// (the OpenPGP Certificate in the RFC layout, see the test below).
Result<Bytes> parse_and_reencode(const HandshakeMessage& message) {
  const MessageLimits limits;
  switch (static_cast<HandshakeType>(message.type)) {
    case HandshakeType::client_hello: {
      PGPTLS_TRY(const auto hello, parse_client_hello(message.body));
      return encode_client_hello(hello);
    }
    case HandshakeType::server_hello: {
      PGPTLS_TRY(const auto hello, parse_server_hello(message.body));
      return encode_server_hello(hello);
    }
    case HandshakeType::certificate: {
      PGPTLS_TRY(auto certificate, parse_openpgp_certificate(message.body, limits));
      certificate.layout = OpenPgpLayout::rfc;
      return encode_openpgp_certificate(certificate);
    }
    case HandshakeType::server_key_exchange: {
      PGPTLS_TRY(const auto exchange, parse_server_key_exchange(message.body));
      return encode_server_key_exchange(exchange);
    }
    case HandshakeType::certificate_request: {
      PGPTLS_TRY(const auto request, parse_certificate_request(message.body));
      return encode_certificate_request(request);
    }
    case HandshakeType::server_hello_done: {
      PGPTLS_CHECK(parse_server_hello_done(message.body));
      return Bytes{};
    }
    case HandshakeType::client_key_exchange: {
      PGPTLS_TRY(const auto point, parse_client_key_exchange(message.body));
      return encode_client_key_exchange(point);
    }
    case HandshakeType::certificate_verify: {
      PGPTLS_TRY(const auto verify, parse_certificate_verify(message.body));
      return encode_certificate_verify(verify);
    }
    case HandshakeType::finished: {
      PGPTLS_TRY(const Bytes verify_data, parse_finished(message.body, tls::kVerifyDataLength));
      return verify_data;
    }
    case HandshakeType::new_session_ticket: {
      PGPTLS_TRY(const auto ticket, parse_new_session_ticket(message.body));
      return encode_new_session_ticket(ticket);
    }
    default:
      return make_error(Errc::unexpected_message, "unexpected type in capture");
  }
}

TEST_F(CaptureMessagesTest, MessageSequencesAreTheRecordedOnes) {
  using V = std::vector<std::uint8_t>;
  // Client: ClientHello, [Certificate], ClientKeyExchange, [CertificateVerify],
  // Finished. Server: ServerHello, Certificate, ServerKeyExchange,
  // [CertificateRequest], ServerHelloDone, NewSessionTicket, Finished.
  EXPECT_EQ(types_of(capture("mutual-rsa").client), (V{1, 11, 16, 15, 20}));
  EXPECT_EQ(types_of(capture("mutual-rsa").server), (V{2, 11, 12, 13, 14, 4, 20}));
  EXPECT_EQ(types_of(capture("serveronly-rsa").client), (V{1, 16, 20}));
  EXPECT_EQ(types_of(capture("serveronly-rsa").server), (V{2, 11, 12, 14, 4, 20}));
  EXPECT_EQ(types_of(capture("mutual-subkey-fingerprint").client), (V{1, 11, 16, 15, 20}));
  EXPECT_EQ(types_of(capture("mutual-chacha").client), (V{1, 11, 16, 15, 20}));
}

TEST_F(CaptureMessagesTest, EveryMessageParsesAndReencodes) {
  for (const std::string& name : pgptls::tls::test::capture_names()) {
    for (const auto* side : {&capture(name).client, &capture(name).server}) {
      for (const HandshakeMessage& message : *side) {
        SCOPED_TRACE(name + " " + std::string(handshake_type_name(message.type)));
        auto encoded = parse_and_reencode(message);
        ASSERT_TRUE(encoded.ok()) << encoded.error().message();
        if (message.type == static_cast<std::uint8_t>(HandshakeType::certificate)) {
          // The recorded body is GnuTLS's uint24 (with its wrong value) and
          // then exactly the RFC structure.
          ASSERT_EQ(message.body.size(), encoded->size() + 3);
          EXPECT_EQ(Bytes(message.body.begin() + 3, message.body.end()), *encoded);
        } else {
          EXPECT_EQ(*encoded, message.body);
        }
      }
    }
  }
}

TEST_F(CaptureMessagesTest, EveryTruncationAndEveryTrailingByteIsRejected) {
  for (const std::string& name : pgptls::tls::test::capture_names()) {
    for (const auto* side : {&capture(name).client, &capture(name).server}) {
      for (const HandshakeMessage& message : *side) {
        SCOPED_TRACE(name + " " + std::string(handshake_type_name(message.type)));
        // Prefixes near the end of a long message are the interesting ones;
        // test all of a short message and a stride of a long one.
        const std::size_t stride = message.body.size() > 512 ? 97 : 1;
        for (std::size_t length = 0; length < message.body.size(); length += stride) {
          HandshakeMessage cut{message.type,
                               Bytes(message.body.begin(),
                                     message.body.begin() + static_cast<std::ptrdiff_t>(length))};
          const auto parsed = parse_and_reencode(cut);
          if (parsed.ok() && message.type <= 2) {
            // A hello may end before its extension block (RFC 5246
            // §7.4.1.2); that prefix is a valid hello without extensions.
            const bool has_block = message.type == 1
                                       ? parse_client_hello(cut.body)->has_extension_block
                                       : parse_server_hello(cut.body)->has_extension_block;
            EXPECT_FALSE(has_block);
            continue;
          }
          EXPECT_FALSE(parsed.ok()) << "prefix of " << length << " bytes parsed";
          if (!parsed.ok()) {
            EXPECT_EQ(alert_for(parsed.error().code), AlertDescription::decode_error)
                << parsed.error().message();
          }
        }
        if (message.type == static_cast<std::uint8_t>(HandshakeType::server_hello_done)) {
          continue;
        }
        HandshakeMessage longer = message;
        longer.body.push_back(0);
        const auto parsed = parse_and_reencode(longer);
        EXPECT_FALSE(parsed.ok());
      }
    }
  }
}

TEST_F(CaptureMessagesTest, CertTypeExtensionIsAsRecorded) {
  for (const std::string& name : pgptls::tls::test::capture_names()) {
    SCOPED_TRACE(name);
    auto client = parse_client_hello(find(capture(name).client, HandshakeType::client_hello).body);
    ASSERT_TRUE(client.ok());
    const Extension* offered = find_extension(client->extensions, ExtensionType::cert_type);
    ASSERT_NE(offered, nullptr);
    EXPECT_EQ(offered->data, (Bytes{0x02, 0x00, 0x01}));
    auto types = parse_client_cert_types(offered->data);
    ASSERT_TRUE(types.ok());
    EXPECT_EQ(*types,
              (std::vector<CertificateType>{CertificateType::x509, CertificateType::openpgp}));
    EXPECT_EQ(encode_client_cert_types(*types), offered->data);

    auto server = parse_server_hello(find(capture(name).server, HandshakeType::server_hello).body);
    ASSERT_TRUE(server.ok());
    const Extension* chosen = find_extension(server->extensions, ExtensionType::cert_type);
    ASSERT_NE(chosen, nullptr);
    auto type = parse_server_cert_type(chosen->data);
    ASSERT_TRUE(type.ok());
    EXPECT_EQ(*type, CertificateType::openpgp);
    EXPECT_EQ(encode_server_cert_type(*type), chosen->data);
    // Extended master secret on both sides (RFC 7627), as the README says.
    EXPECT_NE(find_extension(client->extensions, ExtensionType::extended_master_secret), nullptr);
    EXPECT_NE(find_extension(server->extensions, ExtensionType::extended_master_secret), nullptr);
  }
}

TEST_F(CaptureMessagesTest, ClientHelloExtensionsDecode) {
  auto hello =
      parse_client_hello(find(capture("mutual-rsa").client, HandshakeType::client_hello).body);
  ASSERT_TRUE(hello.ok());
  for (const Extension& extension : hello->extensions) {
    SCOPED_TRACE(extension.type);
    switch (static_cast<ExtensionType>(extension.type)) {
      case ExtensionType::supported_groups: {
        auto groups = parse_u16_list(extension.data);
        ASSERT_TRUE(groups.ok());
        EXPECT_NE(std::find(groups->begin(), groups->end(), 23), groups->end());  // secp256r1
        EXPECT_EQ(encode_u16_list(*groups), extension.data);
        break;
      }
      case ExtensionType::signature_algorithms: {
        auto schemes = parse_u16_list(extension.data);
        ASSERT_TRUE(schemes.ok());
        EXPECT_NE(std::find(schemes->begin(), schemes->end(), 0x0401), schemes->end());
        EXPECT_EQ(encode_u16_list(*schemes), extension.data);
        break;
      }
      case ExtensionType::ec_point_formats: {
        auto formats = parse_point_formats(extension.data);
        ASSERT_TRUE(formats.ok());
        EXPECT_EQ(formats->front(), kPointFormatUncompressed);
        EXPECT_EQ(encode_point_formats(*formats), extension.data);
        break;
      }
      case ExtensionType::renegotiation_info: {
        auto info = parse_renegotiation_info(extension.data);
        ASSERT_TRUE(info.ok());
        EXPECT_TRUE(info->empty());
        break;
      }
      case ExtensionType::extended_master_secret:
        EXPECT_TRUE(expect_empty_extension(extension.data, "extended_master_secret").ok());
        break;
      default:
        break;
    }
  }
}

TEST_F(CaptureMessagesTest, OpenPgpCertificatesNameTheSigningKey) {
  const auto fpr = fingerprints();
  const MessageLimits limits;
  // mutual-rsa: both send subkey_cert with their primary key's ID.
  auto server = parse_openpgp_certificate(
      find(capture("mutual-rsa").server, HandshakeType::certificate).body, limits);
  ASSERT_TRUE(server.ok());
  EXPECT_EQ(server->layout, OpenPgpLayout::gnutls);
  EXPECT_EQ(server->descriptor, OpenPgpDescriptor::subkey_cert);
  EXPECT_EQ(upper_hex(server->key_id), key_id_of(fpr.at("a")));
  auto client = parse_openpgp_certificate(
      find(capture("mutual-rsa").client, HandshakeType::certificate).body, limits);
  ASSERT_TRUE(client.ok());
  EXPECT_EQ(upper_hex(client->key_id), key_id_of(fpr.at("b")));

  // gpg reads the transferable key GnuTLS sent as a's certificate.
  pgptls::test::TempDir home;
  const auto key_file = home.file("sent.gpg");
  {
    std::ofstream out(key_file, std::ios::binary);
    out.write(reinterpret_cast<const char*>(server->transferable_key.data()),
              static_cast<std::streamsize>(server->transferable_key.size()));
  }
  const auto shown = pgptls::test::run_tool({"gpg", "--homedir", home.path().string(), "--batch",
                                             "--with-colons", "--show-keys", key_file.string()});
  ASSERT_TRUE(shown.ok()) << shown.describe();
  EXPECT_NE(shown.out.find("fpr:::::::::" + fpr.at("a") + ":"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("a.example"), std::string::npos);

  // mutual-subkey-fingerprint: the server names its [SA] subkey, the client
  // sends only its fingerprint.
  const auto& subkey = capture("mutual-subkey-fingerprint");
  auto sub_server =
      parse_openpgp_certificate(find(subkey.server, HandshakeType::certificate).body, limits);
  ASSERT_TRUE(sub_server.ok());
  EXPECT_EQ(upper_hex(sub_server->key_id), "8E622E61C5955DD4");
  auto sub_client =
      parse_openpgp_certificate(find(subkey.client, HandshakeType::certificate).body, limits);
  ASSERT_TRUE(sub_client.ok());
  EXPECT_EQ(sub_client->descriptor, OpenPgpDescriptor::subkey_cert_fingerprint);
  EXPECT_EQ(upper_hex(sub_client->fingerprint), fpr.at("b"));
  EXPECT_EQ(upper_hex(sub_client->key_id), key_id_of(fpr.at("b")));
}

TEST_F(CaptureMessagesTest, OpenPgpCertificateEncodesGnuTlsLayoutWithTrueLength) {
  const MessageLimits limits;
  auto parsed = parse_openpgp_certificate(
      find(capture("mutual-rsa").server, HandshakeType::certificate).body, limits);
  ASSERT_TRUE(parsed.ok());
  parsed->layout = OpenPgpLayout::gnutls;
  auto encoded = encode_openpgp_certificate(*parsed);
  ASSERT_TRUE(encoded.ok());
  base::ByteReader reader(*encoded);
  auto length = reader.u24();
  ASSERT_TRUE(length.ok());
  EXPECT_EQ(*length, encoded->size() - 3);
  // And the plain RFC layout of the same message reads back identically.
  parsed->layout = OpenPgpLayout::rfc;
  auto rfc = encode_openpgp_certificate(*parsed);
  ASSERT_TRUE(rfc.ok());
  auto again = parse_openpgp_certificate(*rfc, limits);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->layout, OpenPgpLayout::rfc);
  EXPECT_EQ(again->transferable_key, parsed->transferable_key);
  EXPECT_EQ(again->key_id, parsed->key_id);
}

TEST_F(CaptureMessagesTest, CertificateRequestHasNoAuthorities) {
  auto request = parse_certificate_request(
      find(capture("mutual-rsa").server, HandshakeType::certificate_request).body);
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->certificate_types, (Bytes{kRsaSign, kDssSign, kEcdsaSign}));
  EXPECT_TRUE(request->certificate_authorities.empty());
}

TEST_F(CaptureMessagesTest, ServerKeyExchangeIsSecp256r1WithRsaPkcs1Sha256) {
  auto exchange = parse_server_key_exchange(
      find(capture("mutual-rsa").server, HandshakeType::server_key_exchange).body);
  ASSERT_TRUE(exchange.ok());
  EXPECT_EQ(exchange->group, 23);
  EXPECT_EQ(exchange->public_key.size(), 65U);
  EXPECT_EQ(exchange->signed_params.scheme, 0x0401);
  auto params = exchange->params();
  ASSERT_TRUE(params.ok());
  EXPECT_EQ(params->size(), 4U + 65U);
}

TEST(MessageEncoders, FieldsThatDoNotFitAreErrorsNotEmptyBytes) {
  // RFC 8422 §5.4: the point has an 8-bit length.
  ServerKeyExchange exchange;
  exchange.group = 23;
  exchange.public_key = Bytes(256, 4);
  EXPECT_FALSE(exchange.params().ok());
  exchange.public_key.resize(255);
  auto params = exchange.params();
  ASSERT_TRUE(params.ok());
  EXPECT_EQ(params->size(), 4U + 255U);
  // RFC 5246 §7.4: a handshake body has a 24-bit length.
  HandshakeMessage huge;
  huge.type = 11;
  huge.body = Bytes(std::size_t{1} << 24, 0);
  EXPECT_FALSE(huge.encoded().ok());
  huge.body.pop_back();
  auto encoded = huge.encoded();
  ASSERT_TRUE(encoded.ok());
  EXPECT_EQ(encoded->size(), 4U + (std::size_t{1} << 24) - 1);
}

TEST_F(CaptureMessagesTest, ReassemblyAcrossAndWithinRecords) {
  // The server's first flight, as one stream, fed in every record size
  // from 1 byte up: the same messages come out.
  Bytes stream;
  const auto& flight = capture("mutual-rsa").server;
  for (const auto& message : flight) {
    auto encoded = message.encoded();
    ASSERT_TRUE(encoded.ok());
    stream.insert(stream.end(), encoded->begin(), encoded->end());
  }
  for (const std::size_t size : {std::size_t{1}, std::size_t{3}, std::size_t{100}, stream.size()}) {
    SCOPED_TRACE(size);
    HandshakeReassembler reassembler(MessageLimits{}.max_handshake_message);
    std::vector<HandshakeMessage> out;
    for (std::size_t offset = 0; offset < stream.size(); offset += size) {
      const std::size_t length = std::min(size, stream.size() - offset);
      ASSERT_TRUE(reassembler.add(ByteView(stream).subspan(offset, length)).ok());
      while (auto message = reassembler.next()) {
        out.push_back(std::move(*message));
      }
    }
    EXPECT_TRUE(reassembler.empty());
    ASSERT_EQ(out.size(), flight.size());
    for (std::size_t i = 0; i < out.size(); ++i) {
      EXPECT_EQ(out[i].type, flight[i].type);
      EXPECT_EQ(out[i].body, flight[i].body);
    }
  }
}

TEST_F(CaptureMessagesTest, ReassemblerRefusesOversizedMessageFromItsHeader) {
  const auto& certificate = find(capture("mutual-rsa").server, HandshakeType::certificate);
  HandshakeReassembler reassembler(certificate.body.size() - 1);
  auto encoded_result = certificate.encoded();
  ASSERT_TRUE(encoded_result.ok());
  const Bytes encoded = std::move(encoded_result).value();
  // Only the header arrives: the cap applies before the body is buffered.
  const auto status = reassembler.add(ByteView(encoded).first(4));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(alert_for(status.error().code), AlertDescription::illegal_parameter);
  EXPECT_NE(status.error().message().find("exceeds the policy cap"), std::string::npos);
  EXPECT_NE(status.error().message().find("certificate"), std::string::npos);
}

TEST(HandshakeReassembler, EmptyRecordAndPartialState) {
  HandshakeReassembler reassembler(1024);
  const auto status = reassembler.add({});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(alert_for(status.error().code), AlertDescription::decode_error);
  EXPECT_NE(status.error().message().find("zero-length"), std::string::npos);
  const Bytes partial{14, 0, 0};
  ASSERT_TRUE(reassembler.add(partial).ok());
  EXPECT_FALSE(reassembler.empty());
  EXPECT_FALSE(reassembler.next().has_value());
  const Bytes rest{0};
  ASSERT_TRUE(reassembler.add(rest).ok());
  auto done = reassembler.next();
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->type, 14);
  EXPECT_TRUE(done->body.empty());
  EXPECT_TRUE(reassembler.empty());
}

TEST_F(CaptureMessagesTest, DuplicateExtensionIsIllegalParameter) {
  auto hello =
      parse_client_hello(find(capture("mutual-rsa").client, HandshakeType::client_hello).body);
  ASSERT_TRUE(hello.ok());
  hello->extensions.push_back(*find_extension(hello->extensions, ExtensionType::cert_type));
  auto encoded = encode_client_hello(*hello);
  ASSERT_TRUE(encoded.ok());
  const auto parsed = parse_client_hello(*encoded);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(alert_for(parsed.error().code), AlertDescription::illegal_parameter);
  EXPECT_NE(parsed.error().message().find("extension 9 appears twice"), std::string::npos);
}

TEST_F(CaptureMessagesTest, UnknownExtensionIsKept) {
  auto hello =
      parse_client_hello(find(capture("mutual-rsa").client, HandshakeType::client_hello).body);
  ASSERT_TRUE(hello.ok());
  hello->extensions.push_back(Extension{0xFAFA, Bytes{1, 2, 3}});
  auto encoded = encode_client_hello(*hello);
  ASSERT_TRUE(encoded.ok());
  const auto parsed = parse_client_hello(*encoded);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->extensions.back(), (Extension{0xFAFA, Bytes{1, 2, 3}}));
}

TEST(OpenPgpCertificate, GnuTlsEmptyCertAndRfcEmptyCert) {
  const MessageLimits limits;
  // What GnuTLS 3.5 sends for a client without a key (README).
  const Bytes gnutls{0x00, 0x00, 0x04, 0x01, 0x00, 0x00, 0x00};
  auto parsed = parse_openpgp_certificate(gnutls, limits);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_EQ(parsed->descriptor, OpenPgpDescriptor::empty_cert);
  EXPECT_EQ(parsed->layout, OpenPgpLayout::gnutls);
  OpenPgpCertificateMessage empty;
  EXPECT_EQ(*encode_openpgp_certificate(empty), gnutls);
  empty.layout = OpenPgpLayout::rfc;
  const Bytes rfc = *encode_openpgp_certificate(empty);
  EXPECT_EQ(rfc, (Bytes(gnutls.begin() + 3, gnutls.end())));
  auto rfc_parsed = parse_openpgp_certificate(rfc, limits);
  ASSERT_TRUE(rfc_parsed.ok());
  EXPECT_EQ(rfc_parsed->layout, OpenPgpLayout::rfc);
}

TEST(OpenPgpCertificate, Rejections) {
  const MessageLimits limits;
  OpenPgpCertificateMessage message;
  message.descriptor = OpenPgpDescriptor::subkey_cert_fingerprint;
  message.key_id = Bytes(8, 0xAB);
  message.fingerprint = Bytes(19, 0xCD);  // below PGPSubKeyCertFingerprint<20..255>
  auto encoded = encode_openpgp_certificate(message);
  ASSERT_TRUE(encoded.ok());
  auto parsed = parse_openpgp_certificate(*encoded, limits);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(alert_for(parsed.error().code), AlertDescription::decode_error);
  EXPECT_NE(parsed.error().message().find("malformed OpenPGP Certificate"), std::string::npos);

  message.key_id = Bytes(7, 0xAB);  // below PGPKeyID<8..255>
  message.fingerprint = Bytes(20, 0xCD);
  parsed = parse_openpgp_certificate(*encode_openpgp_certificate(message), limits);
  EXPECT_FALSE(parsed.ok());

  // A descriptor outside 1..3.
  const Bytes unknown{0x00, 0x00, 0x04, 0x07, 0x00, 0x00, 0x00};
  parsed = parse_openpgp_certificate(unknown, limits);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(alert_for(parsed.error().code), AlertDescription::illegal_parameter);
  EXPECT_NE(parsed.error().message().find("descriptor 7"), std::string::npos);

  // A key above the certificate cap.
  message.descriptor = OpenPgpDescriptor::subkey_cert;
  message.key_id = Bytes(8, 0xAB);
  message.transferable_key = Bytes(limits.max_certificate + 1, 0x99);
  parsed = parse_openpgp_certificate(*encode_openpgp_certificate(message), limits);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(alert_for(parsed.error().code), AlertDescription::bad_certificate);
  EXPECT_NE(parsed.error().message().find("exceeds the policy cap"), std::string::npos);

  // empty_cert with content.
  const Bytes stuffed{0x01, 0x00, 0x00, 0x01, 0xFF};
  parsed = parse_openpgp_certificate(stuffed, limits);
  EXPECT_FALSE(parsed.ok());
  EXPECT_FALSE(parse_openpgp_certificate({}, limits).ok());
}

TEST(X509Certificate, RoundTripAndRejections) {
  MessageLimits limits;
  X509CertificateMessage chain{{Bytes{0x30, 0x03, 0x02, 0x01, 0x01}, Bytes{0x30, 0x00}}};
  auto encoded = encode_x509_certificate(chain);
  ASSERT_TRUE(encoded.ok());
  auto parsed = parse_x509_certificate(*encoded, limits);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->chain, chain.chain);
  // An empty list is a client without a certificate.
  auto empty = parse_x509_certificate(*encode_x509_certificate({}), limits);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->chain.empty());
  // ASN.1Cert<1..2^24-1>: an empty certificate is malformed.
  const Bytes zero{0x00, 0x00, 0x03, 0x00, 0x00, 0x00};
  auto bad = parse_x509_certificate(zero, limits);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(alert_for(bad.error().code), AlertDescription::decode_error);
  limits.max_chain_length = 1;
  bad = parse_x509_certificate(*encoded, limits);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(alert_for(bad.error().code), AlertDescription::bad_certificate);
  EXPECT_NE(bad.error().message().find("chain longer than the policy cap"), std::string::npos);
  limits.max_chain_length = 8;
  limits.max_certificate = 4;
  bad = parse_x509_certificate(*encoded, limits);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("exceeds the policy cap of 4 bytes"), std::string::npos);
}

TEST(Extensions, Rejections) {
  auto types = parse_client_cert_types(Bytes{0x00});
  ASSERT_FALSE(types.ok());
  EXPECT_NE(types.error().message().find("malformed cert_type"), std::string::npos);
  auto server_type = parse_server_cert_type(Bytes{0x01, 0x00});
  ASSERT_FALSE(server_type.ok());
  EXPECT_NE(server_type.error().message().find("exactly one"), std::string::npos);

  auto one = encode_server_name("a.example");
  ASSERT_TRUE(one.ok());
  auto name = parse_server_name(*one);
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(name->value(), "a.example");
  // Two host names in one list.
  Bytes two = *one;
  base::ByteReader first(*one);
  ASSERT_TRUE(first.u16().ok());
  const ByteView entry = first.rest();
  two.insert(two.end(), entry.begin(), entry.end());
  two[1] = static_cast<std::uint8_t>(2 * entry.size());
  auto duplicate = parse_server_name(two);
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(alert_for(duplicate.error().code), AlertDescription::illegal_parameter);

  EXPECT_FALSE(parse_u16_list(Bytes{0x00, 0x03, 0x00, 0x17, 0x00}).ok());
  EXPECT_FALSE(parse_u16_list(Bytes{0x00, 0x00}).ok());
  EXPECT_FALSE(parse_point_formats(Bytes{0x00}).ok());
  auto reneg = parse_renegotiation_info(Bytes{0x00, 0x01});
  ASSERT_FALSE(reneg.ok());
  EXPECT_NE(reneg.error().message().find("renegotiation_info"), std::string::npos);
  const auto ems = expect_empty_extension(Bytes{0x00}, "extended_master_secret");
  ASSERT_FALSE(ems.ok());
  EXPECT_NE(ems.error().message().find("extended_master_secret"), std::string::npos);

  const std::vector<std::string> alpn{"xmpp-server", "xmpp-client"};
  auto alpn_bytes = encode_alpn(alpn);
  ASSERT_TRUE(alpn_bytes.ok());
  auto alpn_back = parse_alpn(*alpn_bytes);
  ASSERT_TRUE(alpn_back.ok());
  EXPECT_EQ(*alpn_back, alpn);
  EXPECT_FALSE(parse_alpn(Bytes{0x00, 0x01, 0x00}).ok());
  EXPECT_FALSE(encode_alpn(std::vector<std::string>{""}).ok());

  auto versions = parse_client_supported_versions(Bytes{0x02, 0x03, 0x04});
  ASSERT_TRUE(versions.ok());
  EXPECT_EQ(*versions, (std::vector<std::uint16_t>{kTls13}));
  EXPECT_FALSE(parse_client_supported_versions(Bytes{0x03, 0x03, 0x04, 0x03}).ok());
}

// Every uint16 vector (RFC 5246 §4.3) holds whole uint16s: an odd length is
// a decode_error naming the field, in a hello, a CertificateRequest and an
// extension alike.
TEST(Uint16Vectors, OddLengthIsDecodeErrorNamingTheField) {
  const auto expect_odd = [](const Error& error, std::string_view field) {
    EXPECT_EQ(alert_for(error.code), AlertDescription::decode_error);
    EXPECT_NE(error.message().find(std::string(field) + " has an odd length"), std::string::npos)
        << error.message();
  };
  Bytes hello{0x03, 0x03};
  hello.insert(hello.end(), 32, 0x00);            // random
  const Bytes rest{0x00,                          // session_id <0..32>
                   0x00, 0x03, 0x00, 0x2F, 0x00,  // cipher_suites: 3 bytes
                   0x01, 0x00};                   // compression_methods
  hello.insert(hello.end(), rest.begin(), rest.end());
  auto client_hello = parse_client_hello(hello);
  ASSERT_FALSE(client_hello.ok());
  expect_odd(client_hello.error(), "cipher_suites");
  EXPECT_NE(client_hello.error().message().find("malformed ClientHello"), std::string::npos);

  auto request =
      parse_certificate_request(Bytes{0x01, 0x01, 0x00, 0x03, 0x04, 0x01, 0x05, 0x00, 0x00});
  ASSERT_FALSE(request.ok());
  expect_odd(request.error(), "supported_signature_algorithms");

  auto list = parse_u16_list(Bytes{0x00, 0x03, 0x00, 0x17, 0x00});
  ASSERT_FALSE(list.ok());
  expect_odd(list.error(), "uint16 list extension");

  auto versions = parse_client_supported_versions(Bytes{0x03, 0x03, 0x04, 0x03});
  ASSERT_FALSE(versions.ok());
  expect_odd(versions.error(), "supported_versions extension");
}

TEST(SimpleMessages, FinishedDoneTicketAlert) {
  EXPECT_TRUE(parse_server_hello_done({}).ok());
  const auto done = parse_server_hello_done(Bytes{0});
  ASSERT_FALSE(done.ok());
  EXPECT_EQ(alert_for(done.error().code), AlertDescription::decode_error);
  EXPECT_TRUE(parse_finished(Bytes(12, 1), tls::kVerifyDataLength).ok());
  const auto finished = parse_finished(Bytes(11, 1), tls::kVerifyDataLength);
  ASSERT_FALSE(finished.ok());
  EXPECT_NE(finished.error().message().find("expected 12"), std::string::npos);
  EXPECT_FALSE(parse_new_session_ticket(Bytes{0, 0, 0}).ok());
  auto alert = parse_alert(Bytes{2, 40});
  ASSERT_TRUE(alert.ok());
  EXPECT_EQ(alert->level, AlertLevel::fatal);
  EXPECT_EQ(alert->description, AlertDescription::handshake_failure);
  EXPECT_FALSE(parse_alert(Bytes{3, 0}).ok());
  EXPECT_FALSE(parse_alert(Bytes{2}).ok());
}

TEST(KeyExchange, Rejections) {
  ServerKeyExchange exchange;
  exchange.group = 29;
  exchange.public_key = Bytes(32, 7);
  exchange.signed_params = DigitallySigned{0x0807, Bytes(64, 9)};
  auto encoded = encode_server_key_exchange(exchange);
  ASSERT_TRUE(encoded.ok());
  auto parsed = parse_server_key_exchange(*encoded);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->public_key, exchange.public_key);
  Bytes explicit_curve = *encoded;
  explicit_curve[0] = 1;
  parsed = parse_server_key_exchange(explicit_curve);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(alert_for(parsed.error().code), AlertDescription::illegal_parameter);
  EXPECT_NE(parsed.error().message().find("named_curve"), std::string::npos);
  EXPECT_FALSE(parse_client_key_exchange(Bytes{0x00}).ok());
  EXPECT_FALSE(parse_certificate_verify(Bytes{0x08, 0x07, 0x00}).ok());
}

}  // namespace
}  // namespace pgptls::tls::messages
