// messages_capture.h: reads the plaintext handshake messages of a recorded
// GnuTLS 3.5 handshake (tests/data/gnutls-3.5/captures) with tshark, which
// the test runs, and our own record framing and reassembly.
#pragma once

#include <string>
#include <vector>

#include "tls/messages/handshake.h"

namespace pgptls::test {

// CaptureMessages: each side's handshake messages sent before its
// ChangeCipherSpec, in order.
struct CaptureMessages {
  std::vector<tls::messages::HandshakeMessage> client;
  std::vector<tls::messages::HandshakeMessage> server;
};

// capture_names: the recorded handshakes ("mutual-rsa", ...).
std::vector<std::string> capture_names();

// load_capture_messages: the messages of captures/<name>.pcap. Throws
// std::runtime_error when tshark fails or the capture does not frame.
CaptureMessages load_capture_messages(const std::string& name);

}  // namespace pgptls::test
