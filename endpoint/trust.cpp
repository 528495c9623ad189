#include "endpoint/trust.h"

#include <filesystem>
#include <system_error>
#include <utility>

#include "base/clock.h"
#include "base/encoding.h"
#include "endpoint/certificate_files.h"
#include "endpoint/option_values.h"
#include "endpoint/program_clock.h"
#include "endpoint/state_dir.h"
#include "keyring/authority_store.h"
#include "openpgp/errors.h"
#include "pins/pin_cache.h"
#include "pins/pin_store.h"

namespace pgptls::endpoint {
namespace {

bool directory_exists(const std::filesystem::path& path) {
  std::error_code ignored;
  return std::filesystem::is_directory(path, ignored);
}

// pin_store_path: the --pins database, or the state directory's
// pins.sqlite (the directory created, mode 0700).
Result<std::filesystem::path> pin_store_path(const std::string& option) {
  if (!option.empty()) {
    return std::filesystem::path(option);
  }
  PGPTLS_TRY(const std::filesystem::path state, ensure_state_dir());
  return pins_path(state);
}

// open_pins: the pin store for handshakes: read from memory, written off
// the event loop (pins::PinCache).
Result<std::shared_ptr<pins::PinAccess>> open_pins(const std::string& option) {
  PGPTLS_TRY(const std::filesystem::path path, pin_store_path(option));
  PGPTLS_TRY(std::shared_ptr<pins::PinCache> cache, pins::PinCache::open(path));
  return std::shared_ptr<pins::PinAccess>(std::move(cache));
}

// authority_from_state: the certificate of an authorities.json entry, from
// the keyring in use or else the state directory's own keyring.
Result<openpgp::Cert> authority_from_state(const keyring::AuthorityEntry& entry,
                                           const keyring::KeyringStore& store,
                                           const std::filesystem::path& state,
                                           std::optional<keyring::KeyringStore>& state_keyring) {
  if (const openpgp::Cert* cert = store.find(entry.fingerprint)) {
    return *cert;
  }
  const std::filesystem::path directory = keyring_path(state);
  if (!state_keyring && directory_exists(directory) && store.directory() != directory) {
    auto opened = keyring::KeyringStore::open(directory);
    if (opened.ok()) {
      state_keyring = std::move(opened).value();
    }
  }
  if (state_keyring) {
    if (const openpgp::Cert* cert = state_keyring->find(entry.fingerprint)) {
      return *cert;
    }
  }
  return make_error(openpgp::Errc::not_found,
                    "authority " + base::hex_encode_upper(entry.fingerprint) + " of " +
                        authorities_path(state).string() +
                        " has no certificate in the keyring; import it with 'pgptls keyring "
                        "import FILE' or remove it with 'pgptls authority remove'");
}

}  // namespace

Result<keyring::KeyringStore> load_keyring(const std::string& option,
                                           std::vector<std::string>& warnings) {
  if (!option.empty()) {
    keyring::KeyringStore store;
    if (auto loaded = store.load_path(option); !loaded.ok()) {
      return std::move(loaded).error().wrap("--keyring " + option);
    }
    return store;
  }
  auto state = state_dir();
  if (!state.ok() || !directory_exists(keyring_path(*state))) {
    return keyring::KeyringStore();  // nothing imported yet
  }
  PGPTLS_TRY(auto store, keyring::KeyringStore::open(keyring_path(*state)));
  for (const keyring::StoreProblem& problem : store.problems()) {
    warnings.push_back("keyring file " + problem.file.string() +
                       " skipped: " + problem.error.message());
  }
  return store;
}

Result<pins::PinStore> open_pin_store(const std::string& option) {
  PGPTLS_TRY(const std::filesystem::path path, pin_store_path(option));
  return pins::PinStore::open(path);
}

Result<std::vector<keyring::Authority>> load_authority_files(const std::vector<std::string>& specs,
                                                             const keyring::KeyringStore& store) {
  std::vector<keyring::Authority> authorities;
  for (const std::string& text : specs) {
    auto spec = parse_authority_spec(text);
    if (!spec.ok()) {
      return std::move(spec).error().wrap("--authority");
    }
    keyring::Authority authority;
    for (const std::string& scope : spec->scopes) {
      auto normalized = keyring::normalize_scope_pattern(scope);
      if (!normalized.ok()) {
        return std::move(normalized).error().wrap("--authority " + text);
      }
      authority.scopes.push_back(std::move(normalized).value());
    }
    auto cert = read_one_certificate(spec->file);
    if (!cert.ok()) {
      return std::move(cert).error().wrap("--authority");
    }
    auto merged = keyring::with_keyring_copy(std::move(cert).value(), store);
    if (!merged.ok()) {
      return std::move(merged).error().wrap("--authority " + spec->file);
    }
    authority.cert = std::move(merged).value();
    authorities.push_back(std::move(authority));
  }
  return authorities;
}

Result<std::vector<keyring::Authority>> load_authorities(const TrustOptions& options,
                                                         const keyring::KeyringStore& store) {
  PGPTLS_TRY(std::vector<keyring::Authority> authorities,
             load_authority_files(options.authorities, store));

  auto state = state_dir();
  if (!state.ok()) {
    return authorities;  // no state directory, so no authorities.json
  }
  PGPTLS_TRY(const keyring::AuthorityStore stored,
             keyring::AuthorityStore::load(authorities_path(*state)));
  std::optional<keyring::KeyringStore> state_keyring;
  for (const keyring::AuthorityEntry& entry : stored.entries()) {
    PGPTLS_TRY(openpgp::Cert cert, authority_from_state(entry, store, *state, state_keyring));
    authorities.push_back({std::move(cert), entry.scopes});
  }
  return authorities;
}

Result<std::shared_ptr<const Trust>> load_trust(const TrustOptions& options,
                                                std::vector<std::string>& warnings) {
  PGPTLS_TRY(keyring::KeyringStore store, load_keyring(options.keyring, warnings));
  PGPTLS_TRY(std::vector<keyring::Authority> authorities, load_authorities(options, store));
  PGPTLS_TRY(std::shared_ptr<pins::PinAccess> pins, open_pins(options.pins));
  PGPTLS_TRY(std::shared_ptr<const base::Clock> clock, program_clock());

  std::shared_ptr<tls::OpenPgpTrust> openpgp;
  if (!authorities.empty()) {
    tls::KeyringTrustConfig trust;
    trust.authorities = std::move(authorities);
    trust.certificates = store.certificates();
    trust.clock = clock;
    openpgp = std::make_shared<tls::KeyringOpenPgpTrust>(std::move(trust));
  }
  tls::TrustPolicy policy;
  policy.force_tofu = options.tofu;
  policy.force_require_openpgp = options.require_openpgp;
  auto trust = std::make_shared<Trust>();
  trust->verifier = std::make_shared<tls::TrustVerifier>(
      tls::TrustVerifierConfig{pins, openpgp, policy, std::move(clock)});
  trust->openpgp = std::move(openpgp);
  trust->pins = std::move(pins);
  return std::shared_ptr<const Trust>(std::move(trust));
}

}  // namespace pgptls::endpoint
