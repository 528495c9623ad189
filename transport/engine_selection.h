// engine_selection.h: the one place that chooses and configures the TLS
// engine of a connection.
//
//  * A server peeks at the ClientHello (tls::ClientHelloPeek: size cap and
//    deadline) and hands the connection to the RFC 6091 engine when the
//    first certificate type of the client's cert_type list (RFC 6091 §3.1)
//    that the server serves is OpenPGP (an OpenPGP credential, and
//    openpgp_policy allows OpenPGP), to the GnuTLS engine when it is X.509
//    (or the extension is absent). A hello the peek refuses gets its fatal
//    alert (RFC 5246 §7.2.2) from tls::make_refusal_engine.
//  * A client chooses per peer: ClientMode::openpgp (the RFC 6091 engine,
//    TLS 1.2, offering the policy's certificate types: OpenPGP, then X.509),
//    ClientMode::x509 (the GnuTLS engine, TLS 1.3 preferred), or
//    ClientMode::automatic (openpgp when the keyring knows the dialled domain
//    as OpenPGP-capable, x509 otherwise).
//
// Usage:
//   auto settings = std::make_shared<transport::EngineSettings>();
//   settings->credentials = ...; settings->verifier = trust_verifier; ...
//   transport::Server server(executor, endpoint,
//                            transport::make_server_engine_factory(settings), {}, limits, ...);
//   // a client:
//   PGPTLS_TRY(auto mode, transport::parse_client_mode("auto"));
//   transport::TcpStream tls(transport::make_client_engine_factory(
//       settings, mode, transport::make_knows_openpgp(openpgp_trust, pins)), executor);
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "base/rng.h"
#include "pins/pin_store.h"
#include "tls/engine/credentials.h"
#include "tls/engine/peer_verifier.h"
#include "tls/gnutls/gnutls_engine.h"
#include "tls/rfc6091/negotiation.h"
#include "tls/trust/trust_verifier.h"
#include "tls/wire/client_hello_peek.h"
#include "transport/engine_factory.h"

namespace pgptls::transport {

// EngineSettings: what every connection of a program shares, on every
// event-loop thread (`serve --threads`): the verifier, RNG and clock must
// be thread-safe (TrustVerifier over pins::PinCache and
// KeyringOpenPgpTrust, SystemRng and SystemClock are).
struct EngineSettings {
  // The local certificates: OpenPGP for the RFC 6091 engine, X.509 and raw
  // public keys for the GnuTLS engine (the RFC 6091 engine also uses X.509).
  tls::Credentials credentials;
  // Server only: whether the client is asked for a certificate (s2s: require).
  tls::ClientAuth client_auth = tls::ClientAuth::require;
  // The trust decision (tls::TrustVerifier in production). Required: the
  // RFC 6091 engine refuses to start without one (only a GnuTLS server with
  // ClientAuth::none would run without it).
  std::shared_ptr<tls::PeerVerifier> verifier;
  // For the RFC 6091 engine (randoms, key shares, its handshake deadline).
  std::shared_ptr<base::Rng> rng = std::make_shared<base::SystemRng>();
  std::shared_ptr<const base::Clock> clock = std::make_shared<base::SystemClock>();
  // The RFC 6091 engine's suites, groups, schemes and certificate types
  // (default: everything pgptls implements, OpenPGP before X.509).
  tls::NegotiationPolicy openpgp_policy;
  // The GnuTLS engine: certificate types (for our certificate and the
  // peer's, RFC 7250) and protocol versions. A client negotiates TLS 1.3
  // with any peer that has it.
  std::vector<tls::CertificateType> gnutls_certificate_types{tls::CertificateType::x509};
  tls::TlsVersion gnutls_min_version = tls::TlsVersion::tls12;
  tls::TlsVersion gnutls_max_version = tls::TlsVersion::tls13;
  // The RFC 6091 engine's handshake deadline, by `clock` (the transport's
  // own deadline covers both engines as well).
  std::chrono::milliseconds handshake_timeout{30'000};
  // Server only: caps on the ClientHello before an engine is chosen.
  tls::PeekLimits peek_limits;
};

// parse_client_mode: "openpgp", "x509" or "auto"; anything else fails with
// base::Errc::invalid_value naming the accepted values.
[[nodiscard]] Result<ClientMode> parse_client_mode(std::string_view text);

// client_mode_name: the inverse of parse_client_mode.
[[nodiscard]] std::string_view client_mode_name(ClientMode mode);

// make_server_engine_factory: peeks at the ClientHello and makes the
// RFC 6091 or the GnuTLS engine (see the file comment). The factory keeps
// the peek state of one connection and must therefore be copied per stream
// (transport::Server and Stream do: a Stream owns its copy); a call whose
// bytes are fewer than the previous call's starts a fresh peek. A refused
// hello (the peek's errors: tls::Errc::timeout after peek_limits.timeout,
// unexpected_message for a first record that is not a ClientHello,
// unsupported_certificate, ...) yields an engine that sends the alert and
// fails with that error; the factory itself fails only with the engine
// constructors' errors.
[[nodiscard]] EngineFactory make_server_engine_factory(
    std::shared_ptr<const EngineSettings> settings);

// KnowsOpenPgp: whether the keyring knows a domain as OpenPGP-capable.
using KnowsOpenPgp = std::function<Result<bool>(std::string_view domain)>;

// make_knows_openpgp: a domain is OpenPGP-capable when the keyring holds an
// authority-certified, currently valid certificate for it
// (OpenPgpTrust::domain_is_certified) or when it authenticated with OpenPGP
// before (PinStore::openpgp_auth). Either source may be nullptr (not
// consulted). Errors of either source are passed on.
[[nodiscard]] KnowsOpenPgp make_knows_openpgp(std::shared_ptr<tls::OpenPgpTrust> trust,
                                              std::shared_ptr<pins::PinAccess> pins);

// make_client_engine_factory: the engine of a client for `mode`, or for
// HandshakeOptions::client_mode when a connection sets one. The
// client sends HandshakeOptions::peer_domain as SNI (RFC 6066 §3) and
// accepts only a peer authenticated for it. ClientMode::automatic needs
// the peer domain and `knows_openpgp` (invalid_value otherwise, naming the
// fix); an error of knows_openpgp fails the connection.
[[nodiscard]] EngineFactory make_client_engine_factory(
    std::shared_ptr<const EngineSettings> settings, ClientMode mode,
    KnowsOpenPgp knows_openpgp = {});

}  // namespace pgptls::transport
