// gnutls_engine.h: the tls::Engine for X.509 and raw public keys (RFC 7250)
// over TLS 1.3 and 1.2, driving GnuTLS 3.7 on memory buffers. It never does
// I/O: GnuTLS's push function appends to pending_output(), its pull function
// reads what feed() was given and answers EAGAIN when that is used up.
//
// Trust is never decided here: GnuTLS's own chain verification is not used;
// the peer's certificate goes to the PeerVerifier during the handshake (the
// session verify callback), and the key the verifier returns must be the
// key of the presented certificate, whose handshake signature GnuTLS checks.
//
// Usage (a server; a client sets role = client, server_name and
// expected_domain, and calls start() first):
//
//   tls::GnutlsEngineConfig config;
//   config.role = tls::Role::server;
//   config.credentials.x509 = tls::load_x509_credential_files(chain, key).value();
//   config.client_auth = tls::ClientAuth::require;
//   config.verifier = verifier;  // std::shared_ptr<tls::PeerVerifier>
//   PGPTLS_TRY(auto engine, tls::make_gnutls_engine(std::move(config)));
//   PGPTLS_CHECK(engine->start());
//   loop:
//     send engine->pending_output(), then engine->consume_output(sent);
//     on bytes from the socket: engine->feed(bytes) (an Error is final;
//       still send pending_output(), it holds the alert);
//     once status() == established: write_app()/read_app();
//     engine->close() to send close_notify.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "tls/engine/credentials.h"
#include "tls/engine/engine.h"
#include "tls/engine/peer_verifier.h"
#include "tls/wire/certificate_type.h"

namespace pgptls::tls {

// TlsVersion: the protocol versions the GnuTLS engine may negotiate.
enum class TlsVersion : std::uint8_t { tls12, tls13 };

// GnutlsEngineConfig: everything one connection needs.
struct GnutlsEngineConfig {
  Role role = Role::client;
  // The local certificates: x509 and/or raw_public_key (OpenPGP is the
  // RFC 6091 engine's and is ignored here).
  Credentials credentials;
  // Certificate types in preference order, for our certificate and the
  // peer's (RFC 7250 client_certificate_type / server_certificate_type). We
  // offer for our own certificate only the types we hold a credential for.
  std::vector<CertificateType> certificate_types{CertificateType::x509};
  TlsVersion min_version = TlsVersion::tls12;
  TlsVersion max_version = TlsVersion::tls13;
  // Server only: whether the client is asked for a certificate.
  ClientAuth client_auth = ClientAuth::none;
  // Client only: the SNI host name sent (RFC 6066 §3); empty sends none.
  std::string server_name;
  // ALPN protocols in preference order (RFC 7301); empty offers none. When
  // set, a peer without a common protocol fails the handshake.
  std::vector<std::string> alpn;
  // Decides about the peer's certificate. Required, except for a server
  // with client_auth none (it never sees a peer certificate).
  std::shared_ptr<PeerVerifier> verifier;
  // Passed to the verifier (a client knows whom it dialled).
  std::optional<std::string> expected_domain;
};

// make_gnutls_engine: builds an engine from a configuration. Fails with
// Errc::invalid_state for an inconsistent configuration (no verifier, no
// credential for a server, min_version above max_version, only OpenPGP
// requested) and Errc::internal_error when GnuTLS cannot set up a session.
[[nodiscard]] Result<std::unique_ptr<Engine>> make_gnutls_engine(GnutlsEngineConfig config);

}  // namespace pgptls::tls
