#include "tests/tls/messages_capture.h"

#include <sstream>
#include <stdexcept>

#include "base/byte_reader.h"
#include "base/encoding.h"
#include "tests/support/process.h"

namespace pgptls::test {

namespace {

constexpr std::uint8_t kChangeCipherSpec = 20;
constexpr std::uint8_t kHandshake = 22;

// handshake_before_ccs: frames a direction's TCP stream into records and
// reassembles the handshake records that precede ChangeCipherSpec.
std::vector<tls::messages::HandshakeMessage> handshake_before_ccs(const Bytes& stream) {
  base::ByteReader reader(stream);
  tls::messages::HandshakeReassembler reassembler(1 << 24);
  std::vector<tls::messages::HandshakeMessage> messages;
  while (!reader.empty()) {
    auto type = reader.u8();
    auto version = reader.u16();
    auto payload = reader.prefixed_bytes(base::LengthPrefix::u16);
    if (!type.ok() || !version.ok() || !payload.ok()) {
      throw std::runtime_error("capture stream does not frame into TLS records");
    }
    if (*type == kChangeCipherSpec) {
      break;
    }
    if (*type != kHandshake) {
      continue;
    }
    if (!reassembler.add(*payload).ok()) {
      throw std::runtime_error("capture handshake record rejected by the reassembler");
    }
    while (auto message = reassembler.next()) {
      messages.push_back(std::move(*message));
    }
  }
  return messages;
}

}  // namespace

std::vector<std::string> capture_names() {
  return {"mutual-rsa", "serveronly-rsa", "mutual-subkey-fingerprint", "mutual-chacha"};
}

CaptureMessages load_capture_messages(const std::string& name) {
  const std::string pcap =
      std::string(PGPTLS_TEST_DATA_DIR) + "/gnutls-3.5/captures/" + name + ".pcap";
  const ToolResult result =
      run_tool({"tshark", "-r", pcap, "-T", "fields", "-e", "tcp.srcport", "-e", "tcp.payload"});
  if (!result.ok()) {
    throw std::runtime_error("tshark failed on " + pcap + ": " + result.describe());
  }
  // The first packet is the client's SYN, so its source port is the client's.
  std::istringstream lines(result.out);
  std::string line;
  std::string client_port;
  Bytes client_stream;
  Bytes server_stream;
  while (std::getline(lines, line)) {
    const auto tab = line.find('\t');
    const std::string port = line.substr(0, tab);
    if (client_port.empty()) {
      client_port = port;
    }
    const std::string payload = tab == std::string::npos ? "" : line.substr(tab + 1);
    if (payload.empty()) {
      continue;
    }
    auto bytes = base::hex_decode(payload);
    if (!bytes.ok()) {
      throw std::runtime_error("tshark printed a payload that is not hex");
    }
    Bytes& stream = port == client_port ? client_stream : server_stream;
    stream.insert(stream.end(), bytes->begin(), bytes->end());
  }
  return CaptureMessages{handshake_before_ccs(client_stream), handshake_before_ccs(server_stream)};
}

}  // namespace pgptls::test
