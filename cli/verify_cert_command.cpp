// verify_cert_command.cpp: `pgptls verify-cert` — the trust decision of a
// handshake, on files: does an authority directly certify that this
// certificate speaks for xmpp:<domain>? It needs no state directory.
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/encoding.h"
#include "cli/commands.h"
#include "cli/keyring_cli.h"
#include "endpoint/certificate_files.h"
#include "endpoint/trust.h"
#include "keyring/authority.h"
#include "keyring/authority_store.h"
#include "keyring/domain.h"
#include "keyring/keyring_store.h"
#include "keyring/policy.h"
#include "openpgp/errors.h"

namespace pgptls::cli {
namespace {

struct VerifyOptions {
  std::vector<std::string> authorities;
  std::string policy = "standard";
  std::string domain;
  std::string at;
  std::string keyring;
  std::string cert_file;
};

keyring::Policy policy_named(const std::string& name) {
  if (name == "gnutls35") {
    return keyring::Policy::gnutls35_compatible();
  }
  if (name == "strict") {
    return keyring::Policy::strict();
  }
  return keyring::Policy::standard();
}

int run_verify(const VerifyOptions& options) {
  auto domain = keyring::normalize_domain(options.domain);
  if (!domain.ok() || options.domain.find_first_of("*?!") != std::string::npos) {
    print_error("--domain '" + options.domain +
                "' is not a domain name; give the peer's domain (IDNs as A-labels, xn--…)");
    return kExitUsage;
  }
  base::Seconds now = std::chrono::time_point_cast<std::chrono::seconds>(program_time());
  if (!options.at.empty()) {
    auto at = base::parse_utc(options.at);
    if (!at.ok()) {
      print_error("--at '" + options.at + "' is not a time; write YYYY-MM-DDTHH:MM:SSZ");
      return kExitUsage;
    }
    now = *at;
  }
  keyring::KeyringStore store;
  if (!options.keyring.empty()) {
    if (auto loaded = store.load_path(options.keyring); !loaded.ok()) {
      return fail(loaded.error(), kExitUsage);
    }
  }
  // The same authorities and the same merge with the keyring's copy as a
  // handshake of `pgptls serve` (endpoint/trust.h, keyring::with_keyring_copy).
  auto authorities = endpoint::load_authority_files(options.authorities, store);
  if (!authorities.ok()) {
    return fail(authorities.error(), kExitUsage);
  }
  auto peer = endpoint::read_one_certificate(options.cert_file);
  if (!peer.ok()) {
    return fail(peer.error(), kExitUsage);
  }
  auto merged_peer = keyring::with_keyring_copy(std::move(peer).value(), store);
  if (!merged_peer.ok()) {
    return fail(merged_peer.error(), kExitUsage);
  }
  const auto verdict =
      keyring::check_peer(*merged_peer, *domain, *authorities, policy_named(options.policy), now);
  if (!verdict.ok()) {
    std::cout << "rejected: " << verdict.error().message() << "\n";
    return kExitFailed;
  }
  std::string keys;
  for (const openpgp::PublicKey& key : verdict->keys) {
    keys += (keys.empty() ? "" : " ") + key.key_id_hex();
  }
  std::cout << "accepted: authority " << base::hex_encode_upper(verdict->authority_fingerprint)
            << ", user ID " << verdict->user_id << ", authentication keys " << keys << "\n";
  return kExitOk;
}

void add_verify_cert_command(CLI::App& app, Action& action) {
  auto options = std::make_shared<VerifyOptions>();
  CLI::App* command = app.add_subcommand(
      "verify-cert",
      "Decide whether a certificate is authenticated for a domain by an authority; prints "
      "'accepted: …' (exit 0) or 'rejected: <reason>' (exit 1)");
  command
      ->add_option("--authority", options->authorities,
                   "An authority's certificate file, optionally limited to domains: "
                   "FILE[,scope=PATTERN]... (repeatable)")
      ->required();
  command->add_option("--domain", options->domain, "The peer's domain (xmpp:<domain>)")->required();
  command->add_option("--at", options->at,
                      "Decide as of this time, YYYY-MM-DDTHH:MM:SSZ (default: now)");
  command->add_option("--keyring", options->keyring,
                      "Also use the certificates of this keyring file or directory (newer "
                      "copies, revocations)");
  command
      ->add_option("--policy", options->policy,
                   "standard (default), gnutls35 (also [S]-only keys authenticate, as GnuTLS "
                   "3.5 signs with them) or strict")
      ->check(CLI::IsMember({"standard", "gnutls35", "strict"}));
  command->add_option("CERTFILE", options->cert_file, "The peer's certificate")->required();
  command->callback([&action, options] { action = [options] { return run_verify(*options); }; });
}

const CommandRegistration verify_cert_registration{"verify-cert", add_verify_cert_command};

}  // namespace
}  // namespace pgptls::cli
