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
#include "endpoint/certificate_files.h"
#include "keyring/authority_store.h"
#include "keyring/keyring_store.h"
#include "keyring/policy.h"
#include "keyring/validate.h"
#include "openpgp/errors.h"
#include "openpgp/key_reference.h"
#include "openpgp/verify.h"

namespace pgptls::cli {
namespace {

struct KeyringOptions {
  std::vector<std::string> files;
  std::string key;
  std::string keyring;
};

struct OpenedKeyring {
  std::filesystem::path directory;
  keyring::KeyringStore store;
};

// open_for_reading: the store in the directory the --keyring option names,
// or an empty one when that directory does not exist yet (reading must not
// create it).
Result<OpenedKeyring> open_for_reading(const std::string& keyring_option) {
  PGPTLS_TRY(std::filesystem::path directory, keyring_directory(keyring_option, false));
  std::error_code error;
  if (!std::filesystem::exists(directory, error)) {
    return OpenedKeyring{std::move(directory), keyring::KeyringStore()};
  }
  PGPTLS_TRY(keyring::KeyringStore store, keyring::KeyringStore::open(directory));
  return OpenedKeyring{std::move(directory), std::move(store)};
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
    auto certs = endpoint::read_certificates(file);
    if (!certs.ok()) {
      print_error(certs.error().message());
      exit_code = kExitUsage;
      continue;
    }
    std::vector<std::string> user_ids;
    for (const openpgp::Cert& cert : *certs) {
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
  auto opened = open_for_reading(options.keyring);
  if (!opened.ok()) {
    return fail(opened.error(), kExitUsage);
  }
  const keyring::KeyringStore& store = opened->store;
  std::vector<std::pair<std::string, std::string>> lines;
  for (const openpgp::Cert& cert : store.certificates()) {
    lines.emplace_back(base::hex_encode_upper(cert.fingerprint()), primary_user_id(cert));
  }
  std::sort(lines.begin(), lines.end());
  for (const auto& [fingerprint, user_id] : lines) {
    std::cout << fingerprint << " " << user_id << "\n";
  }
  return report_problems(store) ? kExitUsage : kExitOk;
}

std::string time_text(std::uint32_t seconds) {
  return base::format_utc(base::TimePoint(std::chrono::seconds(seconds)));
}

std::string verdict_text(const Status& status) {
  return status.ok() ? std::string("valid") : "invalid: " + status.error().message();
}

// flags_text: RFC 9580 §5.2.3.29 key flags as gpg prints them.
std::string flags_text(std::uint8_t flags) {
  std::string text;
  if ((flags & openpgp::key_flags::certify) != 0) {
    text += 'C';
  }
  if ((flags & openpgp::key_flags::sign) != 0) {
    text += 'S';
  }
  if ((flags &
       (openpgp::key_flags::encrypt_communications | openpgp::key_flags::encrypt_storage)) != 0) {
    text += 'E';
  }
  if ((flags & openpgp::key_flags::authenticate) != 0) {
    text += 'A';
  }
  return text.empty() ? std::string("none") : text;
}

std::string key_line(const keyring::KeyState& state) {
  const openpgp::PublicKey& key = *state.key;
  return key.key_id_hex() + " " +
         openpgp::algorithm_name(static_cast<std::uint8_t>(key.algorithm)) + " " +
         std::to_string(key.bits()) + " bits, created " + time_text(key.creation_time) +
         ", flags " + flags_text(state.flags) + ", expires " +
         (state.expires_at ? time_text(*state.expires_at) : std::string("never")) + ": " +
         verdict_text(state.status);
}

// certification_verdict: a third-party certification checked against its
// issuer's certificate from the keyring, as check_peer would check it.
std::string certification_verdict(const openpgp::Cert& cert, const openpgp::UserId& user_id,
                                  const openpgp::Signature& sig, const keyring::KeyringStore& store,
                                  const keyring::Policy& policy, base::Seconds now) {
  std::vector<const openpgp::Cert*> issuers;
  if (sig.issuer_fingerprint) {
    issuers = store.find_by_fingerprint(*sig.issuer_fingerprint);
  } else if (sig.issuer_key_id) {
    issuers = store.find_by_key_id(*sig.issuer_key_id);
  }
  if (issuers.empty()) {
    return "issuer not in the keyring (import its certificate to check)";
  }
  const std::uint32_t at = keyring::to_epoch(now);
  if (const Status usable =
          keyring::check_signature_at(sig, policy, keyring::SignatureRole::certification, at);
      !usable.ok()) {
    return "invalid: " + usable.error().message();
  }
  std::string last_error = "no key of the issuer made it";
  for (const openpgp::Cert* issuer : issuers) {
    std::vector<const openpgp::PublicKey*> keys{&issuer->primary};
    for (const openpgp::Subkey& subkey : issuer->subkeys) {
      keys.push_back(&subkey.key);
    }
    for (const openpgp::PublicKey* key : keys) {
      if (!sig.issuer_may_be(*key)) {
        continue;
      }
      const Status verified =
          openpgp::verify_signature(sig, *key, {&cert.primary, nullptr, &user_id});
      if (!verified.ok()) {
        last_error = verified.error().message();
        continue;
      }
      std::string verdict =
          "good signature by " + issuer->fingerprint_hex() + " (" + primary_user_id(*issuer) + ")";
      // A later certification revocation (0x30) by the same issuer undoes it.
      for (const openpgp::Signature& other : user_id.signatures) {
        if (other.type == openpgp::SignatureType::certification_revocation && other.creation_time &&
            sig.creation_time && *other.creation_time >= *sig.creation_time &&
            other.issuer_may_be(*key) &&
            openpgp::verify_signature(other, *key, {&cert.primary, nullptr, &user_id}).ok()) {
          return verdict + ", revoked " + time_text(*other.creation_time);
        }
      }
      const keyring::ValidatedCert issuer_state = keyring::validate(*issuer, policy, now);
      if (!issuer_state.primary.status.ok()) {
        verdict += ", but the issuer's certificate is " + verdict_text(issuer_state.primary.status);
      }
      return verdict;
    }
  }
  return "invalid: " + last_error;
}

void show(const openpgp::Cert& cert, const keyring::KeyringStore& store,
          const keyring::Policy& policy, base::Seconds now) {
  const keyring::ValidatedCert state = keyring::validate(cert, policy, now);
  std::cout << "certificate " << cert.fingerprint_hex() << "\n";
  std::cout << "  primary key " << key_line(state.primary) << "\n";
  for (std::size_t i = 0; i < cert.user_ids.size(); ++i) {
    const openpgp::UserId& user_id = cert.user_ids[i];
    std::cout << "  user ID " << user_id.text() << (state.user_ids[i].primary ? " (primary)" : "")
              << ": " << verdict_text(state.user_ids[i].status) << "\n";
    for (const openpgp::Signature& sig : user_id.signatures) {
      if (!openpgp::is_certification(sig.type) || sig.names_issuer(cert.primary)) {
        continue;  // self-signatures are summed up in the verdict above
      }
      std::cout << "    certification by " << sig.issuer_text() << ", created "
                << (sig.creation_time ? time_text(*sig.creation_time) : std::string("unknown"))
                << ": " << certification_verdict(cert, user_id, sig, store, policy, now) << "\n";
    }
  }
  for (std::size_t i = 0; i < cert.subkeys.size(); ++i) {
    std::cout << "  subkey " << key_line(state.subkeys[i]) << "\n";
  }
}

int run_show(const KeyringOptions& options) {
  // A fingerprint (40 or 64 hex digits) or a key ID (16 hex digits).
  const auto key = openpgp::parse_key_reference(options.key);
  if (!key) {
    print_error("'" + options.key +
                "' is neither a fingerprint (40 or 64 hex digits) nor a key ID (16 hex digits)");
    return kExitUsage;
  }
  auto opened = open_for_reading(options.keyring);
  if (!opened.ok()) {
    return fail(opened.error(), kExitUsage);
  }
  const keyring::KeyringStore& store = opened->store;
  std::vector<const openpgp::Cert*> found;
  if (key->size() == 8) {
    found = store.find_by_key_id(*key);
  } else if (const openpgp::Cert* cert = store.find(*key)) {
    found = {cert};
  } else {
    found = store.find_by_fingerprint(*key);
  }
  const bool damaged = report_problems(store);
  if (found.empty()) {
    print_error("no certificate with key " + base::hex_encode_upper(*key) + " in keyring " +
                opened->directory.string() + " (see `pgptls keyring list`)");
    return damaged ? kExitUsage : kExitFailed;
  }
  const keyring::Policy policy = keyring::Policy::standard();
  const auto now = std::chrono::time_point_cast<std::chrono::seconds>(program_time());
  for (const openpgp::Cert* cert : found) {
    show(*cert, store, policy, now);
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
