#include "cli/endpoint_options.h"

#include <fstream>
#include <iostream>

#include "base/errors.h"
#include "cli/toml_config.h"
#include "pins/pin_store.h"
#include "tls/gnutls/x509_credentials.h"
#include "tls/trust/trust_verifier.h"

namespace pgptls::cli {

int usage_error(std::string_view command, std::string_view message) {
  std::cerr << "pgptls " << command << ": " << message << "\n";
  return 2;
}

void add_endpoint_options(CLI::App* command, endpoint::EndpointOptions& options,
                          std::string& config) {
  command->add_option("--config", config,
                      "Read options from a TOML file (keys: the long option names)");

  auto* cert = command->add_option("--x509-cert", options.credentials.x509_cert,
                                   "Our X.509 certificate chain (PEM, leaf first)");
  auto* key = command->add_option("--x509-key", options.credentials.x509_key,
                                  "The private key of --x509-cert (PEM or DER, unencrypted)");
  cert->needs(key);
  key->needs(cert);
  auto* openpgp_cert =
      command->add_option("--openpgp-cert", options.credentials.openpgp.cert_file,
                          "Our OpenPGP certificate (armored or binary transferable public key)");
  auto* openpgp_key =
      command->add_option("--openpgp-key", options.credentials.openpgp.key_file,
                          "The secret keys of --openpgp-cert ('gpg --export-secret-keys' output, "
                          "passphrase-protected or not)");
  openpgp_cert->needs(openpgp_key);
  openpgp_key->needs(openpgp_cert);
  command->add_option("--openpgp-subkey", options.credentials.openpgp.subkey,
                      "The key that signs in the handshake: KEYID, fingerprint, or auto (default: "
                      "the newest authentication key whose secret we hold)");
  auto* pass_file =
      command->add_option("--passphrase-file", options.credentials.openpgp.passphrase_file,
                          "Read the key's passphrase from the first line of FILE");
  auto* pass_fd = command
                      ->add_option("--passphrase-fd", options.credentials.openpgp.passphrase_fd,
                                   "Read the key's passphrase from file descriptor N")
                      ->check(CLI::Range(0, 1'000'000));
  auto* pass_env =
      command->add_option("--passphrase-env", options.credentials.openpgp.passphrase_env,
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

}  // namespace pgptls::cli
