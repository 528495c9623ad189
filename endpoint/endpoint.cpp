#include "endpoint/endpoint.h"

#include <utility>

#include "base/clock.h"
#include "base/errors.h"
#include "endpoint/program_clock.h"
#include "pins/pin_store.h"
#include "tls/gnutls/x509_credentials.h"
#include "tls/trust/trust_verifier.h"

namespace pgptls::endpoint {

namespace {

Result<tls::ClientAuth> parse_client_auth(const std::string& text) {
  if (text == "none") {
    return tls::ClientAuth::none;
  }
  if (text == "request") {
    return tls::ClientAuth::request;
  }
  if (text == "require") {
    return tls::ClientAuth::require;
  }
  return make_error(base::Errc::invalid_value,
                    "--client-auth '" + text + "': give none, request or require");
}

}  // namespace

Result<tls::Credentials> load_credentials(const CredentialOptions& options, tls::Role role) {
  tls::Credentials credentials;
  if (!options.x509_cert.empty() || !options.x509_key.empty()) {
    if (options.x509_cert.empty() || options.x509_key.empty()) {
      return make_error(base::Errc::invalid_value,
                        "--x509-cert and --x509-key come together: give both");
    }
    PGPTLS_TRY(auto x509, tls::load_x509_credential_files(options.x509_cert, options.x509_key));
    credentials.x509 = std::move(x509);
  }
  if (!options.openpgp.cert_file.empty() || !options.openpgp.key_file.empty()) {
    PGPTLS_TRY(const base::Seconds now, program_now());
    PGPTLS_TRY(auto openpgp,
               load_openpgp_credential(options.openpgp, keyring::Policy::standard(), now));
    credentials.openpgp = std::move(openpgp);
  } else if (options.openpgp.fingerprint_only) {
    return make_error(base::Errc::invalid_value,
                      "--fingerprint-only needs an OpenPGP credential: give --openpgp-cert and "
                      "--openpgp-key");
  }
  if (role == tls::Role::server && !credentials.x509 && !credentials.openpgp) {
    return make_error(base::Errc::invalid_value,
                      "a server needs a certificate: give --openpgp-cert and --openpgp-key, or "
                      "--x509-cert and --x509-key (or both)");
  }
  return credentials;
}

Result<SessionSettings> parse_session_settings(const EndpointOptions& options) {
  SessionSettings settings;
  PGPTLS_TRY(settings.client_auth, parse_client_auth(options.client_auth));
  PGPTLS_TRY(settings.mode, transport::parse_client_mode(options.mode));
  if (options.handshake_timeout_ms < 0) {
    return make_error(base::Errc::invalid_value, "--handshake-timeout " +
                                                     std::to_string(options.handshake_timeout_ms) +
                                                     ": give milliseconds, 0 or more");
  }
  settings.handshake_timeout = std::chrono::milliseconds(options.handshake_timeout_ms);
  return settings;
}

namespace {

std::shared_ptr<Endpoint> build_endpoint(tls::Role role, tls::Credentials credentials,
                                         std::shared_ptr<const Trust> trust,
                                         const SessionSettings& settings) {
  auto endpoint = std::make_shared<Endpoint>();
  endpoint->role = role;
  endpoint->mode = settings.mode;
  auto engine_settings = std::make_shared<transport::EngineSettings>();
  engine_settings->credentials = std::move(credentials);
  engine_settings->client_auth = settings.client_auth;
  // Zero: no deadline of ours; a day still stops a handshake stuck forever.
  engine_settings->handshake_timeout = settings.handshake_timeout.count() > 0
                                           ? settings.handshake_timeout
                                           : std::chrono::milliseconds(std::chrono::hours(24));
  engine_settings->verifier = trust->verifier;
  endpoint->knows_openpgp = transport::make_knows_openpgp(trust->openpgp, trust->pins);
  endpoint->settings = std::move(engine_settings);
  endpoint->trust = std::move(trust);
  return endpoint;
}

}  // namespace

std::shared_ptr<const Endpoint> make_endpoint(tls::Role role, tls::Credentials credentials,
                                              std::shared_ptr<const Trust> trust,
                                              const SessionSettings& settings) {
  return build_endpoint(role, std::move(credentials), std::move(trust), settings);
}

Result<std::shared_ptr<const Endpoint>> load_endpoint(const EndpointOptions& options,
                                                      tls::Role role) {
  PGPTLS_TRY(const SessionSettings settings, parse_session_settings(options));
  PGPTLS_TRY(tls::Credentials credentials, load_credentials(options.credentials, role));
  std::vector<std::string> warnings;
  PGPTLS_TRY(std::shared_ptr<const Trust> trust, load_trust(options.trust, warnings));
  auto endpoint = build_endpoint(role, std::move(credentials), std::move(trust), settings);
  endpoint->warnings = std::move(warnings);
  return std::shared_ptr<const Endpoint>(std::move(endpoint));
}

transport::EngineFactory make_engine_factory(std::shared_ptr<const Endpoint> endpoint) {
  if (endpoint->role == tls::Role::server) {
    return transport::make_server_engine_factory(endpoint->settings);
  }
  return transport::make_client_engine_factory(endpoint->settings, endpoint->mode,
                                               endpoint->knows_openpgp);
}

std::string handshake_ok_line(const tls::SessionInfo& session) {
  std::string line = "handshake ok: " + session.protocol + " " + session.cipher_suite;
  if (!session.peer) {
    // A server with --client-auth none or request and an anonymous client.
    return line + " cert=none peer=- not authenticated (the client sent no certificate)";
  }
  line += " cert=";
  line += tls::certificate_type_name(session.peer->type);
  line += " peer=";
  for (std::size_t i = 0; i < session.peer->domains.size(); ++i) {
    line += (i == 0 ? "" : ",") + session.peer->domains[i];
  }
  if (session.peer->domains.empty()) {
    line += "-";
  }
  return line + " " + session.peer->accepted_by;
}

std::string handshake_failed_line(const std::string& reason) {
  return "handshake failed: " + reason;
}

}  // namespace pgptls::endpoint
