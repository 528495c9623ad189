// client_hello_peek.h: the server-side dispatcher that reads the first TLS
// records up to a complete ClientHello and decides which engine serves the
// connection, or refuses the client with the alert the RFCs name.
//
// It reads records and the hello through the same code as the RFC 6091
// engine (tls::read_record_header, messages::HandshakeReassembler,
// messages::parse_client_hello), so the dispatcher and the engine cannot
// disagree on what a valid first flight is. It never copies the connection's
// bytes: the caller keeps them (the transport's receive buffer) and passes
// the whole buffer each time; only the hello's handshake bytes are
// reassembled (once) when it spans records.
//
// The choice (RFC 6091 §3.1, the one place it is made):
//  * the client's certificate types are its cert_type list, or [X.509] when
//    the extension is absent. OpenPGP offered and served (a credential, and
//    the policy allows it) -> the RFC 6091 engine, which selects among the
//    types it holds in the client's order; else X.509 offered and served ->
//    the GnuTLS engine; else unsupported_certificate;
//  * a hello that offers neither TLS 1.2 nor 1.3 -> protocol_version
//    (RFC 5246 Appendix E.1);
//  * a TLS 1.2 handshake requires extended_master_secret (RFC 7627 §5.2),
//    whichever engine runs it -> insufficient_security without it.
//
// Usage (transport):
//   tls::ClientHelloPeek peek(clock, {.openpgp = true, .x509 = true, .tls13 = true});
//   on bytes: PGPTLS_TRY(auto decision, peek.examine(all_bytes_received_so_far));
//             if (decision) { make the chosen engine; engine->start();
//                             engine->feed(all_bytes_received_so_far); }
//   on error: send tls::alert_for(error.code) and close (RFC 5246 §7.2.2).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/result.h"
#include "tls/wire/certificate_type.h"
#include "tls/wire/messages/handshake.h"
#include "tls/wire/messages/hello.h"

namespace pgptls::tls {

// kMaxClientHelloSize: the ClientHello message body a server accepts by
// default. RFC 5246 §7.4.1.2 allows up to 2^24-1 and a hello may span
// records (§6.2.1); GnuTLS accepts 64 KiB, and real hellos (large padding,
// many extensions, post-quantum key shares) fit.
inline constexpr std::size_t kMaxClientHelloSize = 64 * 1024;

// PeekLimits: the caps on an unauthenticated peer's first flight.
struct PeekLimits {
  std::size_t max_client_hello_size = kMaxClientHelloSize;
  // How long the whole ClientHello may take to arrive.
  std::chrono::milliseconds timeout{10'000};
};

// ServerOffer: what the server can serve, for the choice above.
struct ServerOffer {
  bool openpgp = false;  // an OpenPGP credential, and the policy allows OpenPGP
  // A credential for the GnuTLS engine: X.509, or a raw public key (which
  // RFC 7250 negotiates by its own extensions, within "X.509" here).
  bool x509 = false;
  bool tls13 = true;  // the GnuTLS engine may negotiate TLS 1.3
};

// ClientHelloSummary: what the dispatcher learnt from the ClientHello.
struct ClientHelloSummary {
  std::uint16_t legacy_version = 0;
  // The certificate types of cert_type (RFC 6091 §2) in the client's order;
  // nullopt when the extension is absent (which means X.509 only).
  std::optional<std::vector<CertificateType>> certificate_types;
  // supported_versions (RFC 8446 §4.2.1) lists TLS 1.3 (0x0304).
  bool offers_tls13 = false;
  // The client can speak TLS 1.2: supported_versions lists 0x0303, or
  // without that extension legacy_version is at least 0x0303.
  bool offers_tls12 = false;
  // extended_master_secret (RFC 7627 §5.1) is present.
  bool offers_extended_master_secret = false;

  // offers: whether the client accepts certificates of `type`.
  [[nodiscard]] bool offers(CertificateType type) const;
};

// summarize_client_hello: the summary of a parsed ClientHello. Decodes every
// extension pgptls reads (cert_type, supported_versions, server_name with
// its DNS name rule, supported_groups, signature_algorithms,
// ec_point_formats, renegotiation_info, extended_master_secret, ALPN) with
// the codec, whichever engine will run: decode_error, or illegal_parameter
// for a host_name that is no DNS name (RFC 6066 §3).
[[nodiscard]] Result<ClientHelloSummary> summarize_client_hello(const messages::ClientHello& hello);

// EngineChoice: which engine serves the connection.
enum class EngineChoice : std::uint8_t { rfc6091, gnutls };

// choose_engine: the choice of the file comment for a hello and a server;
// fails with unsupported_certificate, protocol_version or insufficient_security.
[[nodiscard]] Result<EngineChoice> choose_engine(const ClientHelloSummary& hello,
                                                 const ServerOffer& server);

// DispatchDecision: the choice and the hello's summary. The bytes to feed
// the chosen engine are the caller's: everything passed to examine().
struct DispatchDecision {
  EngineChoice engine = EngineChoice::gnutls;
  ClientHelloSummary hello;
};

// ClientHelloPeek: reads records until a complete ClientHello.
class ClientHelloPeek {
 public:
  // The deadline starts now (clock.now() + limits.timeout). The clock must
  // outlive the peek.
  ClientHelloPeek(const base::Clock& clock, ServerOffer server, PeekLimits limits = {});

  // examine: takes every byte received so far (each call's bytes start with
  // the previous call's) and reads the records not read before. Returns the
  // decision once the ClientHello is complete, nullopt while more bytes are
  // needed. Fails for good, with the error whose alert the server sends
  // (tls::alert_for):
  //   * Errc::timeout after the deadline;
  //   * the record header rules of tls::read_record_header (any {03,XX}
  //     version, RFC 5246 Appendix E.1; 2^14 bytes, record_overflow);
  //   * Errc::protocol_version for an SSL 2 style hello;
  //   * Errc::unexpected_message for a record of another content type
  //     before the hello is complete, a first handshake message that is not
  //     a ClientHello, or handshake bytes after the hello in its record
  //     (RFC 5246 §7.4: the client sends nothing more before the server's
  //     flight);
  //   * Errc::decode_error for an empty handshake record or a malformed
  //     hello, Errc::illegal_parameter for a repeated extension or a hello
  //     over limits.max_client_hello_size;
  //   * the choice's errors (choose_engine);
  //   * Errc::invalid_state once a decision was returned, or when the bytes
  //     are shorter than the previous call's.
  [[nodiscard]] Result<std::optional<DispatchDecision>> examine(ByteView received);

  // check_deadline: fails with Errc::timeout once the deadline has passed
  // (for the transport's timer).
  [[nodiscard]] Status check_deadline() const;
  [[nodiscard]] base::TimePoint deadline() const { return deadline_; }

  // examined: how many bytes of the input were read as whole records.
  [[nodiscard]] std::size_t examined() const { return offset_; }

 private:
  [[nodiscard]] Result<std::optional<DispatchDecision>> process(ByteView received);
  [[nodiscard]] Result<DispatchDecision> decide(const messages::HandshakeMessage& hello);

  const base::Clock& clock_;
  ServerOffer server_;
  PeekLimits limits_;
  base::TimePoint deadline_;
  // Offset of the first record not read yet, and how many bytes were seen.
  std::size_t offset_ = 0;
  std::size_t seen_ = 0;
  messages::HandshakeReassembler handshake_;
  bool decided_ = false;
  std::optional<Error> failure_;
};

}  // namespace pgptls::tls
