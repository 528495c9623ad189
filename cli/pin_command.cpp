// pin_command.cpp: `pgptls pin ...` (alias `pgptls pins`), the operator's view of the pin store:
// add, list, remove, export, import, and the tofu / require-openpgp switches, all on
// endpoint::pins_path(endpoint::state_dir()) unless --pins says otherwise; and the signed
// pin list commands of pins_commands.h.
#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/file.h"
#include "cli/commands.h"
#include "cli/keyring_cli.h"
#include "cli/pins_commands.h"
#include "endpoint/trust.h"
#include "openpgp/errors.h"
#include "pins/errors.h"
#include "pins/pin_json.h"
#include "pins/pin_store.h"

namespace pgptls::cli {
namespace {

using pins::PinStore;

// report_pin_error: prints the error as one line and gives the exit code: 1 when the
// operation found nothing to act on, 2 for bad input and I/O problems.
int report_pin_error(const Error& error) {
  std::cerr << "pgptls: " << (error.context.empty() ? error.message() : error.context) << "\n";
  return error.code == pins::PinErrc::not_found ? 1 : 2;
}

// exit_code: 0 when the operation is done, else report_pin_error(error).
int exit_code(const Status& done) {
  return done.ok() ? 0 : report_pin_error(done.error());
}

int usage(const std::string& message) {
  std::cerr << "pgptls: " << message << " (see pgptls pin --help)\n";
  return 2;
}

Result<PinStore> open_store(const std::string& override_path) {
  return endpoint::open_pin_store(override_path);
}

void add_pins_option(CLI::App* command, std::string& path) {
  command->add_option("--pins", path,
                      "Pin database (default: pins.sqlite in $PGPTLS_HOME or ~/.pgptls)");
}

struct AddArgs {
  std::string pins;
  std::string domain;
  std::string pin;
  std::string cert;
  std::string expires;
  std::string note;
};

int run_add(const AddArgs& args) {
  if (args.pin.empty() == args.cert.empty()) {
    return usage("pin add needs exactly one of PIN and --cert FILE");
  }
  pins::Pin pin;
  pin.domain = args.domain;
  pin.note = args.note;
  pin.source = pins::PinSource::manual;
  pin.created = std::chrono::floor<std::chrono::seconds>(program_time());
  if (!args.expires.empty()) {
    const auto expires = base::parse_utc(args.expires);
    if (!expires.ok()) {
      return usage("--expires '" + args.expires +
                   "' is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)");
    }
    pin.expires = *expires;
  }
  if (!args.cert.empty()) {
    const auto data = base::read_file(args.cert, pins::kMaxCertificateSize);
    if (!data.ok()) {
      return report_pin_error(data.error());
    }
    const auto computed = pins::pin_from_x509(*data);
    if (!computed.ok()) {
      return report_pin_error(computed.error().wrap(args.cert));
    }
    pin.pin_sha256 = *computed;
  } else {
    const auto parsed = pins::parse_pin(args.pin);
    if (!parsed.ok()) {
      return report_pin_error(parsed.error());
    }
    pin.pin_sha256 = *parsed;
  }
  const auto domain = pins::normalize_domain_input(pin.domain);
  if (!domain.ok()) {
    return report_pin_error(domain.error());
  }
  auto store = open_store(args.pins);
  if (!store.ok()) {
    return report_pin_error(store.error());
  }
  const auto outcome = store->add_pin(pin);
  if (!outcome.ok()) {
    return report_pin_error(outcome.error());
  }
  std::cout << (*outcome == pins::AddOutcome::added ? "added " : "updated ")
            << pins::format_pin(pin.pin_sha256) << " for " << *domain << "\n";
  return 0;
}

Status print_pins(const std::string& pins_path, const std::string& domain) {
  PGPTLS_TRY(auto store, open_store(pins_path));
  PGPTLS_TRY(const auto stored, domain.empty() ? store.all_pins() : store.pins(domain));
  const auto now = program_time();
  // One pin per line, tab-separated: domain, pin (pin-sha256="…" for a
  // key, cert-sha256="…" for a signed statement's certificate
  // fingerprint), source, created, expiry ("never", or the time with
  // "(expired)" once past), note.
  for (const pins::Pin& pin : stored) {
    std::string expires = "never";
    if (pin.expires) {
      expires = base::format_utc(*pin.expires) + (pin.live_at(now) ? "" : " (expired)");
    }
    // A POSH certificate fingerprint (RFC 7711 §3.1) hashes the whole
    // certificate, not its key: it is not an RFC 7469 pin-sha256.
    const std::string value = pin.kind == pins::PinKind::certificate
                                  ? "cert-sha256=\"" + pin.pin_sha256 + "\""
                                  : pins::format_pin(pin.pin_sha256);
    std::cout << pin.domain << '\t' << value << '\t' << pins::pin_source_name(pin.source) << '\t'
              << base::format_utc(pin.created) << '\t' << expires << '\t' << pin.note << "\n";
  }
  return {};
}

Status remove_pin(const std::string& pins_path, const std::string& domain, const std::string& pin) {
  PGPTLS_TRY(const auto parsed, pins::parse_pin(pin));
  PGPTLS_TRY(const auto normalized, pins::normalize_domain_input(domain));
  PGPTLS_TRY(auto store, open_store(pins_path));
  PGPTLS_CHECK(store.remove_pin(normalized, parsed));
  std::cout << "removed " << pins::format_pin(parsed) << " for " << normalized << "\n";
  return {};
}

Status print_pin_json(const std::string& pins_path) {
  PGPTLS_TRY(auto store, open_store(pins_path));
  PGPTLS_TRY(const auto snapshot, store.snapshot());
  std::cout << pins::format_pin_json(snapshot);
  return {};
}

Status import_pins(const std::string& pins_path, const std::string& file) {
  std::string text;
  if (file == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    PGPTLS_TRY(const auto data, base::read_file(file, pins::kMaxPinJsonSize));
    text.assign(data.begin(), data.end());
  }
  PGPTLS_TRY(const auto snapshot, pins::parse_pin_json(text));
  PGPTLS_TRY(auto store, open_store(pins_path));
  PGPTLS_CHECK(store.import(snapshot));
  std::cout << "imported " << snapshot.pins.size() << " pins, " << snapshot.settings.size()
            << " settings, " << snapshot.openpgp.size() << " OpenPGP records\n";
  return {};
}

struct SwitchArgs {
  std::string pins;
  bool global = false;
  std::vector<std::string> words;  // [DOMAIN] on|off
};

int run_switch(pins::Setting setting, const SwitchArgs& args) {
  const std::string name(pins::setting_name(setting));
  const std::size_t expected = args.global ? 1 : 2;
  if (args.words.size() != expected) {
    return usage("pin " + name + " takes DOMAIN or --global, then on or off");
  }
  const std::string& state = args.words.back();
  if (state != "on" && state != "off") {
    return usage("pin " + name + ": expected on or off, not '" + state + "'");
  }
  pins::SettingScope scope;
  if (!args.global) {
    const auto domain = pins::normalize_domain_input(args.words.front());
    if (!domain.ok()) {
      return report_pin_error(domain.error());
    }
    scope.domain = *domain;
  }
  auto store = open_store(args.pins);
  if (!store.ok()) {
    return report_pin_error(store.error());
  }
  const Status set = store->set_setting(scope, setting, state == "on");
  if (!set.ok()) {
    return report_pin_error(set.error());
  }
  std::cout << name << " is " << state << (scope.domain ? " for " + *scope.domain : " globally")
            << "\n";
  return 0;
}

void add_switch_command(CLI::App* pin, Action& action, pins::Setting setting,
                        const std::string& description) {
  const std::string name(pins::setting_name(setting));
  CLI::App* command = pin->add_subcommand(name, description);
  auto args = std::make_shared<SwitchArgs>();
  add_pins_option(command, args->pins);
  command->add_flag("--global", args->global, "Set the switch for every domain");
  command->add_option("args", args->words, "[DOMAIN] on|off")->required();
  command->callback([&action, args, setting] {
    action = [args, setting] { return run_switch(setting, *args); };
  });
}

void add_pin_command(CLI::App& app, Action& action) {
  CLI::App* pin = app.add_subcommand("pin", "Manage X.509 key pins (RFC 7469 pin-sha256)");
  pin->alias("pins");
  pin->require_subcommand(1);

  const auto [add, add_args] =
      add_command(pin, "add", "Pin an X.509 key for a domain", action, run_add);
  add_pins_option(add, add_args->pins);
  add->add_option("domain", add_args->domain, "Peer domain, e.g. b.example")->required();
  auto* pin_value = add->add_option("pin", add_args->pin, "pin-sha256 value (base64 of 32 bytes)");
  add->add_option("--cert", add_args->cert, "Compute the pin from this certificate (PEM or DER)")
      ->excludes(pin_value);
  add->add_option("--expires", add_args->expires, "The pin stops counting at this UTC date");
  add->add_option("--note", add_args->note, "Free text shown by 'pin list'");

  CLI::App* list = pin->add_subcommand("list", "List pins, of one domain or all");
  auto list_pins = std::make_shared<std::string>();
  auto list_domain = std::make_shared<std::string>();
  add_pins_option(list, *list_pins);
  list->add_option("domain", *list_domain, "Only this domain");
  list->callback([&action, list_pins, list_domain] {
    action = [list_pins, list_domain] { return exit_code(print_pins(*list_pins, *list_domain)); };
  });

  CLI::App* remove = pin->add_subcommand("remove", "Remove one pin of a domain");
  auto remove_args = std::make_shared<std::array<std::string, 3>>();
  add_pins_option(remove, (*remove_args)[0]);
  remove->add_option("domain", (*remove_args)[1], "Peer domain")->required();
  remove->add_option("pin", (*remove_args)[2], "pin-sha256 value")->required();
  remove->callback([&action, remove_args] {
    action = [remove_args] {
      return exit_code(remove_pin((*remove_args)[0], (*remove_args)[1], (*remove_args)[2]));
    };
  });

  CLI::App* exporter = pin->add_subcommand("export", "Write every pin and switch as JSON");
  auto export_pins = std::make_shared<std::string>();
  add_pins_option(exporter, *export_pins);
  exporter->callback([&action, export_pins] {
    action = [export_pins] { return exit_code(print_pin_json(*export_pins)); };
  });

  CLI::App* importer =
      pin->add_subcommand("import", "Add pins and switches from 'pin export' JSON");
  auto import_args = std::make_shared<std::array<std::string, 2>>();
  add_pins_option(importer, (*import_args)[0]);
  importer->add_option("file", (*import_args)[1], "JSON file, or - for standard input")->required();
  importer->callback([&action, import_args] {
    action = [import_args] { return exit_code(import_pins((*import_args)[0], (*import_args)[1])); };
  });

  add_switch_command(pin, action, pins::Setting::tofu,
                     "Trust on first use for a domain or globally (off by default)");
  add_switch_command(pin, action, pins::Setting::require_openpgp,
                     "Refuse X.509 for a domain or globally (off by default)");
  add_sign_statement_command(pin, action);
  add_refresh_command(pin, action);
  add_import_signed_command(pin, action);
}

const CommandRegistration pin_registration{"pin", add_pin_command};

}  // namespace
}  // namespace pgptls::cli
