// openpgp_credential.h: the local OpenPGP credential of `pgptls serve` and
// `pgptls connect`: the certificate we send (RFC 6091 §3.3), the component
// key that signs in the handshake, and its secret, unlocked with a
// passphrase from a file, a descriptor, an environment variable or (only on
// a terminal) a no-echo prompt.
//
// Usage:
//   OpenPgpKeyOptions options{.cert_file = "a.asc", .key_file = "a.sec"};
//   PGPTLS_TRY(tls::OpenPgpCredential credential,
//              load_openpgp_credential(options, keyring::Policy::standard(), now));
#pragma once

#include <string>

#include "base/clock.h"
#include "base/result.h"
#include "base/secret.h"
#include "keyring/policy.h"
#include "openpgp/secret_key.h"
#include "tls/engine/credentials.h"

namespace pgptls::endpoint {

// OpenPgpKeyOptions: the option values naming our OpenPGP credential.
struct OpenPgpKeyOptions {
  std::string cert_file;          // --openpgp-cert: transferable public key
  std::string key_file;           // --openpgp-key: gpg --export-secret-keys output
  std::string subkey = "auto";    // --openpgp-subkey: KEYID, fingerprint or auto
  std::string passphrase_file;    // --passphrase-file
  int passphrase_fd = -1;         // --passphrase-fd
  std::string passphrase_env;     // --passphrase-env
  bool fingerprint_only = false;  // --fingerprint-only
};

// load_openpgp_credential: reads the certificate and the secret keys, picks
// the signing component (auto: the newest usable authentication key whose
// secret the key file holds, keyring::select_own_authentication_key),
// unlocks it and returns the credential. Every failure names the file or
// option and the fix: unreadable files, a certificate not valid at now, a
// key file holding no secret key of the certificate, an unknown or
// non-authentication subkey, a missing, unreadable or wrong passphrase, no
// passphrase source and no terminal. Usage-type mistakes (a malformed
// --openpgp-subkey) fail with base::Errc::invalid_value.
[[nodiscard]] Result<tls::OpenPgpCredential> load_openpgp_credential(
    const OpenPgpKeyOptions& options, const keyring::Policy& policy, base::Seconds now);

// read_passphrase: the passphrase for `key` of the key file from the first
// source given (file, fd, environment); with none, a no-echo prompt when
// stdin is a terminal; else an error naming the options to use.
[[nodiscard]] Result<base::SecretBytes> read_passphrase(const OpenPgpKeyOptions& options,
                                                        const openpgp::SecretKeyPacket& key);

// parse_key_id_text: a key ID (16 hex digits) or fingerprint (40 or 64),
// spaces and a leading 0x allowed; base::Errc::invalid_value otherwise.
[[nodiscard]] Result<Bytes> parse_key_id_text(std::string_view text);

}  // namespace pgptls::endpoint
