// hello_builder.h: the conformance corpus's own ClientHello encoder. It
// writes a TLS 1.2 ClientHello (RFC 5246 §7.4.1.2) from a HelloSpec and
// remembers where every length field is (the hello's vectors and each
// extension's), so the corpus can shorten, lengthen and overflow each one.
// Independent of tls/messages on purpose: the codec is what is under test.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/bytes.h"

namespace pgptls::conformance {

// HelloSpec: what the hello offers. The defaults are a hello every pgptls
// server accepts: TLS 1.2, ECDHE with AES-GCM and ChaCha20-Poly1305,
// x25519 and P-256, Ed25519/ECDSA/RSA-PSS signatures, EMS, secure
// renegotiation, uncompressed points and SNI a.example.
struct HelloSpec {
  std::uint16_t legacy_version = 0x0303;
  std::vector<std::uint16_t> cipher_suites{0xC02B, 0xC02C, 0xCCA9, 0xC02F, 0xC030, 0xCCA8};
  std::optional<std::string> server_name = "a.example";
  std::optional<std::vector<std::uint8_t>> cert_types;  // RFC 6091 §2
  bool extended_master_secret = true;                   // RFC 7627
  bool renegotiation_info = true;                       // RFC 5746
  bool point_formats = true;                            // RFC 8422 §5.1.2
  std::optional<std::size_t> padding;                   // RFC 7685, bytes of zeros
  // Extensions added verbatim after the others (type, data).
  std::vector<std::pair<std::uint16_t, Bytes>> extra;
};

// LengthField: one length field of the hello body.
struct LengthField {
  std::string name;        // "cipher_suites", "extension server_name", ...
  std::size_t offset = 0;  // in the body
  std::size_t width = 0;   // 1, 2 or 3 bytes
};

// BuiltHello: the ClientHello body and its length fields.
struct BuiltHello {
  Bytes body;
  std::vector<LengthField> fields;
  // offered_extensions: the extension types, in order.
  std::vector<std::uint16_t> offered_extensions;
};

[[nodiscard]] BuiltHello build_hello(const HelloSpec& spec);

// handshake: a handshake message (RFC 5246 §7.4): type, uint24 length, body.
[[nodiscard]] Bytes handshake(std::uint8_t type, const Bytes& body);

// records: `payload` in records of `type` and `version`, at most
// `fragment` bytes each (RFC 5246 §6.2.1).
[[nodiscard]] Bytes records(std::uint8_t type, const Bytes& payload, std::size_t fragment = 16384,
                            std::uint16_t version = 0x0301);

// read_field / write_field: a big-endian length field's value.
[[nodiscard]] std::size_t read_field(const Bytes& body, const LengthField& field);
void write_field(Bytes& body, const LengthField& field, std::size_t value);

}  // namespace pgptls::conformance
