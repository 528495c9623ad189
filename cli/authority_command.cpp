// authority_command.cpp: `pgptls authority add|list|remove` — the designated
// signers whose direct certifications of xmpp:<domain> user IDs
// authenticate peers. Their fingerprints and scopes live in the state
// directory's authorities.json, their certificates in the keyring.
#include <algorithm>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/encoding.h"
#include "cli/commands.h"
#include "cli/keyring_cli.h"
#include "endpoint/certificate_files.h"
#include "endpoint/state_dir.h"
#include "keyring/authority_store.h"
#include "keyring/keyring_store.h"
#include "keyring/policy.h"
#include "keyring/validate.h"
#include "openpgp/errors.h"

namespace pgptls::cli {
namespace {

struct AuthorityOptions {
  std::string file;
  std::vector<std::string> scopes;
  std::string fingerprint;
  std::string keyring;
};

std::string scopes_text(const std::vector<std::string>& scopes) {
  if (scopes.empty()) {
    return "(scopes: any domain)";
  }
  std::string text = "(scopes:";
  for (const std::string& scope : scopes) {
    text += " " + scope;
  }
  return text + ")";
}

// StateFiles: the authorities file (loaded) and the keyring directory the
// command works on.
struct StateFiles {
  keyring::AuthorityStore authorities;
  std::filesystem::path keyring_dir;
};

// open_state: loads authorities.json from the state directory (created
// first when `create`) and picks the keyring (--keyring, else the state
// directory's). A damaged authorities file stops the command before
// anything is written.
Result<StateFiles> open_state(const AuthorityOptions& options, bool create) {
  PGPTLS_TRY(const std::filesystem::path state,
             create ? endpoint::ensure_state_dir() : endpoint::state_dir());
  PGPTLS_TRY(keyring::AuthorityStore authorities,
             keyring::AuthorityStore::load(endpoint::authorities_path(state)));
  return StateFiles{std::move(authorities), options.keyring.empty()
                                                ? endpoint::keyring_path(state)
                                                : std::filesystem::path(options.keyring)};
}

int run_add(const AuthorityOptions& options) {
  std::vector<std::string> scopes;
  for (const std::string& scope : options.scopes) {
    auto normalized = keyring::normalize_scope_pattern(scope);
    if (!normalized.ok()) {
      return fail(normalized.error(), kExitUsage);
    }
    scopes.push_back(std::move(normalized).value());
  }
  auto cert = endpoint::read_one_certificate(options.file);
  if (!cert.ok()) {
    return fail(cert.error(), kExitUsage);
  }
  // An authority whose own certificate is revoked, expired or broken could
  // never vouch for anyone (check_peer demands it be valid): refuse it now.
  const auto now = std::chrono::time_point_cast<std::chrono::seconds>(program_time());
  const keyring::ValidatedCert validated =
      keyring::validate(*cert, keyring::Policy::standard(), now);
  if (!validated.primary.status.ok()) {
    print_error("not adding " + cert->fingerprint_hex() + " as an authority: its certificate is " +
                "not valid now (" + validated.primary.status.error().message() +
                "); import a current copy of it");
    return kExitFailed;
  }
  auto files = open_state(options, true);
  if (!files.ok()) {
    return fail(files.error(), kExitUsage);
  }
  keyring::AuthorityStore* authorities = &files->authorities;
  auto store = keyring::KeyringStore::open(files->keyring_dir);
  if (!store.ok()) {
    return fail(store.error(), kExitUsage);
  }
  const Bytes fingerprint = to_bytes(cert->fingerprint());
  const std::string user_id = primary_user_id(*cert);
  std::vector<openpgp::Cert> to_import;
  to_import.push_back(std::move(cert).value());
  if (auto imported = store->import(std::move(to_import)); !imported.ok()) {
    return fail(imported.error(), kExitUsage);
  }
  auto added = authorities->add({fingerprint, scopes});
  if (!added.ok()) {
    return fail(added.error(), kExitUsage);
  }
  if (const Status saved = authorities->save(); !saved.ok()) {
    return fail(saved.error(), kExitUsage);
  }
  const keyring::AuthorityEntry* entry = authorities->find(fingerprint);
  std::cout << (*added ? "added" : "updated") << " authority "
            << base::hex_encode_upper(fingerprint) << " " << user_id << " "
            << scopes_text(entry->scopes) << "\n";
  return kExitOk;
}

int run_list(const AuthorityOptions& options) {
  auto files = open_state(options, false);
  if (!files.ok()) {
    return fail(files.error(), kExitUsage);
  }
  const keyring::AuthorityStore* authorities = &files->authorities;
  const std::filesystem::path& keyring_dir = files->keyring_dir;
  keyring::KeyringStore store;
  if (std::filesystem::exists(keyring_dir)) {
    auto opened = keyring::KeyringStore::open(keyring_dir);
    if (!opened.ok()) {
      return fail(opened.error(), kExitUsage);
    }
    store = std::move(opened).value();
  }
  for (const keyring::AuthorityEntry& entry : authorities->entries()) {
    const openpgp::Cert* cert = store.find(entry.fingerprint);
    std::cout << base::hex_encode_upper(entry.fingerprint) << " "
              << (cert != nullptr ? primary_user_id(*cert)
                                  : std::string("(certificate missing from the keyring)"))
              << " " << scopes_text(entry.scopes) << "\n";
  }
  return kExitOk;
}

int run_remove(const AuthorityOptions& options) {
  auto fingerprint = keyring::parse_fingerprint_text(options.fingerprint);
  if (!fingerprint.ok()) {
    return fail(fingerprint.error(), kExitUsage);
  }
  auto files = open_state(options, false);
  if (!files.ok()) {
    return fail(files.error(), kExitUsage);
  }
  keyring::AuthorityStore* authorities = &files->authorities;
  if (const Status removed = authorities->remove(*fingerprint); !removed.ok()) {
    return fail(removed.error(), kExitFailed);
  }
  if (const Status saved = authorities->save(); !saved.ok()) {
    return fail(saved.error(), kExitUsage);
  }
  // The certificate stays in the keyring: it may also be a peer's, and a
  // later `authority add` finds its revocations there.
  std::cout << "removed authority " << base::hex_encode_upper(*fingerprint) << "\n";
  return kExitOk;
}

void add_authority_command(CLI::App& app, Action& action) {
  auto options = std::make_shared<AuthorityOptions>();
  CLI::App* command =
      app.add_subcommand("authority",
                         "Manage the authorities: designated signers whose certifications of "
                         "xmpp:<domain> user IDs authenticate peers");
  command->require_subcommand(1);

  CLI::App* add = command->add_subcommand(
      "add", "Make a certificate an authority (and import it into the keyring)");
  add->add_option("FILE", options->file, "The authority's certificate, binary or armored")
      ->required();
  add->add_option("--scope", options->scopes,
                  "A domain the authority may certify: example.org or *.example.org "
                  "(repeatable; default: any domain)");
  add->add_option("--keyring", options->keyring,
                  "Keyring directory (default: keyring in the state directory)");
  add->callback([&action, options] { action = [options] { return run_add(*options); }; });

  CLI::App* list = command->add_subcommand("list", "List the authorities and their scopes");
  list->add_option("--keyring", options->keyring,
                   "Keyring directory (default: keyring in the state directory)");
  list->callback([&action, options] { action = [options] { return run_list(*options); }; });

  CLI::App* remove = command->add_subcommand(
      "remove", "Stop trusting an authority (its certificate stays in the keyring)");
  remove->add_option("FPR", options->fingerprint, "The authority's fingerprint")->required();
  remove->callback([&action, options] { action = [options] { return run_remove(*options); }; });
}

const CommandRegistration authority_registration{"authority", add_authority_command};

}  // namespace
}  // namespace pgptls::cli
