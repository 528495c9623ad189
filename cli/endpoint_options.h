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
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "cli/commands.h"
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

// usage_error: "pgptls <command>: <message>" on stderr; returns 2, the exit
// code of a usage or I/O error (commands.h).
int usage_error(std::string_view command, std::string_view message);

// run_after_config_file: makes `command`'s action apply its --config file
// (args->config), then run(*args); a file it cannot apply is reported as
// "pgptls <command>: <error>" with exit code 2, as a bad option is.
template <class Args>
void run_after_config_file(CLI::App* command, std::shared_ptr<Args> args, Action& action,
                           int (*run)(const Args&)) {
  command->callback([command, args, run, &action] {
    action = [command, args, run] {
      if (auto applied = apply_config_file(command, args->config); !applied) {
        return usage_error(command->get_name(), applied.error().message());
      }
      return run(*args);
    };
  });
}

}  // namespace pgptls::cli
