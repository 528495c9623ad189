// client_hello_peek.h: the server-side dispatcher that reads the first TLS
// records up to a complete ClientHello and decides which engine serves the
// connection: the RFC 6091 engine when the hello offers OpenPGP certificates
// (cert_type, RFC 6091 §2) and the server has an OpenPGP credential, the
// GnuTLS engine otherwise. The bytes it read are handed on unchanged.
//
// Usage (transport):
//   tls::ClientHelloPeek peek(clock, server_has_openpgp);
//   arm a timer for peek.deadline();
//   on bytes: PGPTLS_TRY(auto decision, peek.feed(bytes));
//             if (decision) { make the chosen engine; engine->start();
//                             engine->feed(decision->buffered); }
//   on timer: if (!peek.check_deadline()) drop the connection.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/result.h"

namespace pgptls::tls {

// PeekLimits: the caps on an unauthenticated peer's first flight.
struct PeekLimits {
  // The ClientHello message body (RFC 5246 §7.4.1.2 allows up to 2^24-1; a
  // real hello, even with post-quantum key shares, is a few KiB).
  std::size_t max_client_hello_size = 16384;
  // How long the whole ClientHello may take to arrive.
  std::chrono::milliseconds timeout{10'000};
};

// ClientHelloSummary: what the dispatcher learnt from the ClientHello.
struct ClientHelloSummary {
  std::uint16_t legacy_version = 0;
  // cert_type (RFC 6091 §2) lists OpenPGP (1).
  bool offers_openpgp = false;
  // The certificate types of cert_type in the client's order (empty when the
  // extension is absent, which means X.509 only).
  std::vector<std::uint8_t> certificate_types;
  // supported_versions (RFC 8446 §4.2.1) lists TLS 1.3 (0x0304).
  bool offers_tls13 = false;
};

// EngineChoice: which engine serves the connection.
enum class EngineChoice : std::uint8_t { rfc6091, gnutls };

// DispatchDecision: the choice, the hello's summary, and every byte read so
// far (records of the ClientHello and anything after it), to feed to the
// chosen engine.
struct DispatchDecision {
  EngineChoice engine = EngineChoice::gnutls;
  ClientHelloSummary hello;
  Bytes buffered;
};

// parse_client_hello: parses a ClientHello handshake body (after the 4-byte
// handshake header) through ByteReader, enough to fill the summary; fails
// with a decode error on malformed input, trailing bytes or a repeated
// extension (RFC 5246 §7.4.1.4).
[[nodiscard]] Result<ClientHelloSummary> parse_client_hello(ByteView body);

// ClientHelloPeek: accumulates records until a complete ClientHello.
class ClientHelloPeek {
 public:
  // The deadline starts now (clock.now() + limits.timeout). The clock must
  // outlive the peek.
  ClientHelloPeek(const base::Clock& clock, bool server_has_openpgp, PeekLimits limits = {});

  // feed: takes network bytes. Returns the decision once the ClientHello is
  // complete, nullopt while more bytes are needed. Fails (for good) with
  // Errc::timeout after the deadline, Errc::record_overflow beyond the size
  // caps, Errc::unexpected_message for a record or message that is not
  // (part of) a ClientHello, Errc::protocol_version for an SSL 2 or
  // pre-TLS record, and decode errors for a malformed hello; with
  // Errc::invalid_state once a decision was returned. Each record is read
  // once, so the cost is linear however small the feeds are.
  [[nodiscard]] Result<std::optional<DispatchDecision>> feed(ByteView bytes);

  // check_deadline: fails with Errc::timeout once the deadline has passed
  // (for the transport's timer).
  [[nodiscard]] Status check_deadline() const;
  [[nodiscard]] base::TimePoint deadline() const { return deadline_; }

 private:
  [[nodiscard]] Result<std::optional<DispatchDecision>> process();

  const base::Clock& clock_;
  bool server_has_openpgp_;
  PeekLimits limits_;
  base::TimePoint deadline_;
  Bytes buffered_;
  // Offset in buffered_ after the last complete record, and the handshake
  // bytes those records carried.
  std::size_t record_offset_ = 0;
  Bytes handshake_;
  bool decided_ = false;
  std::optional<Error> failure_;
};

}  // namespace pgptls::tls
