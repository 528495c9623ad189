// endpoint_options.h: the options `pgptls serve` and `pgptls connect` share
// (credentials, trust, client authentication, timeouts, --config) and what
// they build from them: the local credentials, the TrustVerifier and the
// engine factory of each connection, and the one stderr line per handshake.
//
// Usage:
//   EndpointOptions options;
//   add_endpoint_options(command, options);       // before parsing
//   PGPTLS_TRY(auto endpoint, load_endpoint(options, tls::Role::server));
//   transport::EngineFactory factory = make_engine_factory(endpoint);
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "cli/endpoint_trust.h"
#include "cli/openpgp_credential.h"
#include "tls/engine/credentials.h"
#include "tls/engine/engine.h"
#include "tls/engine/peer_verifier.h"
#include "transport/engine_factory.h"
#include "transport/engine_selection.h"

namespace pgptls::cli {

// EndpointOptions: the parsed values, before any file is read.
struct EndpointOptions {
  std::string x509_cert;
  std::string x509_key;
  // --openpgp-cert/-key/-subkey, the passphrase options and (connect only)
  // --fingerprint-only.
  OpenPgpKeyOptions openpgp;
  // --authority, --keyring, --pins, --tofu, --require-openpgp.
  TrustOptions trust;
  // connect only: --mode openpgp|x509|auto.
  std::string mode = "auto";
  std::string client_auth = "require";
  int handshake_timeout_ms = 10'000;
  std::string config;
};

// add_endpoint_options: adds the shared options and `--config FILE` (TOML,
// keys are the long option names) to a subcommand.
void add_endpoint_options(CLI::App* command, EndpointOptions& options);

// apply_config_file: after parsing, fills every option of `command` that the
// command line left unset from the TOML file (the command line wins).
// CLI11 reads config files only for the top-level application, so the
// subcommands apply theirs here. Fails naming the file and the setting
// (an unknown name, a value the option rejects).
[[nodiscard]] Status apply_config_file(CLI::App* command, const std::string& path);

// Endpoint: what every connection of one program shares.
struct Endpoint {
  tls::Role role = tls::Role::client;
  // Credentials, client authentication, the trust decision (one per
  // program: the program runs one thread) and the handshake deadline.
  std::shared_ptr<const transport::EngineSettings> settings;
  // Client only: which engine to use for the peer (--mode), and for mode
  // auto whether the keyring knows the peer as OpenPGP-capable.
  transport::ClientMode mode = transport::ClientMode::automatic;
  transport::KnowsOpenPgp knows_openpgp;
  // Problems that did not stop loading (skipped keyring files), for stderr.
  std::vector<std::string> warnings;
};

// load_endpoint: reads the credential files (X.509 and/or OpenPGP) and
// builds the trust decision (endpoint_trust.h). A server needs a
// certificate of either type; `--x509-cert` and `--x509-key` come
// together, and so do `--openpgp-cert` and `--openpgp-key`. Failures name
// the file or option and how to fix it.
[[nodiscard]] Result<std::shared_ptr<const Endpoint>> load_endpoint(const EndpointOptions& options,
                                                                    tls::Role role);

// make_engine_factory: the engine of each connection
// (transport/engine_selection.h): a server dispatches on the ClientHello
// (OpenPGP offered and we hold an OpenPGP credential: the RFC 6091 engine;
// else GnuTLS, X.509, TLS 1.3 and 1.2); a client follows --mode for the
// domain it dialled.
[[nodiscard]] transport::EngineFactory make_engine_factory(
    std::shared_ptr<const Endpoint> endpoint);

// handshake_ok_line: "handshake ok: <protocol> <suite> cert=<type>
// peer=<domains> <how accepted>" (issue 6), without the newline.
[[nodiscard]] std::string handshake_ok_line(const tls::SessionInfo& session);

// handshake_failed_line: "handshake failed: <reason>".
[[nodiscard]] std::string handshake_failed_line(const std::string& reason);

}  // namespace pgptls::cli
