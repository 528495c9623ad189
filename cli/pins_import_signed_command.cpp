// pins_import_signed_command.cpp: `pgptls pins import-signed BUNDLE SIG`
// (issue 7 §5): one document signed by an authority lists many domains'
// pins; each domain is checked against the authority's scope, with the same
// rollback and expiry rules as `pins refresh`, and gets its own row.
#include <iostream>
#include <memory>
#include <string>

#include "base/file.h"
#include "cli/keyring_cli.h"
#include "cli/pins_commands.h"
#include "cli/refresh_report.h"
#include "cli/statement_acceptor.h"
#include "keyring/posh_statement.h"

namespace pgptls::cli {
namespace {

// A detached signature file holds a few signatures, armored at most.
constexpr std::size_t kMaxSignatureFileSize = 64 * 1024;

struct ImportArgs {
  std::string bundle;
  std::string signature;
  TrustSources sources;
};

int run_import_signed(const ImportArgs& args) {
  // The bundle cap is the parser's: reading more would only be refused.
  auto bundle = base::read_file(args.bundle, keyring::StatementLimits{}.max_document_bytes);
  if (!bundle.ok()) {
    return fail(bundle.error(), kExitUsage);
  }
  auto signature = base::read_file(args.signature, kMaxSignatureFileSize);
  if (!signature.ok()) {
    return fail(signature.error(), kExitUsage);
  }
  auto acceptor = StoreStatementAcceptor::open(args.sources);
  if (!acceptor.ok()) {
    return fail(acceptor.error(), kExitUsage);
  }
  auto rows = (*acceptor)->import_bundle(*bundle, *signature);
  if (!rows.ok()) {
    // The bundle as a whole is refused (malformed, bad signature, not by an
    // authority, expired): nothing was stored.
    return fail(rows.error().wrap(args.bundle), kExitFailed);
  }
  print_refresh_table(std::cout, *rows);
  return refresh_exit_code(*rows);
}

}  // namespace

void add_import_signed_command(CLI::App* pin, Action& action) {
  auto args = std::make_shared<ImportArgs>();
  CLI::App* command = pin->add_subcommand(
      "import-signed",
      "Import an authority's signed bundle of many domains' pins (each domain checked against "
      "the authority's scope)");
  command->add_option("bundle", args->bundle, "The bundle, JSON")->required();
  command
      ->add_option("signature", args->signature,
                   "Its detached OpenPGP signature (.sig binary or .asc armored)")
      ->required();
  add_trust_source_options(command, args->sources);
  command->callback([&action, args] { action = [args] { return run_import_signed(*args); }; });
}

}  // namespace pgptls::cli
