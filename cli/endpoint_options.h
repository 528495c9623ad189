// endpoint_options.h: the command-line and TOML face of an endpoint: the
// options `pgptls serve` and `pgptls connect` share (credentials, trust,
// client authentication, handshake timeout, --config), parsed into
// endpoint::EndpointOptions, which the endpoint library turns into
// credentials and trust (endpoint/endpoint.h).
//
// Usage:
//   endpoint::EndpointOptions options;
//   std::string config;
//   add_endpoint_options(command, options, config);   // before parsing
//   PGPTLS_CHECK(apply_config_file(command, config));       // after parsing
//   PGPTLS_TRY(auto endpoint, endpoint::load_endpoint(options, tls::Role::server));
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "base/result.h"
#include "endpoint/endpoint.h"
#include "tls/engine/credentials.h"
#include "tls/engine/engine.h"
#include "tls/engine/peer_verifier.h"
#include "transport/engine_factory.h"
#include "transport/engine_selection.h"

namespace pgptls::cli {

// add_endpoint_options: adds the shared options and `--config FILE` (TOML,
// keys are the long option names) to a subcommand.
void add_endpoint_options(CLI::App* command, endpoint::EndpointOptions& options,
                          std::string& config);

// apply_config_file: after parsing, fills every option of `command` that the
// command line left unset from the TOML file (the command line wins).
// CLI11 reads config files only for the top-level application, so the
// subcommands apply theirs here. Fails naming the file and the setting
// (an unknown name, a value the option rejects).
[[nodiscard]] Status apply_config_file(CLI::App* command, const std::string& path);

}  // namespace pgptls::cli
