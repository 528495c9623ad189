// keyring_command.cpp: `pgptls keyring import|list|show` — the certificates
// pgptls knows, one file per certificate in the keyring directory.
#include <algorithm>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/encoding.h"
#include "cli/commands.h"
#include "cli/keyring_cli.h"
#include "keyring/authority_store.h"
#include "keyring/errors.h"
#include "keyring/keyring_store.h"

namespace pgptls::cli {
namespace {

struct KeyringOptions {
  std::vector<std::string> files;
  std::string key;
  std::string keyring;
};

// open_existing: the store in `directory`, or an empty one when the
// directory does not exist yet (reading must not create it).
Result<keyring::KeyringStore> open_existing(const std::filesystem::path& directory) {
  std::error_code error;
  if (!std::filesystem::exists(directory, error)) {
    return keyring::KeyringStore();
  }
  return keyring::KeyringStore::open(directory);
}

// report_problems: damaged files of the store on stderr; true if any.
bool report_problems(const keyring::KeyringStore& store) {
  for (const keyring::StoreProblem& problem : store.problems()) {
    print_error("skipped damaged keyring file: " + problem.error.message());
  }
  return !store.problems().empty();
}

int run_import(const KeyringOptions& options) {
  auto directory = keyring_directory(options.keyring, true);
  if (!directory.ok()) {
    return fail(directory.error(), kExitUsage);
  }
  auto store = keyring::KeyringStore::open(*directory);
  if (!store.ok()) {
    return fail(store.error(), kExitUsage);
  }
  int exit_code = kExitOk;
  for (const std::string& file : options.files) {
    auto certs = read_certificates(file);
    if (!certs.ok()) {
      print_error(certs.error().message());
      exit_code = kExitUsage;
      continue;
    }
    std::vector<std::string> user_ids;
    for (const keyring::Cert& cert : *certs) {
      user_ids.push_back(primary_user_id(cert));
    }
    auto results = store->import(std::move(certs).value());
    if (!results.ok()) {
      print_error(results.error().message());
      exit_code = kExitUsage;
      continue;
    }
    for (std::size_t i = 0; i < results->size(); ++i) {
      const keyring::ImportResult& result = (*results)[i];
      std::cout << keyring::import_outcome_name(result.outcome) << " "
                << base::hex_encode_upper(result.fingerprint) << " " << user_ids[i] << "\n";
    }
  }
  return exit_code;
}

int run_list(const KeyringOptions& options) {
  auto directory = keyring_directory(options.keyring, false);
  if (!directory.ok()) {
    return fail(directory.error(), kExitUsage);
  }
  auto store = open_existing(*directory);
  if (!store.ok()) {
    return fail(store.error(), kExitUsage);
  }
  std::vector<std::pair<std::string, std::string>> lines;
  for (const keyring::Cert& cert : store->certificates()) {
    lines.emplace_back(base::hex_encode_upper(cert.fingerprint()), primary_user_id(cert));
  }
  std::sort(lines.begin(), lines.end());
  for (const auto& [fingerprint, user_id] : lines) {
    std::cout << fingerprint << " " << user_id << "\n";
  }
  return report_problems(*store) ? kExitUsage : kExitOk;
}

std::string key_line(const keyring::StoredKey& key, std::size_t signatures) {
  return base::hex_encode_upper(key.key_id) + " v" + std::to_string(key.version) + " " +
         key_algorithm_name(key.algorithm) + " created " +
         base::format_utc(base::TimePoint(std::chrono::seconds(key.created))) + ", " +
         std::to_string(signatures) + (signatures == 1 ? " signature" : " signatures");
}

void show(const keyring::Cert& cert) {
  const std::vector<keyring::StoredKey> keys = cert.component_keys();
  std::cout << "certificate " << base::hex_encode_upper(cert.fingerprint()) << "\n";
  std::cout << "  primary key " << key_line(keys[0], cert.primary().signatures.size()) << "\n";
  for (const keyring::StoredComponent& item : cert.user_ids_and_attributes()) {
    const std::size_t count = item.signatures.size();
    const std::string signatures =
        std::to_string(count) + (count == 1 ? " signature" : " signatures");
    if (item.packet.tag == 13) {
      const ByteView text = item.packet.body();
      std::cout << "  user ID " << std::string(text.begin(), text.end()) << ", " << signatures
                << "\n";
    } else {
      std::cout << "  user attribute (" << item.packet.body().size() << " bytes), " << signatures
                << "\n";
    }
  }
  for (std::size_t i = 0; i < cert.subkeys().size(); ++i) {
    std::cout << "  subkey " << key_line(keys[i + 1], cert.subkeys()[i].signatures.size()) << "\n";
    std::cout << "    fingerprint " << base::hex_encode_upper(keys[i + 1].fingerprint) << "\n";
  }
}

int run_show(const KeyringOptions& options) {
  // A fingerprint (40 or 64 hex digits) or a key ID (16 hex digits).
  std::string digits;
  for (const char c : options.key) {
    if (c != ' ') {
      digits.push_back(c);
    }
  }
  if (digits.starts_with("0x") || digits.starts_with("0X")) {
    digits.erase(0, 2);
  }
  auto key = base::hex_decode(digits);
  if (!key.ok() || (key->size() != 8 && key->size() != 20 && key->size() != 32)) {
    print_error("'" + options.key +
                "' is neither a fingerprint (40 or 64 hex digits) nor a key ID (16 hex digits)");
    return kExitUsage;
  }
  auto directory = keyring_directory(options.keyring, false);
  if (!directory.ok()) {
    return fail(directory.error(), kExitUsage);
  }
  auto store = open_existing(*directory);
  if (!store.ok()) {
    return fail(store.error(), kExitUsage);
  }
  std::vector<const keyring::Cert*> found;
  if (key->size() == 8) {
    found = store->find_by_key_id(*key);
  } else if (const keyring::Cert* cert = store->find(*key)) {
    found = {cert};
  } else {
    found = store->find_by_fingerprint(*key);
  }
  const bool damaged = report_problems(*store);
  if (found.empty()) {
    print_error("no certificate with key " + base::hex_encode_upper(*key) + " in keyring " +
                directory->string() + " (see `pgptls keyring list`)");
    return damaged ? kExitUsage : kExitFailed;
  }
  for (const keyring::Cert* cert : found) {
    show(*cert);
  }
  return damaged ? kExitUsage : kExitOk;
}

void add_keyring_command(CLI::App& app, Action& action) {
  auto options = std::make_shared<KeyringOptions>();
  CLI::App* command = app.add_subcommand("keyring", "Manage the OpenPGP certificates pgptls knows");
  command->require_subcommand(1);
  const auto keyring_option = [&options](CLI::App* sub) {
    sub->add_option("--keyring", options->keyring,
                    "Keyring directory (default: keyring in the state directory, "
                    "$PGPTLS_HOME or ~/.pgptls)");
  };

  CLI::App* import = command->add_subcommand(
      "import",
      "Import certificates (binary or armored, several per file), merging with "
      "the stored copies");
  import->add_option("FILE", options->files, "Certificate files")->required();
  keyring_option(import);
  import->callback([&action, options] { action = [options] { return run_import(*options);
};
}  // namespace
);

CLI::App* list = command->add_subcommand("list", "List the certificates");
keyring_option(list);
list->callback([&action, options] { action = [options] { return run_list(*options); }; });

CLI::App* show_command =
    command->add_subcommand("show", "Show a certificate's keys, user IDs and signatures");
show_command->add_option("FPR", options->key, "Fingerprint or key ID (of any component key)")
    ->required();
keyring_option(show_command);
show_command->callback([&action, options] { action = [options] { return run_show(*options); }; });
}  // namespace pgptls::cli

const CommandRegistration keyring_registration{"keyring", add_keyring_command};

}  // namespace
}  // namespace pgptls::cli
