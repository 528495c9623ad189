#include "cli/endpoint_options.h"

#include <fstream>
#include <utility>

#include "base/clock.h"
#include "base/errors.h"
#include "cli/state_dir.h"
#include "cli/toml_config.h"
#include "keyring/pin_store.h"
#include "tls/gnutls_engine.h"
#include "tls/trust_verifier.h"
#include "tls/x509_credentials.h"

namespace pgptls::cli {

void add_endpoint_options(CLI::App* command, EndpointOptions& options) {
  command->add_option("--config", options.config,
                      "Read options from a TOML file (keys: the long option names)");

  auto* cert = command->add_option("--x509-cert", options.x509_cert,
                                   "Our X.509 certificate chain (PEM, leaf first)");
  auto* key = command->add_option("--x509-key", options.x509_key,
                                  "The private key of --x509-cert (PEM or DER, unencrypted)");
  cert->needs(key);
  key->needs(cert);
  command->add_option("--pins", options.pins,
                      "Pin database (default: pins.sqlite in $PGPTLS_HOME or ~/.pgptls)");
  command
      ->add_option("--client-auth", options.client_auth,
                   "Whether a server asks the client for a certificate (default require)")
      ->check(CLI::IsMember({"none", "request", "require"}));
  command
      ->add_option("--handshake-timeout", options.handshake_timeout_ms,
                   "Milliseconds a handshake may take (default 10000; 0: none)")
      ->check(CLI::Range(0, 3'600'000));
}

Status apply_config_file(CLI::App* command, const std::string& path) {
  if (path.empty()) {
    return {};
  }
  std::ifstream input(path);
  if (!input) {
    return make_error(base::Errc::io_error, "cannot read the config file " + path);
  }
  try {
    const auto items = TomlConfig().from_config(input);
    for (const auto& item : items) {
      CLI::Option* option = command->get_option_no_throw("--" + item.name);
      if (option == nullptr || item.name == "config") {
        return make_error(
            base::Errc::invalid_value,
            path + ": '" + item.name + "' is not an option of pgptls " + command->get_name());
      }
      if (option->count() > 0) {
        continue;  // given on the command line
      }
      option->add_result(item.inputs);
      option->run_callback();
    }
  } catch (const CLI::Error& error) {
    return make_error(base::Errc::invalid_value, path + ": " + error.what());
  }
  return {};
}

namespace {

tls::ClientAuth parse_client_auth(const std::string& text) {
  if (text == "none") {
    return tls::ClientAuth::none;
  }
  if (text == "request") {
    return tls::ClientAuth::request;
  }
  return tls::ClientAuth::require;
}

Result<std::shared_ptr<keyring::PinStore>> open_pins(const std::string& option) {
  std::filesystem::path path = option;
  if (path.empty()) {
    PGPTLS_TRY(const std::filesystem::path state, ensure_state_dir());
    path = pins_path(state);
  }
  PGPTLS_TRY(auto store, keyring::PinStore::open(path));
  return std::make_shared<keyring::PinStore>(std::move(store));
}

}  // namespace

Result<std::shared_ptr<const Endpoint>> load_endpoint(const EndpointOptions& options,
                                                      tls::Role role) {
  auto endpoint = std::make_shared<Endpoint>();
  endpoint->role = role;
  endpoint->client_auth = parse_client_auth(options.client_auth);
  if (!options.x509_cert.empty()) {
    PGPTLS_TRY(auto x509, tls::load_x509_credential_files(options.x509_cert, options.x509_key));
    endpoint->credentials.x509 = std::move(x509);
  } else if (role == tls::Role::server) {
    return make_error(base::Errc::invalid_value,
                      "a server needs a certificate: give --x509-cert and --x509-key");
  }
  // A server that never asks for a client certificate decides no trust.
  if (role == tls::Role::client || endpoint->client_auth != tls::ClientAuth::none) {
    PGPTLS_TRY(auto pins, open_pins(options.pins));
    endpoint->verifier = std::make_shared<tls::TrustVerifier>(tls::TrustVerifierConfig{
        std::move(pins), nullptr, tls::TrustPolicy{}, std::make_shared<base::SystemClock>()});
  }
  return std::shared_ptr<const Endpoint>(std::move(endpoint));
}

transport::EngineFactory make_engine_factory(std::shared_ptr<const Endpoint> endpoint) {
  return [endpoint = std::move(endpoint)](
             const transport::EngineRequest& request) -> Result<std::unique_ptr<tls::Engine>> {
    tls::GnutlsEngineConfig config;
    config.role = request.role;
    config.credentials = endpoint->credentials;
    config.client_auth = endpoint->client_auth;
    config.verifier = endpoint->verifier;
    config.alpn = request.options.alpn;
    if (request.role == tls::Role::client && request.options.peer_domain) {
      // The client names the domain it dialled (SNI, RFC 6066 §3) and
      // accepts only a certificate authenticated for it.
      config.server_name = *request.options.peer_domain;
      config.expected_domain = request.options.peer_domain;
    }
    return tls::make_gnutls_engine(std::move(config));
  };
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

}  // namespace pgptls::cli
