#include "endpoint/openpgp_credential.h"

#include <unistd.h>

#include <cctype>
#include <utility>
#include <vector>

#include "base/encoding.h"
#include "base/errors.h"
#include "base/file.h"
#include "endpoint/certificate_files.h"
#include "keyring/authority.h"
#include "keyring/validate.h"
#include "openpgp/errors.h"
#include "openpgp/key_reference.h"
#include "openpgp/passphrase.h"

namespace pgptls::endpoint {
namespace {

// kMaxKeyFileSize: a secret key export of a few keys is a few KiB; a larger
// file is most likely the wrong file.
constexpr std::size_t kMaxKeyFileSize = std::size_t{1} << 20;

Error usage(std::string what) {
  return make_error(base::Errc::invalid_value, std::move(what));
}

const openpgp::SecretKeyPacket* secret_for(const std::vector<openpgp::SecretKeyPacket>& keys,
                                           const openpgp::PublicKey& key) {
  return openpgp::find_secret_key(keys, key.fingerprint);
}

// component_list: "0x1234… (primary), 0x5678…" for messages.
std::string component_list(const openpgp::Cert& cert) {
  std::string list = "0x" + cert.primary.key_id_hex() + " (primary)";
  for (const openpgp::Subkey& subkey : cert.subkeys) {
    list += ", 0x" + subkey.key.key_id_hex();
  }
  return list;
}

Result<const openpgp::PublicKey*> pick_signing_key(
    const OpenPgpKeyOptions& options, const openpgp::Cert& cert,
    const keyring::ValidatedCert& validated, const std::vector<openpgp::SecretKeyPacket>& keys,
    const keyring::Policy& policy) {
  if (options.subkey.empty() || options.subkey == "auto") {
    auto own = keyring::select_own_authentication_key(
        validated, policy, [&](const openpgp::PublicKey& key) {
          const openpgp::SecretKeyPacket* secret = secret_for(keys, key);
          return secret != nullptr && secret->has_secret();
        });
    if (!own.ok()) {
      return make_error(openpgp::Errc::no_usable_key,
                        "--openpgp-subkey auto: certificate " + cert.fingerprint_hex() +
                            " has no usable authentication key whose secret is in " +
                            options.key_file + " (" + own.error().message() +
                            "); add one with 'gpg --quick-add-key " + cert.fingerprint_hex() +
                            " ed25519 auth' and export the secret keys again");
    }
    return own;
  }
  PGPTLS_TRY(const Bytes id, parse_key_id_text(options.subkey));
  if (cert.find_key(id) == nullptr) {
    return make_error(openpgp::Errc::not_found,
                      "--openpgp-subkey " + options.subkey + ": no such key in certificate " +
                          cert.fingerprint_hex() + " (" + options.cert_file + "); its keys are " +
                          component_list(cert));
  }
  auto selected = keyring::select_authentication_key(validated, id, policy);
  if (!selected.ok()) {
    return std::move(selected).error().wrap(
        "--openpgp-subkey " + options.subkey +
        ": key cannot authenticate (it needs the authentication flag [A] and a valid binding; "
        "pick another key or use auto)");
  }
  const openpgp::SecretKeyPacket* secret = secret_for(keys, **selected);
  if (secret == nullptr || !secret->has_secret()) {
    return make_error(openpgp::Errc::not_found,
                      "--openpgp-subkey " + options.subkey + ": " + options.key_file +
                          " holds no secret for key 0x" + (*selected)->key_id_hex() +
                          "; export it with 'gpg --export-secret-keys " + cert.fingerprint_hex() +
                          "'");
  }
  return selected;
}

// check_one_passphrase_source: CLI11 enforces this on the command line; a
// --config file may still combine them, and silently preferring one would
// hide the mistake.
Status check_one_passphrase_source(const OpenPgpKeyOptions& options) {
  const int sources = static_cast<int>(!options.passphrase_file.empty()) +
                      static_cast<int>(options.passphrase_fd >= 0) +
                      static_cast<int>(!options.passphrase_env.empty());
  if (sources > 1) {
    return usage("give only one of --passphrase-file, --passphrase-fd and --passphrase-env");
  }
  return {};
}

}  // namespace

Result<Bytes> parse_key_id_text(std::string_view text) {
  auto bytes = openpgp::parse_key_reference(text);
  if (!bytes) {
    return usage("--openpgp-subkey '" + std::string(text) +
                 "' is not a key ID (16 hex digits), a fingerprint (40 or 64) or auto");
  }
  return std::move(*bytes);
}

Result<base::SecretBytes> read_passphrase(const OpenPgpKeyOptions& options,
                                          const openpgp::SecretKeyPacket& key) {
  const std::string which = "key 0x" + key.public_key.key_id_hex() + " of " + options.key_file;
  PGPTLS_CHECK(check_one_passphrase_source(options));
  if (!options.passphrase_file.empty()) {
    auto pass = openpgp::passphrase_from_file(options.passphrase_file);
    if (!pass.ok()) {
      return std::move(pass).error().wrap("--passphrase-file");
    }
    return pass;
  }
  if (options.passphrase_fd >= 0) {
    auto pass = openpgp::passphrase_from_fd(options.passphrase_fd);
    if (!pass.ok()) {
      return std::move(pass).error().wrap("--passphrase-fd " +
                                          std::to_string(options.passphrase_fd));
    }
    return pass;
  }
  if (!options.passphrase_env.empty()) {
    auto pass = openpgp::passphrase_from_env(options.passphrase_env);
    if (!pass.ok()) {
      return std::move(pass).error().wrap("--passphrase-env " + options.passphrase_env);
    }
    return pass;
  }
  // Prompt only for an operator at a terminal; a service must not hang on
  // a prompt nobody sees.
  if (::isatty(STDIN_FILENO) == 1) {
    return openpgp::passphrase_from_terminal("Passphrase for OpenPGP " + which + ": ");
  }
  return make_error(openpgp::Errc::bad_passphrase,
                    which +
                        " is passphrase-protected and there is no terminal to ask on; give "
                        "--passphrase-file, --passphrase-fd or --passphrase-env");
}

Result<tls::OpenPgpCredential> load_openpgp_credential(const OpenPgpKeyOptions& options,
                                                       const keyring::Policy& policy,
                                                       base::Seconds now) {
  if (options.cert_file.empty() || options.key_file.empty()) {
    return usage("--openpgp-cert and --openpgp-key come together: give both");
  }
  PGPTLS_CHECK(check_one_passphrase_source(options));
  auto read_cert = read_one_certificate(options.cert_file);
  if (!read_cert.ok()) {
    return std::move(read_cert).error().wrap("--openpgp-cert");
  }
  const openpgp::Cert cert = std::move(read_cert).value();
  const keyring::ValidatedCert validated = keyring::validate(cert, policy, now);
  if (!validated.primary.status.ok()) {
    return validated.primary.status.error().wrap("--openpgp-cert " + options.cert_file +
                                                 ": certificate " + cert.fingerprint_hex() +
                                                 " is not valid now; renew or replace it");
  }

  auto key_bytes = base::read_file(options.key_file, kMaxKeyFileSize);
  if (!key_bytes.ok()) {
    return std::move(key_bytes).error().wrap("--openpgp-key");
  }
  auto loaded = openpgp::load_secret_keys(*key_bytes);
  // The secret material read from the file is not needed any more.
  base::secure_wipe(key_bytes->data(), key_bytes->size());
  if (!loaded.ok()) {
    return std::move(loaded).error().wrap(
        "--openpgp-key " + options.key_file +
        " (give the output of 'gpg --export-secret-keys FINGERPRINT')");
  }
  const std::vector<openpgp::SecretKeyPacket> keys = std::move(loaded).value();
  bool matches = secret_for(keys, cert.primary) != nullptr;
  for (const openpgp::Subkey& subkey : cert.subkeys) {
    matches = matches || secret_for(keys, subkey.key) != nullptr;
  }
  if (!matches) {
    return make_error(openpgp::Errc::invalid_argument,
                      "--openpgp-key " + options.key_file + " holds no secret key of certificate " +
                          cert.fingerprint_hex() + " (--openpgp-cert " + options.cert_file +
                          "): the certificate and the key do not match; export both from the "
                          "same gpg key");
  }

  PGPTLS_TRY(const openpgp::PublicKey* const signing,
             pick_signing_key(options, cert, validated, keys, policy));
  const openpgp::SecretKeyPacket& secret = *secret_for(keys, *signing);
  base::SecretBytes passphrase;
  if (secret.protection != openpgp::SecretKeyProtection::unprotected) {
    PGPTLS_TRY(passphrase, read_passphrase(options, secret));
  }
  auto unlocked = openpgp::unlock_secret_key(secret, passphrase);
  if (!unlocked.ok()) {
    if (unlocked.error().code == openpgp::Errc::bad_passphrase) {
      return make_error(openpgp::Errc::bad_passphrase,
                        "wrong passphrase for key 0x" + signing->key_id_hex() + " of " +
                            options.key_file + "; check the passphrase option");
    }
    return std::move(unlocked).error().wrap("--openpgp-key " + options.key_file + ": key 0x" +
                                            signing->key_id_hex());
  }

  tls::OpenPgpCredential credential;
  auto serialized = cert.serialize();
  if (!serialized.ok()) {
    return std::move(serialized).error().wrap("--openpgp-cert " + options.cert_file);
  }
  credential.transferable_key = std::move(serialized).value();
  credential.key_id = signing->key_id;
  credential.fingerprint = cert.fingerprint();
  credential.send_fingerprint_only = options.fingerprint_only;
  credential.signer = base::share(std::move(unlocked).value());
  return credential;
}

}  // namespace pgptls::endpoint
