#include "cli/endpoint_options.h"

#include <fstream>
#include <utility>

#include "base/clock.h"
#include "base/errors.h"
#include "cli/state_dir.h"
#include "cli/toml_config.h"
#include "pins/pin_store.h"
#include "tls/gnutls/x509_credentials.h"
#include "tls/trust/trust_verifier.h"

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
  auto* openpgp_cert =
      command->add_option("--openpgp-cert", options.openpgp.cert_file,
                          "Our OpenPGP certificate (armored or binary transferable public key)");
  auto* openpgp_key =
      command->add_option("--openpgp-key", options.openpgp.key_file,
                          "The secret keys of --openpgp-cert ('gpg --export-secret-keys' output, "
                          "passphrase-protected or not)");
  openpgp_cert->needs(openpgp_key);
  openpgp_key->needs(openpgp_cert);
  command->add_option("--openpgp-subkey", options.openpgp.subkey,
                      "The key that signs in the handshake: KEYID, fingerprint, or auto (default: "
                      "the newest authentication key whose secret we hold)");
  auto* pass_file = command->add_option("--passphrase-file", options.openpgp.passphrase_file,
                                        "Read the key's passphrase from the first line of FILE");
  auto* pass_fd = command
                      ->add_option("--passphrase-fd", options.openpgp.passphrase_fd,
                                   "Read the key's passphrase from file descriptor N")
                      ->check(CLI::Range(0, 1'000'000));
  auto* pass_env = command->add_option("--passphrase-env", options.openpgp.passphrase_env,
                                       "Read the key's passphrase from environment variable NAME");
  pass_file->excludes(pass_fd)->excludes(pass_env);
  pass_fd->excludes(pass_env);

  // One value per --authority, so that a positional argument after it
  // stays positional.
  command
      ->add_option("--authority", options.trust.authorities,
                   "An authority's certificate, optionally limited to domains: "
                   "FILE[,scope=PATTERN]... (repeatable; added to the state directory's "
                   "authorities)")
      ->allow_extra_args(false);
  command->add_option("--keyring", options.trust.keyring,
                      "Known peer certificates, a file or directory (default: keyring/ in "
                      "$PGPTLS_HOME or ~/.pgptls)");
  command->add_option("--pins", options.trust.pins,
                      "Pin database (default: pins.sqlite in $PGPTLS_HOME or ~/.pgptls)");
  command->add_flag("--tofu", options.trust.tofu,
                    "Trust on first use for every domain in this run (pin the first X.509 key "
                    "of an unpinned domain)");
  command->add_flag("--require-openpgp", options.trust.require_openpgp,
                    "Refuse X.509 and raw keys from every peer in this run");
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

}  // namespace

Result<std::shared_ptr<const Endpoint>> load_endpoint(const EndpointOptions& options,
                                                      tls::Role role) {
  auto endpoint = std::make_shared<Endpoint>();
  endpoint->role = role;
  auto settings = std::make_shared<transport::EngineSettings>();
  settings->client_auth = parse_client_auth(options.client_auth);
  if (options.handshake_timeout_ms > 0) {
    settings->handshake_timeout = std::chrono::milliseconds(options.handshake_timeout_ms);
  } else {
    // --handshake-timeout 0: no deadline of ours; the engine's own clock
    // deadline then only stops a handshake stuck for a day.
    settings->handshake_timeout = std::chrono::hours(24);
  }
  if (role == tls::Role::client) {
    PGPTLS_TRY(endpoint->mode, transport::parse_client_mode(options.mode));
  }
  if (!options.x509_cert.empty() || !options.x509_key.empty()) {
    if (options.x509_cert.empty() || options.x509_key.empty()) {
      return make_error(base::Errc::invalid_value,
                        "--x509-cert and --x509-key come together: give both");
    }
    PGPTLS_TRY(auto x509, tls::load_x509_credential_files(options.x509_cert, options.x509_key));
    settings->credentials.x509 = std::move(x509);
  }
  if (!options.openpgp.cert_file.empty() || !options.openpgp.key_file.empty()) {
    const auto now = std::chrono::time_point_cast<std::chrono::seconds>(base::SystemClock().now());
    PGPTLS_TRY(auto openpgp,
               load_openpgp_credential(options.openpgp, keyring::Policy::standard(), now));
    settings->credentials.openpgp = std::move(openpgp);
  } else if (options.openpgp.fingerprint_only) {
    return make_error(base::Errc::invalid_value,
                      "--fingerprint-only needs an OpenPGP credential: give --openpgp-cert and "
                      "--openpgp-key");
  }
  if (role == tls::Role::server && !settings->credentials.x509 && !settings->credentials.openpgp) {
    return make_error(base::Errc::invalid_value,
                      "a server needs a certificate: give --openpgp-cert and --openpgp-key, or "
                      "--x509-cert and --x509-key (or both)");
  }
  // Even a server that never asks for a client certificate gets the
  // verifier: the RFC 6091 engine refuses to start without one.
  PGPTLS_TRY(Trust trust, load_trust(options.trust, endpoint->warnings));
  settings->verifier = trust.verifier;
  endpoint->knows_openpgp = transport::make_knows_openpgp(trust.openpgp, trust.pins);
  endpoint->settings = std::move(settings);
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

}  // namespace pgptls::cli
