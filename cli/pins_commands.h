// pins_commands.h: the signed-pin-list subcommands of `pgptls pin` (alias
// `pgptls pins`). Each lives in its own cli/pins_*_command.cpp and
// is attached to the `pin` command by pin_command.cpp.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string_view>

#include "cli/commands.h"
#include "endpoint/statement_acceptor.h"

namespace pgptls::cli {

// add_sign_statement_command: `pins sign-statement`, the server side: writes
// a POSH statement for the server's X.509 certificates and its detached
// OpenPGP signature, ready to publish under /.well-known/posh/.
void add_sign_statement_command(CLI::App* pin, Action& action);

// add_refresh_command: `pins refresh [DOMAIN...]`, the batch fetch of
// signed statements that locks their pins in as source `signed`.
void add_refresh_command(CLI::App* pin, Action& action);

// add_import_signed_command: `pins import-signed BUNDLE SIG`, an authority's
// bundle of many domains' pins.
void add_import_signed_command(CLI::App* pin, Action& action);

// add_trust_source_options: adds --pins and --keyring to a command.
void add_trust_source_options(CLI::App* command, endpoint::TrustSources& sources);

// open_statement_acceptor: the acceptor over the pin store and keyring that
// `sources` name, with its warnings printed to stderr as
// "pgptls pins COMMAND: warning: ..." whether or not it opened.
[[nodiscard]] Result<std::unique_ptr<endpoint::StoreStatementAcceptor>> open_statement_acceptor(
    const endpoint::TrustSources& sources, std::string_view command);

}  // namespace pgptls::cli
