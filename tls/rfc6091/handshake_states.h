// handshake_states.h: the explicit states of the RFC 6091 engine. Data a
// state needs exists only in the states after it was obtained: the
// negotiated suite after ServerHello, the verified peer after Certificate,
// the master secret after the key exchange, and so on.
#pragma once

#include <optional>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

#include "base/secret.h"
#include "tls/crypto/key_exchange.h"
#include "tls/crypto/record_protection.h"
#include "tls/rfc6091/handshake_proofs.h"
#include "tls/rfc6091/negotiation.h"
#include "tls/wire/messages/certificate_request.h"
#include "tls/wire/messages/hello.h"

namespace pgptls::tls::states {

// Client states, in handshake order.
struct ClientIdle {};
struct ExpectServerHello {
  messages::ClientHello offered;
};
struct ExpectServerCertificate {
  ClientNegotiated negotiated;
};
struct ExpectServerKeyExchange {
  ClientNegotiated negotiated;
  PeerProof server;
};
// ServerKeyExchanged: what the client holds once the server's signed key
// share verified.
struct ServerKeyExchanged {
  ClientNegotiated negotiated;
  AuthenticatedPeer server;
  NamedGroup group;
  Bytes server_public;
};
struct ExpectCertificateRequestOrDone {
  ServerKeyExchanged exchanged;
};
struct ExpectServerHelloDone {
  ServerKeyExchanged exchanged;
  messages::CertificateRequest request;
};
struct ExpectServerChangeCipherSpec {
  const CipherSuite* suite;
  AuthenticatedPeer server;
  base::SecretBytes master_secret;
};
struct ExpectServerFinished {
  const CipherSuite* suite;
  AuthenticatedPeer server;
  base::SecretBytes master_secret;
};

// Server states, in handshake order.
struct ExpectClientHello {};
// ServerFlightSent: what the server holds after its first flight.
struct ServerFlightSent {
  ServerChoice choice;
  EcdheKeyPair key;
  std::vector<std::uint16_t> requested_schemes;  // in CertificateRequest
};
struct ExpectClientCertificate {
  ServerFlightSent sent;
};
struct ExpectClientKeyExchange {
  ServerFlightSent sent;
  std::optional<PeerProof> client;  // nullopt: anonymous (ClientAuth::request)
};
struct ExpectCertificateVerify {
  ServerChoice choice;
  std::vector<std::uint16_t> requested_schemes;
  PeerProof client;
  base::SecretBytes master_secret;
  RecordProtection server_write;
};
struct ExpectClientChangeCipherSpec {
  ServerChoice choice;
  std::optional<AuthenticatedPeer> client;
  base::SecretBytes master_secret;
  RecordProtection server_write;
};
struct ExpectClientFinished {
  ServerChoice choice;
  std::optional<AuthenticatedPeer> client;
  base::SecretBytes master_secret;
  RecordProtection server_write;
};

// Traffic: application data flows. Reaching it takes a FinishedProof and,
// for a client always and for a server whenever the client presented a
// certificate, an AuthenticatedPeer (moved into SessionInfo on entry).
struct Traffic {
  FinishedProof finished;
  bool close_sent = false;
  // close_arrived: the peer's close_notify was decrypted, behind application
  // data the application has not read yet; close_received: the application
  // read up to it, so it took effect (RFC 5246 §7.2.1).
  bool close_arrived = false;
  bool close_received = false;
};
struct Failed {};

using State =
    std::variant<ClientIdle, ExpectServerHello, ExpectServerCertificate, ExpectServerKeyExchange,
                 ExpectCertificateRequestOrDone, ExpectServerHelloDone,
                 ExpectServerChangeCipherSpec, ExpectServerFinished, ExpectClientHello,
                 ExpectClientCertificate, ExpectClientKeyExchange, ExpectCertificateVerify,
                 ExpectClientChangeCipherSpec, ExpectClientFinished, Traffic, Failed>;

// state_name: the name table for logs ("ExpectServerHello", ...).
[[nodiscard]] std::string_view state_name(const State& state) noexcept;
// state_names: every state's name, in the variant's order.
[[nodiscard]] std::span<const std::string_view> state_names() noexcept;

}  // namespace pgptls::tls::states
