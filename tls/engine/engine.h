// engine.h: the sans-IO interface shared by the RFC 6091 engine and the
// GnuTLS-backed engine. An engine never touches a socket: the transport
// feeds it network bytes and sends what it hands back.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"
#include "tls/engine/peer_verifier.h"
#include "tls/wire/certificate_type.h"

namespace pgptls::tls {

// EngineStatus: what the engine wants next, in this order of priority:
// has_output (send pending_output() first, also after a failure, to deliver
// the alert), failed, closed, established, need_input.
enum class EngineStatus : std::uint8_t {
  need_input,   // handshaking: feed more network bytes
  has_output,   // bytes are waiting in pending_output()
  established,  // handshake done: application data flows
  closed,       // the peer's close_notify received: no more data will come.
                // It is received when read_app() has delivered the data of
                // every record before it (a record in the stream, RFC 5246
                // §7.2.1), not when its bytes arrive. In TLS 1.2 ours is then
                // sent or queued in answer (RFC 5246 §7.2.1); in TLS 1.3
                // writes go on until our close() (RFC 8446 §6.1). After only
                // our own close(), reads go on (established) and writes fail
  failed,       // a fatal error; failure() says which
};

// SessionInfo: what was negotiated and verified, valid once established.
struct SessionInfo {
  std::string protocol;      // "TLS1.2" or "TLS1.3"
  std::string cipher_suite;  // IANA name, e.g. "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"
  std::string group;         // "x25519", "secp256r1", ...
  std::string alpn;          // negotiated ALPN protocol, or empty
  std::string server_name;   // SNI as sent (client) or received (server)
  CertificateType certificate_type = CertificateType::x509;
  // The verified peer; empty when the peer sent no certificate (a server
  // with ClientAuth::request and an anonymous client).
  std::optional<VerifiedPeer> peer;
};

// Engine: one TLS connection's state machine.
class Engine {
 public:
  virtual ~Engine() = default;

  // start: a client queues its ClientHello; a server does nothing. Fails if
  // called twice or after a failure.
  [[nodiscard]] virtual Status start() = 0;

  // feed: processes bytes received from the network. Decrypted application
  // data becomes available to read_app(). On a fatal error the engine is
  // poisoned for good, queues the alert, and returns (and keeps) the Error.
  [[nodiscard]] virtual Status feed(ByteView bytes) = 0;

  // pending_output / consume_output: bytes to send, and how many were sent.
  [[nodiscard]] virtual ByteView pending_output() const = 0;
  virtual void consume_output(std::size_t count) = 0;

  // write_app: encrypts application data into pending output; only when
  // established. Returns how many bytes were taken (all of them, in records
  // of at most 2^14 bytes).
  [[nodiscard]] virtual Result<std::size_t> write_app(ByteView data) = 0;

  // read_app: copies decrypted application data into `out`; returns 0 when
  // none is buffered (feed more input, or check status() for closed). A
  // call that finds no data left before the peer's close_notify receives
  // it: status() becomes closed, after our answer in TLS 1.2 (has_output).
  [[nodiscard]] virtual Result<std::size_t> read_app(std::span<std::uint8_t> out) = 0;

  // close: queues close_notify (RFC 5246 §7.2.1) and refuses later
  // write_app() calls; the peer's data keeps arriving through read_app()
  // (status() stays established) until its close_notify, when status()
  // becomes closed.
  [[nodiscard]] virtual Status close() = 0;

  // settle_peer: the final verdict on a provisional peer
  // (session().peer->pending, see PendingVerdict), once the handshake is
  // established: an acceptance replaces session().peer; a refusal
  // (passed through verifier_refusal, as at verification time) poisons
  // the engine and queues the fatal alert the error maps to, the same
  // rule as a refusal during the handshake, and is returned.
  [[nodiscard]] virtual Status settle_peer(Result<VerifiedPeer> verdict) = 0;

  [[nodiscard]] virtual EngineStatus status() const = 0;
  // failure: the error that poisoned the engine, if any.
  [[nodiscard]] virtual const std::optional<Error>& failure() const = 0;
  // session: what was negotiated; meaningful once established.
  [[nodiscard]] virtual const SessionInfo& session() const = 0;
  // state_name: the current state, for logs ("ExpectServerHello", ...).
  [[nodiscard]] virtual std::string_view state_name() const = 0;
};

}  // namespace pgptls::tls
