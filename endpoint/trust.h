// trust.h: the trust state of an endpoint (`pgptls serve`, `connect`, the
// pins commands, an embedding server), built from the trust options: authorities (repeated
// `--authority FILE[,scope=PATTERN]` plus the state directory's
// authorities.json), the keyring (`--keyring FILE|DIR`, default the state
// directory's keyring/), the pin store (`--pins`) and the run-wide switches
// `--tofu` and `--require-openpgp`.
//
// One trust state may serve several credential sets (hosted domains): it is
// shared, never copied (endpoint.h).
//
// Usage:
//   std::vector<std::string> warnings;
//   PGPTLS_TRY(std::shared_ptr<const Trust> trust, load_trust(options, warnings));
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "keyring/authority.h"
#include "keyring/keyring_store.h"
#include "pins/pin_store.h"
#include "tls/trust/trust_verifier.h"

namespace pgptls::endpoint {

// TrustOptions: the parsed trust option values.
struct TrustOptions {
  std::vector<std::string> authorities;  // FILE[,scope=PATTERN]...
  std::string keyring;                   // empty: the state directory's keyring/
  std::string pins;                      // empty: the state directory's pins.sqlite
  bool tofu = false;
  bool require_openpgp = false;
};

// load_keyring: the --keyring file or directory, read into memory; without
// the option the state directory's keyring/ when it exists (files it cannot
// use become warnings, as `pgptls keyring list` reports them), else an empty
// keyring. Fails naming the file that cannot be read.
[[nodiscard]] Result<keyring::KeyringStore> load_keyring(const std::string& option,
                                                         std::vector<std::string>& warnings);

// load_authority_files: the --authority FILE[,scope=PATTERN] values alone,
// each certificate merged with the keyring's copy
// (keyring::with_keyring_copy). Fails naming the option: a bad spec or
// scope, an unreadable file.
[[nodiscard]] Result<std::vector<keyring::Authority>> load_authority_files(
    const std::vector<std::string>& specs, const keyring::KeyringStore& store);

// load_authorities: every --authority (load_authority_files) and every entry of the
// state directory's authorities.json, whose certificate comes from the
// keyring (or the state directory's keyring/). Fails naming the option or
// entry: an unreadable file, a bad scope, an authority whose certificate is
// nowhere to be found.
[[nodiscard]] Result<std::vector<keyring::Authority>> load_authorities(
    const TrustOptions& options, const keyring::KeyringStore& store);

// Trust: the production trust decision and the parts it is made of (a
// client in mode auto also asks them whether a domain speaks OpenPGP).
struct Trust {
  std::shared_ptr<tls::TrustVerifier> verifier;
  std::shared_ptr<tls::OpenPgpTrust> openpgp;  // nullptr without authorities
  std::shared_ptr<pins::PinAccess> pins;
};

// load_trust: the TrustVerifier over the pin store and KeyringOpenPgpTrust
// (the authorities and the keyring; none when no authority is configured:
// every OpenPGP peer is then refused, saying so), with the --tofu and
// --require-openpgp overrides. Fails as the loaders above, or when the pin
// store cannot be opened.
[[nodiscard]] Result<std::shared_ptr<const Trust>> load_trust(const TrustOptions& options,
                                                              std::vector<std::string>& warnings);

// open_pin_store: the --pins database, or the state directory's
// pins.sqlite (the directory created, mode 0700). Fails naming the path.
[[nodiscard]] Result<pins::PinStore> open_pin_store(const std::string& option);

}  // namespace pgptls::endpoint
