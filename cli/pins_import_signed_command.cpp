// pins_import_signed_command.cpp: `pgptls pins import-signed BUNDLE SIG`:
// one document signed by an authority lists many domains'
// pins; each domain is checked against the authority's scope, with the same
// rollback and expiry rules as `pins refresh`, and gets its own row.
#include <iostream>
#include <memory>
#include <string>

#include "base/errors.h"
#include "base/file.h"
#include "base/result.h"
#include "cli/keyring_cli.h"
#include "cli/pins_commands.h"
#include "cli/refresh_report.h"
#include "endpoint/statement_acceptor.h"
#include "pins/posh_statement.h"

namespace pgptls::cli {
namespace {

// A detached signature file holds a few signatures, armored at most.
constexpr std::size_t kMaxSignatureFileSize = 64 * 1024;

struct ImportArgs {
  std::string bundle;
  std::string signature;
  endpoint::TrustSources sources;
};

int run_import_signed(const ImportArgs& args) {
  // The bundle cap is the parser's: reading more would only be refused.
  const std::size_t cap = pins::StatementLimits{}.max_bundle_bytes;
  auto bundle = base::read_file(args.bundle, cap);
  if (!bundle.ok()) {
    if (bundle.error().code == base::Errc::value_too_large) {
      // The file exists but is refused, as a malformed bundle would be.
      return fail(
          make_error(base::Errc::value_too_large,
                     args.bundle + " is larger than the bundle cap of " + std::to_string(cap) +
                         " bytes; ask its authority to split it into several bundles"),
          kExitFailed);
    }
    return fail(bundle.error(), kExitUsage);
  }
  auto signature = base::read_file(args.signature, kMaxSignatureFileSize);
  if (!signature.ok()) {
    return fail(signature.error(), kExitUsage);
  }
  auto acceptor = open_statement_acceptor(args.sources, "import-signed");
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
