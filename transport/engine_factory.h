// engine_factory.h: how a Stream obtains its TLS engine.
//
// The transport never decides which engine (RFC 6091 or GnuTLS) or which
// trust to use; the caller passes a factory. A client's factory is called
// once when the handshake starts, with no bytes. A server's factory is
// called with the bytes received so far (the start of the ClientHello) so a
// dispatcher can peek at it; it returns Errc::need_more_input while the
// ClientHello is incomplete, and the stream reads more (up to
// kMaxClientHelloPeek bytes) and calls it again. The stream then feeds those
// same bytes to the engine it got, so nothing is lost.
//
// Usage:
//   transport::EngineFactory factory = [&](const transport::EngineRequest& request)
//       -> Result<std::unique_ptr<tls::Engine>> {
//     return make_my_engine(request.role, request.options.peer_domain, ...);
//   };
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "tls/engine/engine.h"
#include "tls/wire/certificate_type.h"
#include "tls/wire/client_hello_peek.h"
#include "tls/wire/messages/handshake.h"
#include "tls/wire/record_header.h"

namespace pgptls::transport {

// ClientMode: which engine a client uses for a peer: the
// RFC 6091 engine offering OpenPGP then X.509 (TLS 1.2), the GnuTLS engine
// (X.509, TLS 1.3 preferred), or automatic (OpenPGP when the keyring knows
// the peer's domain as OpenPGP-capable, else X.509).
enum class ClientMode : std::uint8_t { openpgp, x509, automatic };

// HandshakeOptions: per-connection choices handed to the engine factory.
struct HandshakeOptions {
  // The domain the local side expects the peer to prove (a client knows whom
  // it dialled; a server usually learns it later and leaves this empty).
  std::optional<std::string> peer_domain;
  // ALPN protocols to offer (client) or accept (server), in preference order.
  std::vector<std::string> alpn;
  // Client only: the mode for this connection, overriding the factory's
  // default (e.g. a server that dials one peer known to need X.509).
  std::optional<ClientMode> client_mode;
  // The handshake deadline, enforced by the Stream with a timer for every
  // engine (an engine's own clock only runs when bytes arrive, and a
  // silent peer sends none). When it passes, the handshake completes with
  // transport::Errc::handshake_timeout. Zero: no deadline.
  std::chrono::milliseconds timeout{0};

  // for_peer: the options of a client that dials `domain`.
  static HandshakeOptions for_peer(std::string domain) {
    HandshakeOptions options;
    options.peer_domain = std::move(domain);
    return options;
  }
};

// EngineRequest: what the factory is told.
struct EngineRequest {
  tls::Role role = tls::Role::client;
  const HandshakeOptions& options;
  // Server only: the bytes received so far (at least one byte).
  ByteView first_bytes;
};

// EngineFactory: makes the engine for one connection, or fails with an Error
// that explains why (shown to operators); transport::Errc::need_more_input
// asks for more ClientHello bytes.
using EngineFactory =
    std::function<Result<std::unique_ptr<tls::Engine>>(const EngineRequest& request)>;

// kMaxClientHelloPeek: the most bytes a server buffers before an engine is
// chosen: a backstop above the dispatcher's own caps (tls::PeekLimits, a
// hello of tls::kMaxClientHelloSize, which it refuses with an alert). A
// hello may span records (RFC 5246 §6.2.1), so its records' headers count
// too: room for the largest hello, with its handshake header, in 1-byte
// records.
inline constexpr std::size_t kMaxClientHelloPeek =
    (tls::kRecordHeaderLength + 1) *
    (tls::kMaxClientHelloSize + tls::messages::kHandshakeHeaderLength);

}  // namespace pgptls::transport
