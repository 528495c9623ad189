// rfc6091_engine.h: pgptls's own TLS 1.2 engine for OpenPGP (RFC 6091) and
// X.509 certificates, behind the sans-IO Engine interface.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "base/clock.h"
#include "base/result.h"
#include "base/rng.h"
#include "tls/engine/credentials.h"
#include "tls/engine/engine.h"
#include "tls/engine/peer_verifier.h"
#include "tls/rfc6091/negotiation.h"
#include "tls/wire/messages/types.h"

namespace pgptls::tls {

// Rfc6091Config: one connection's configuration. The Rng, Clock and
// PeerVerifier are shared so one set serves many connections.
struct Rfc6091Config {
  Role role = Role::client;
  NegotiationPolicy policy;
  Credentials credentials;
  std::shared_ptr<PeerVerifier> verifier;
  std::shared_ptr<base::Rng> rng;
  std::shared_ptr<const base::Clock> clock;
  // server_name: the SNI a client sends (and, without expected_peer_domain,
  // the domain it expects the server to prove).
  std::optional<std::string> server_name;
  // expected_peer_domain: the domain the peer must be authenticated for.
  std::optional<std::string> expected_peer_domain;
  // client_auth: whether a server asks for a client certificate (s2s: require).
  ClientAuth client_auth = ClientAuth::require;
  messages::MessageLimits limits;
  // handshake_timeout: the handshake must finish this long after start()
  // (client) or the first byte (server), by the injected clock.
  std::chrono::milliseconds handshake_timeout{30'000};
};

// make_rfc6091_engine: an engine for the configuration. Fails with
// invalid_state when the verifier, RNG or clock is missing, or a server has
// no credential of any policy certificate type.
[[nodiscard]] Result<std::unique_ptr<Engine>> make_rfc6091_engine(Rfc6091Config config);

}  // namespace pgptls::tls
