// handshake_states.h: the explicit states of the RFC 6091 engine. Data a
// state needs exists only in the states after it was obtained: the
// negotiated suite after ServerHello, the verified peer after Certificate,
// the master secret after the key exchange, and so on. A state that waits
// for a handshake message names the types it takes in kAccepts, in the
// order of RFC 5246 §7.3 Figure 1; the engine dispatches on it and names
// it when another message arrives.
#pragma once

#include <array>
#include <optional>
#include <span>
#include <string>
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
#include "tls/wire/messages/types.h"

namespace pgptls::tls::states {

using messages::HandshakeType;

// Client states, in handshake order.
struct ClientIdle {};
struct ExpectServerHello {
  static constexpr std::array kAccepts{HandshakeType::server_hello};
  messages::ClientHello offered;
};
struct ExpectServerCertificate {
  static constexpr std::array kAccepts{HandshakeType::certificate};
  ClientNegotiated negotiated;
};
struct ExpectServerKeyExchange {
  static constexpr std::array kAccepts{HandshakeType::server_key_exchange};
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
  static constexpr std::array kAccepts{HandshakeType::certificate_request,
                                       HandshakeType::server_hello_done};
  ServerKeyExchanged exchanged;
};
struct ExpectServerHelloDone {
  static constexpr std::array kAccepts{HandshakeType::server_hello_done};
  ServerKeyExchanged exchanged;
  messages::CertificateRequest request;
};
struct ExpectServerChangeCipherSpec {
  const CipherSuite* suite;
  AuthenticatedPeer server;
  base::SecretBytes master_secret;
};
struct ExpectServerFinished {
  static constexpr std::array kAccepts{HandshakeType::finished};
  const CipherSuite* suite;
  AuthenticatedPeer server;
  base::SecretBytes master_secret;
};

// Server states, in handshake order.
struct ExpectClientHello {
  static constexpr std::array kAccepts{HandshakeType::client_hello};
};
// ServerFlightSent: what the server holds after its first flight.
struct ServerFlightSent {
  ServerChoice choice;
  EcdheKeyPair key;
  std::vector<std::uint16_t> requested_schemes;  // in CertificateRequest
};
struct ExpectClientCertificate {
  static constexpr std::array kAccepts{HandshakeType::certificate};
  ServerFlightSent sent;
};
struct ExpectClientKeyExchange {
  static constexpr std::array kAccepts{HandshakeType::client_key_exchange};
  ServerFlightSent sent;
  std::optional<PeerProof> client;  // nullopt: anonymous (ClientAuth::request)
};
struct ExpectCertificateVerify {
  static constexpr std::array kAccepts{HandshakeType::certificate_verify};
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
  static constexpr std::array kAccepts{HandshakeType::finished};
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

// expected_input: what `state` waits for from the peer, in words for an
// error ("certificate_request or server_hello_done", "ChangeCipherSpec");
// empty when it waits for nothing (ClientIdle, Traffic, Failed).
[[nodiscard]] std::string expected_input(const State& state);

// state_name: the name table for logs ("ExpectServerHello", ...).
[[nodiscard]] std::string_view state_name(const State& state) noexcept;
// state_names: every state's name, in the variant's order.
[[nodiscard]] std::span<const std::string_view> state_names() noexcept;

}  // namespace pgptls::tls::states
