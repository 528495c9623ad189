// endpoint.h: an endpoint's credentials and trust, built from the options
// an operator gives (command line or TOML, parsed by the program). The one
// API that `pgptls serve`, `connect`, `verify-cert`, the pins commands and
// an embedding XMPP server call, so none of them assembles credentials or
// trust on its own.
//
// Usage, one credential set (serve, connect):
//   endpoint::EndpointOptions options;           // filled from the command line/TOML
//   PGPTLS_TRY(auto endpoint, endpoint::load_endpoint(options, tls::Role::server));
//   transport::EngineFactory factory = endpoint::make_engine_factory(endpoint);
//
// Usage, several hosted domains sharing one trust state (an s2s proxy): load
// the trust once, then one credential set per hosted domain; every
// endpoint's verifier is the same object, so pins learned on first use and
// the keyring are shared.
//   std::vector<std::string> warnings;
//   PGPTLS_TRY(auto trust, endpoint::load_trust(trust_options, warnings));
//   for (const auto& [domain, credential_options] : hosted) {
//     PGPTLS_TRY(tls::Credentials credentials,
//                endpoint::load_credentials(credential_options, tls::Role::server));
//     PGPTLS_TRY(auto server, endpoint::make_endpoint(tls::Role::server,
//                                                     std::move(credentials), trust, settings));
//     factories[domain] = endpoint::make_engine_factory(server);
//   }
//
// Must never include: cli/ (CLI11, TOML parsing, printing); it sits on
// transport and below.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "endpoint/openpgp_credential.h"
#include "endpoint/trust.h"
#include "tls/engine/credentials.h"
#include "tls/engine/engine.h"
#include "tls/engine/peer_verifier.h"
#include "transport/engine_factory.h"
#include "transport/engine_selection.h"

namespace pgptls::endpoint {

// CredentialOptions: the files of one credential set, before any is read.
struct CredentialOptions {
  std::string x509_cert;  // --x509-cert: PEM chain, leaf first
  std::string x509_key;   // --x509-key
  // --openpgp-cert/-key/-subkey, the passphrase options and (client only)
  // --fingerprint-only.
  OpenPgpKeyOptions openpgp;
};

// SessionSettings: the per-endpoint choices that are neither credentials
// nor trust.
struct SessionSettings {
  // Server only: whether the client is asked for a certificate.
  tls::ClientAuth client_auth = tls::ClientAuth::require;
  // Client only: which engine to use for a peer (--mode).
  transport::ClientMode mode = transport::ClientMode::automatic;
  // How long a handshake may take; zero: no deadline of ours (a day).
  std::chrono::milliseconds handshake_timeout{10'000};
};

// EndpointOptions: everything `serve` and `connect` take, parsed.
struct EndpointOptions {
  CredentialOptions credentials;
  // --authority, --keyring, --pins, --tofu, --require-openpgp.
  TrustOptions trust;
  // connect only: --mode openpgp|x509|auto.
  std::string mode = "auto";
  // --client-auth none|request|require.
  std::string client_auth = "require";
  int handshake_timeout_ms = 10'000;
};

// Endpoint: what every connection of one credential set shares.
struct Endpoint {
  tls::Role role = tls::Role::client;
  // Credentials, client authentication, the trust decision and the
  // handshake deadline.
  std::shared_ptr<const transport::EngineSettings> settings;
  // The trust state (shared between endpoints built on the same one).
  std::shared_ptr<const Trust> trust;
  // Client only: which engine to use for the peer, and for mode auto
  // whether the keyring knows the peer as OpenPGP-capable.
  transport::ClientMode mode = transport::ClientMode::automatic;
  transport::KnowsOpenPgp knows_openpgp;
  // Problems that did not stop loading (skipped keyring files), for stderr.
  std::vector<std::string> warnings;
};

// load_credentials: reads the credential files (X.509 and/or OpenPGP). A
// server needs a certificate of either type; `x509_cert` and `x509_key`
// come together, and so do the OpenPGP certificate and key;
// fingerprint-only needs an OpenPGP credential. Failures name the file or
// option and how to fix it (base::Errc::invalid_value for a usage mistake).
[[nodiscard]] Result<tls::Credentials> load_credentials(const CredentialOptions& options,
                                                        tls::Role role);

// parse_session_settings: --client-auth, --mode and --handshake-timeout
// from their option text; fails with base::Errc::invalid_value naming the
// accepted values.
[[nodiscard]] Result<SessionSettings> parse_session_settings(const EndpointOptions& options);

// make_endpoint: one credential set over a (possibly shared) trust state.
// Even a server that never asks for a client certificate gets the
// verifier: the RFC 6091 engine refuses to start without one.
[[nodiscard]] std::shared_ptr<const Endpoint> make_endpoint(tls::Role role,
                                                            tls::Credentials credentials,
                                                            std::shared_ptr<const Trust> trust,
                                                            const SessionSettings& settings);

// load_endpoint: load_credentials, then load_trust (trust.h), then
// make_endpoint: the whole endpoint of `serve` or `connect`. Credentials
// are read first, so a wrong passphrase is reported before the state
// directory is touched.
[[nodiscard]] Result<std::shared_ptr<const Endpoint>> load_endpoint(const EndpointOptions& options,
                                                                    tls::Role role);

// make_engine_factory: the engine of each connection
// (transport/engine_selection.h): a server dispatches on the ClientHello
// (OpenPGP offered and we hold an OpenPGP credential: the RFC 6091 engine;
// else GnuTLS, X.509, TLS 1.3 and 1.2); a client follows its mode for the
// domain it dialled.
[[nodiscard]] transport::EngineFactory make_engine_factory(
    std::shared_ptr<const Endpoint> endpoint);

// handshake_ok_line: "handshake ok: <protocol> <suite> cert=<type>
// peer=<domains> <how accepted>", without the newline: the one line an
// operator sees per accepted handshake.
[[nodiscard]] std::string handshake_ok_line(const tls::SessionInfo& session);

// handshake_failed_line: "handshake failed: <reason>".
[[nodiscard]] std::string handshake_failed_line(const std::string& reason);

}  // namespace pgptls::endpoint
