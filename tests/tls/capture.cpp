#include "tests/tls/capture.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "base/byte_reader.h"
#include "base/encoding.h"
#include "base/file.h"
#include "tests/support/process.h"
#include "tls/crypto/prf.h"
#include "tls/crypto/transcript.h"
#include "tls/rfc6091/record_layer.h"
#include "tls/wire/cipher_suite.h"
#include "tls/wire/errors.h"

namespace pgptls::tls::test {
namespace {

constexpr std::uint8_t kClientHello = 1;
constexpr std::uint8_t kServerHello = 2;
constexpr std::uint8_t kServerKeyExchange = 12;
constexpr std::uint8_t kCertificateVerify = 15;
constexpr std::uint8_t kFinished = 20;

Error capture_error(const std::string& text) {
  return make_error(Errc::decode_error, text);
}

// Direction: one side's record layer and handshake reassembly buffer.
struct Direction {
  RecordLayer records;
  Bytes handshake_buffer;
};

}  // namespace

Bytes Capture::stream(bool from_client) const {
  Bytes out;
  for (const CaptureChunk& chunk : chunks) {
    if (chunk.from_client == from_client) {
      out.insert(out.end(), chunk.bytes.begin(), chunk.bytes.end());
    }
  }
  return out;
}

std::filesystem::path capture_directory() {
  return std::filesystem::path(PGPTLS_TEST_DATA_DIR) / "gnutls-3.5" / "captures";
}

std::vector<std::string> capture_names() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(capture_directory())) {
    if (entry.path().extension() == ".pcap") {
      names.push_back(entry.path().stem().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

Result<Capture> load_capture(const std::string& name) {
  Capture capture;
  capture.name = name;
  const auto pcap = capture_directory() / (name + ".pcap");
  const pgptls::test::ToolResult follow =
      pgptls::test::run_tool({"tshark", "-r", pcap.string(), "-q", "-z", "follow,tcp,raw,0"});
  if (!follow.ok()) {
    return capture_error("tshark on " + pcap.string() + ": " + follow.describe());
  }
  // The follow output lists one hex line per chunk after the "Node 1:" line;
  // lines of the second node (the server) start with a tab.
  std::istringstream lines(follow.out);
  std::string line;
  bool in_body = false;
  while (std::getline(lines, line)) {
    if (line.rfind("Node 1:", 0) == 0) {
      in_body = true;
      continue;
    }
    if (!in_body || line.empty() || line[0] == '=') {
      continue;
    }
    const bool from_server = line[0] == '\t';
    auto bytes = base::hex_decode(from_server ? line.substr(1) : line);
    if (!bytes.ok()) {
      return capture_error("unexpected tshark line in " + name + ": " + line);
    }
    capture.chunks.push_back(CaptureChunk{!from_server, std::move(bytes).value()});
  }
  if (capture.chunks.empty()) {
    return capture_error("tshark found no TCP payload in " + pcap.string());
  }

  PGPTLS_TRY(const Bytes keylog, base::read_file(capture_directory() / (name + ".keylog")));
  std::istringstream keylog_lines(std::string(keylog.begin(), keylog.end()));
  while (std::getline(keylog_lines, line)) {
    std::istringstream fields(line);
    std::string label, random, secret;
    if (fields >> label >> random >> secret && label == "CLIENT_RANDOM") {
      PGPTLS_TRY(Bytes master, base::hex_decode(secret));
      std::transform(random.begin(), random.end(), random.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      capture.keylog[random] = std::move(master);
    }
  }
  return capture;
}

Result<std::vector<RawRecord>> split_records(ByteView stream) {
  std::vector<RawRecord> records;
  base::ByteReader reader(stream);
  while (!reader.empty()) {
    RawRecord record;
    PGPTLS_TRY(record.type, reader.u8());
    PGPTLS_TRY(record.version, reader.u16());
    PGPTLS_TRY(const ByteView fragment, reader.prefixed_bytes(base::LengthPrefix::u16));
    record.fragment = to_bytes(fragment);
    records.push_back(std::move(record));
  }
  return records;
}

Result<DecodedCapture> decode_capture(const Capture& capture) {
  DecodedCapture decoded;
  Direction client;
  Direction server;
  Transcript transcript;
  const CipherSuite* suite = nullptr;

  // on_message: one whole handshake message, in transcript order.
  auto on_message = [&](bool from_client, ByteView message, bool encrypted) -> Status {
    const std::uint8_t type = message[0];
    base::ByteReader body(message.subspan(4));
    if (type == kClientHello) {
      PGPTLS_CHECK(body.skip(2));  // client_version
      PGPTLS_TRY(const ByteView random, body.bytes(kRandomLength));
      decoded.client_random = to_bytes(random);
    }
    if (type == kServerKeyExchange) {
      // ServerECDHParams: curve_type(1) named_curve(2) point<1..255>, then
      // the signature's scheme(2) and signature<0..2^16-1>.
      const ByteView body_bytes = body.rest();
      PGPTLS_CHECK(body.skip(3));
      PGPTLS_CHECK(body.prefixed_bytes(base::LengthPrefix::u8, 1));
      const ByteView params = body_bytes.first(body_bytes.size() - body.remaining());
      CapturedSignature signature;
      PGPTLS_TRY(signature.scheme, body.u16());
      PGPTLS_TRY(const ByteView bytes, body.prefixed_bytes(base::LengthPrefix::u16));
      signature.signature = to_bytes(bytes);
      signature.signed_data = decoded.client_random;
      signature.signed_data.insert(signature.signed_data.end(), decoded.server_random.begin(),
                                   decoded.server_random.end());
      signature.signed_data.insert(signature.signed_data.end(), params.begin(), params.end());
      decoded.server_key_exchange = std::move(signature);
    }
    if (type == kCertificateVerify) {
      CapturedSignature signature;
      PGPTLS_TRY(signature.scheme, body.u16());
      PGPTLS_TRY(const ByteView bytes, body.prefixed_bytes(base::LengthPrefix::u16));
      signature.signature = to_bytes(bytes);
      signature.signed_data = to_bytes(transcript.messages());
      decoded.certificate_verify = std::move(signature);
    }
    if (type == kFinished) {
      PGPTLS_TRY(const Bytes transcript_hash, transcript.current_hash());
      PGPTLS_CHECK(check_finished(suite->prf_hash, decoded.master_secret,
                                  from_client ? Role::client : Role::server, transcript_hash,
                                  message.subspan(4)));
      ++decoded.finished_verified;
    }
    PGPTLS_CHECK(transcript.append(message));
    decoded.messages.push_back(HandshakeMessage{from_client, type, to_bytes(message), encrypted});
    if (type == kServerHello) {
      // ServerHello: version(2) random(32) session_id<0..32> cipher_suite(2).
      PGPTLS_CHECK(body.skip(2));
      PGPTLS_TRY(const ByteView random, body.bytes(kRandomLength));
      decoded.server_random = to_bytes(random);
      PGPTLS_CHECK(body.prefixed_bytes(base::LengthPrefix::u8, 0, 32));
      PGPTLS_TRY(decoded.cipher_suite, body.u16());
      suite = find_cipher_suite(decoded.cipher_suite);
      if (suite == nullptr) {
        return capture_error("capture uses a cipher suite pgptls does not implement");
      }
      PGPTLS_CHECK(transcript.select_hash(suite->prf_hash));
      const auto found = capture.keylog.find(base::hex_encode(decoded.client_random));
      if (found == capture.keylog.end()) {
        return capture_error("no key log line for this connection's client random");
      }
      decoded.master_secret = found->second;
      PGPTLS_TRY(const KeyBlock keys,
                 derive_key_block(*suite, decoded.master_secret, decoded.client_random,
                                  decoded.server_random));
      PGPTLS_TRY(auto client_write,
                 RecordProtection::create(*suite, keys.client_write_key, keys.client_write_iv));
      PGPTLS_TRY(auto server_write,
                 RecordProtection::create(*suite, keys.server_write_key, keys.server_write_iv));
      client.records.expect_change_cipher_spec(std::move(client_write));
      server.records.expect_change_cipher_spec(std::move(server_write));
      client.records.lock_version();
      server.records.lock_version();
    }
    return {};
  };

  for (const CaptureChunk& chunk : capture.chunks) {
    Direction& side = chunk.from_client ? client : server;
    side.records.feed(chunk.bytes);
    while (true) {
      PGPTLS_TRY(const auto record, side.records.next_record());
      if (!record) {
        break;
      }
      switch (record->type) {
        case ContentType::handshake: {
          side.handshake_buffer.insert(side.handshake_buffer.end(), record->fragment.begin(),
                                       record->fragment.end());
          const bool encrypted = side.records.read_protected();
          // Take every complete message (several may share a record, one may
          // span records).
          while (side.handshake_buffer.size() >= 4) {
            base::ByteReader header(side.handshake_buffer);
            PGPTLS_CHECK(header.skip(1));
            PGPTLS_TRY(const std::uint32_t length, header.u24());
            if (side.handshake_buffer.size() < 4 + std::size_t{length}) {
              break;
            }
            const Bytes message(side.handshake_buffer.begin(),
                                side.handshake_buffer.begin() + 4 + length);
            side.handshake_buffer.erase(side.handshake_buffer.begin(),
                                        side.handshake_buffer.begin() + 4 + length);
            PGPTLS_CHECK(on_message(chunk.from_client, message, encrypted));
          }
          break;
        }
        case ContentType::application_data:
          (chunk.from_client ? decoded.client_application : decoded.server_application)
              .push_back(to_bytes(record->fragment));
          break;
        case ContentType::alert:
          decoded.alerts.push_back(to_bytes(record->fragment));
          break;
        case ContentType::change_cipher_spec:
          break;
      }
    }
  }
  return decoded;
}

}  // namespace pgptls::tls::test
