// pins_refresh_command.cpp: `pgptls pins refresh [DOMAIN...]`:
// fetch every domain's signed POSH statement in batch (bounded parallelism,
// per-request timeout and size cap), verify and store its pins as source
// `signed`, then print one row per domain. Exit 0 only when every domain
// succeeded, so that a systemd timer or cron job reports failures.
#include <unistd.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/keyring_cli.h"
#include "cli/pins_commands.h"
#include "cli/refresh_domains.h"
#include "cli/refresh_report.h"
#include "endpoint/statement_acceptor.h"
#include "fetch/pin_refresh.h"
#include "pins/posh_statement.h"

namespace pgptls::cli {
namespace {

constexpr std::size_t kMaxParallel = 64;
constexpr int kMaxTimeoutSeconds = 600;

struct RefreshArgs {
  std::vector<std::string> domains;
  std::vector<std::string> resolve;
  std::vector<std::string> connect_to;
  std::size_t parallel = 8;
  int timeout = 15;
  std::size_t max_size = pins::StatementLimits{}.max_document_bytes;
  std::string cafile;
  endpoint::TrustSources sources;
};

int refresh_usage(const std::string& message) {
  print_error(message + " (see pgptls pins refresh --help)");
  return kExitUsage;
}

int run_refresh(const RefreshArgs& args) {
  const std::size_t max_document = pins::StatementLimits{}.max_document_bytes;
  if (args.parallel == 0 || args.parallel > kMaxParallel) {
    return refresh_usage("--parallel must be between 1 and " + std::to_string(kMaxParallel));
  }
  if (args.timeout <= 0 || args.timeout > kMaxTimeoutSeconds) {
    return refresh_usage("--timeout must be between 1 and " + std::to_string(kMaxTimeoutSeconds) +
                         " seconds");
  }
  if (args.max_size == 0 || args.max_size > max_document) {
    return refresh_usage("--max-size must be between 1 and " + std::to_string(max_document) +
                         " bytes");
  }
  auto named = normalize_refresh_domains(args.domains);
  if (!named.ok()) {
    return fail(named.error(), kExitUsage);
  }
  auto acceptor = open_statement_acceptor(args.sources, "refresh");
  if (!acceptor.ok()) {
    return fail(acceptor.error(), kExitUsage);
  }
  std::vector<std::string> domains = std::move(named).value();
  if (domains.empty()) {
    auto known = known_domains((*acceptor)->pins(), (*acceptor)->keyring());
    if (!known.ok()) {
      return fail(known.error(), kExitUsage);
    }
    domains = std::move(known).value();
  }
  if (domains.empty()) {
    std::cerr << "pgptls: no domain to refresh: the pin store and the keyring name none; name "
                 "the domains on the command line\n";
    return kExitOk;
  }

  fetch::HttpsFetchOptions options;
  options.max_parallel = args.parallel;
  options.timeout = std::chrono::seconds(args.timeout);
  options.max_body_bytes = args.max_size;
  options.resolve = args.resolve;
  options.connect_to = args.connect_to;
  if (!args.cafile.empty()) {
    options.ca_file = args.cafile;
  }
  // The bar goes to stderr and only on a terminal, so cron mail and
  // redirected output hold just the table.
  ProgressBar bar(std::cerr, ::isatty(STDERR_FILENO) == 1);
  options.progress = [&bar](std::size_t done, std::size_t total) { bar.update(done, total); };
  const std::vector<fetch::RefreshRow> rows =
      fetch::refresh_pin_statements(domains, **acceptor, options);
  bar.finish();
  print_refresh_table(std::cout, rows);
  return refresh_exit_code(rows);
}

}  // namespace

void add_trust_source_options(CLI::App* command, endpoint::TrustSources& sources) {
  command->add_option("--pins", sources.pins,
                      "Pin database (default: pins.sqlite in $PGPTLS_HOME or ~/.pgptls)");
  command->add_option("--keyring", sources.keyring,
                      "Keyring file or directory (default: keyring in the state directory)");
}

Result<std::unique_ptr<endpoint::StoreStatementAcceptor>> open_statement_acceptor(
    const endpoint::TrustSources& sources, std::string_view command) {
  std::vector<std::string> warnings;
  auto acceptor = endpoint::StoreStatementAcceptor::open(sources, warnings);
  for (const std::string& warning : warnings) {
    std::cerr << "pgptls pins " << command << ": warning: " << warning << "\n";
  }
  return acceptor;
}

void add_refresh_command(CLI::App* pin, Action& action) {
  const auto [command, args] =
      add_command(pin, "refresh",
                  "Fetch signed POSH statements (https://DOMAIN/.well-known/posh/xmpp-server.json "
                  "and .sig) and lock in their pins",
                  action, run_refresh);
  command->add_option("domains", args->domains,
                      "Domains to refresh (default: every domain in the pin store and keyring)");
  // One value per occurrence, so that the domains after a repeated option
  // stay domains.
  command
      ->add_option("--resolve", args->resolve,
                   "HOST:PORT:ADDRESS, use this address for HOST:PORT (as curl; repeatable)")
      ->allow_extra_args(false);
  command
      ->add_option("--connect-to", args->connect_to,
                   "HOST:PORT:CONNECT-HOST:CONNECT-PORT, connect there instead (as curl; "
                   "repeatable)")
      ->allow_extra_args(false);
  command->add_option("--parallel", args->parallel, "Transfers at once (default 8)");
  command->add_option("--timeout", args->timeout,
                      "Seconds each transfer may take, connecting included (default 15)");
  command->add_option("--max-size", args->max_size,
                      "Largest document accepted, in bytes (default and most 65536)");
  command->add_option("--cafile", args->cafile,
                      "Trust these CA certificates (PEM) instead of the system's");
  add_trust_source_options(command, args->sources);
}

}  // namespace pgptls::cli
