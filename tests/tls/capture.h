// capture.h: the GnuTLS 3.5 reference handshakes (tests/data/gnutls-3.5/
// captures/) as data for tests: the TCP payload of each direction in time
// order (extracted by running tshark), the NSS key log, and a decoder that
// splits records and handshake messages and decrypts the protected part with
// pgptls's record layer and key schedule.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"

namespace pgptls::tls::test {

// CaptureChunk: the payload of consecutive TCP segments in one direction.
struct CaptureChunk {
  bool from_client = true;
  Bytes bytes;
};

// Capture: one recorded connection.
struct Capture {
  std::string name;
  std::vector<CaptureChunk> chunks;     // both directions, in time order
  std::map<std::string, Bytes> keylog;  // lowercase hex client_random -> master secret

  // stream: every byte one side sent, concatenated.
  [[nodiscard]] Bytes stream(bool from_client) const;
};

// capture_directory: tests/data/gnutls-3.5/captures.
[[nodiscard]] std::filesystem::path capture_directory();

// capture_names: "mutual-chacha", "mutual-rsa", ... (every .pcap there).
[[nodiscard]] std::vector<std::string> capture_names();

// load_capture: runs `tshark -z follow,tcp,raw,0` on NAME.pcap and reads
// NAME.keylog. Fails with a message naming the tool output on any problem.
[[nodiscard]] Result<Capture> load_capture(const std::string& name);

// RawRecord: a record as it is on the wire.
struct RawRecord {
  std::uint8_t type = 0;
  std::uint16_t version = 0;
  Bytes fragment;
};

// split_records: cuts a stream into records (ByteReader; fails on a
// truncated record).
[[nodiscard]] Result<std::vector<RawRecord>> split_records(ByteView stream);

// HandshakeMessage: one handshake message with its 4-byte header, as hashed
// into the transcript.
struct HandshakeMessage {
  bool from_client = true;
  std::uint8_t type = 0;
  Bytes bytes;  // header + body
  bool was_encrypted = false;
};

// CapturedSignature: a handshake signature and the bytes it covers.
struct CapturedSignature {
  std::uint16_t scheme = 0;
  Bytes signed_data;
  Bytes signature;
};

// DecodedCapture: everything in a capture after decryption.
struct DecodedCapture {
  std::vector<HandshakeMessage> messages;  // in transcript order
  std::uint16_t cipher_suite = 0;
  Bytes client_random;
  Bytes server_random;
  Bytes master_secret;
  int finished_verified = 0;              // Finished messages that verified (2 when all is well)
  std::vector<Bytes> client_application;  // decrypted application_data records
  std::vector<Bytes> server_application;
  std::vector<Bytes> alerts;  // decrypted alert records, both directions
  // ServerKeyExchange (RFC 8422 §5.4: over client_random ‖ server_random ‖
  // ServerECDHParams) and CertificateVerify (RFC 5246 §7.4.8: over every
  // handshake message before it), when present.
  std::optional<CapturedSignature> server_key_exchange;
  std::optional<CapturedSignature> certificate_verify;
};

// decode_capture: replays both directions through two RecordLayers: hashes
// the handshake messages into a Transcript, derives the key block from the
// key log's master secret at ServerHello, switches to AEAD at each
// ChangeCipherSpec, and checks each Finished with check_finished(). Fails
// with the first error (e.g. decrypt_error for a Finished that does not
// verify, bad_record_mac for a record that does not decrypt).
[[nodiscard]] Result<DecodedCapture> decode_capture(const Capture& capture);

}  // namespace pgptls::tls::test
