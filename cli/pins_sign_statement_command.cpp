// pins_sign_statement_command.cpp: `pgptls pins sign-statement`, the server
// side of signed pin lists: given the server's X.509
// certificate(s) and an OpenPGP secret key, write the POSH statement
// (RFC 7711 §3 plus pgptls's "spki-sha-256", "domain", "issued", "serial")
// and its detached signature beside it, ready to publish as
// /.well-known/posh/xmpp-server.json and ….json.sig (or .asc).

#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/encoding.h"
#include "base/file.h"
#include "cli/keyring_cli.h"
#include "cli/pins_commands.h"
#include "endpoint/openpgp_credential.h"
#include "keyring/authority_store.h"
#include "openpgp/armor.h"
#include "openpgp/errors.h"
#include "openpgp/key_reference.h"
#include "openpgp/passphrase.h"
#include "openpgp/secret_key.h"
#include "openpgp/signature_writer.h"
#include "pins/pin_types.h"
#include "pins/posh_statement.h"

namespace pgptls::cli {
namespace {

using openpgp::Errc;

// A certificate file may hold a whole chain (fullchain.pem); only its first
// certificate, the server's own, is pinned. The cap is generous for chains.
constexpr std::size_t kMaxCertificateFileSize = 1024 * 1024;
constexpr std::size_t kMaxSecretKeyFileSize = 1024 * 1024;
// The POSH examples of RFC 7711 §3.1 use a week.
constexpr std::int64_t kDefaultExpiresSeconds = 7 * 24 * 3600;

struct SignArgs {
  std::vector<std::string> certificates;
  std::string key_file;
  std::string key;
  std::string passphrase_file;
  int passphrase_fd = -1;
  std::string passphrase_env;
  std::string domain;
  std::int64_t expires = kDefaultExpiresSeconds;
  std::optional<std::uint64_t> serial;  // default: now
  bool spki_only = false;
  bool armor = false;
  std::string out;
};

int sign_statement_usage(const std::string& message) {
  print_error(message + " (see pgptls pins sign-statement --help)");
  return kExitUsage;
}

// CertificateDigests: what a statement says about one certificate.
struct CertificateDigests {
  Bytes certificate_sha256;  // RFC 7711 §3.1: SHA-256 of the certificate DER
  Bytes spki_sha256;         // RFC 7469 §2.4: SHA-256 of the DER SubjectPublicKeyInfo
};

// certificate_digests: reads the first certificate of a PEM or DER file.
Result<CertificateDigests> certificate_digests(const std::string& file) {
  PGPTLS_TRY(const Bytes data, base::read_file(file, kMaxCertificateFileSize));
  auto digests = [&data]() -> Result<CertificateDigests> {
    PGPTLS_TRY(const Bytes der, pins::x509_der(data));
    PGPTLS_TRY(const Bytes spki, pins::spki_from_x509(der));
    PGPTLS_TRY(Bytes certificate_hash, pins::sha256_digest(der));
    PGPTLS_TRY(Bytes spki_hash, pins::sha256_digest(spki));
    return CertificateDigests{std::move(certificate_hash), std::move(spki_hash)};
  }();
  if (!digests.ok()) {
    return std::move(digests).error().wrap(file);
  }
  return digests;
}

// key_list: "0x…, 0x…" of the candidate keys, for messages.
std::string key_list(const std::vector<const openpgp::SecretKeyPacket*>& keys) {
  std::string text;
  for (const openpgp::SecretKeyPacket* key : keys) {
    text += (text.empty() ? "0x" : ", 0x") + base::hex_encode_upper(key->public_key.key_id);
  }
  return text;
}

bool can_make_signatures(const openpgp::SecretKeyPacket& packet) {
  switch (packet.public_key.algorithm) {
    case openpgp::PublicKeyAlgorithm::rsa:
    case openpgp::PublicKeyAlgorithm::rsa_sign_only:
    case openpgp::PublicKeyAlgorithm::ecdsa:
    case openpgp::PublicKeyAlgorithm::eddsa_legacy:
    case openpgp::PublicKeyAlgorithm::ed25519:
      return packet.public_key.version == openpgp::kKeyVersion4 && packet.has_secret();
    default:
      return false;
  }
}

// select_key: the key named by --key (key ID or fingerprint), else the one
// secret key in the file that can sign.
Result<const openpgp::SecretKeyPacket*> select_key(
    const std::vector<openpgp::SecretKeyPacket>& keys, const SignArgs& args) {
  if (!args.key.empty()) {
    const auto id = openpgp::parse_key_reference(args.key);
    if (!id) {
      return make_error(
          Errc::invalid_argument,
          "--key '" + args.key + "' is not a key ID (16 hex digits) or fingerprint (40 or 64)");
    }
    const openpgp::SecretKeyPacket* found = openpgp::find_secret_key(keys, *id);
    if (found == nullptr) {
      return make_error(Errc::not_found, "no secret key " + args.key + " in " + args.key_file +
                                             "; list its keys with gpg --list-packets " +
                                             args.key_file);
    }
    if (!can_make_signatures(*found)) {
      return make_error(Errc::no_usable_key,
                        "key 0x" + base::hex_encode_upper(found->public_key.key_id) +
                            " cannot sign here: it needs a v4 RSA, ECDSA or Ed25519 key "
                            "whose secret is in the file (not a card or stub)");
    }
    return found;
  }
  std::vector<const openpgp::SecretKeyPacket*> candidates;
  for (const openpgp::SecretKeyPacket& key : keys) {
    if (can_make_signatures(key)) {
      candidates.push_back(&key);
    }
  }
  if (candidates.empty()) {
    return make_error(Errc::no_usable_key,
                      args.key_file +
                          " holds no secret key that can sign here (v4 RSA, ECDSA or Ed25519 "
                          "with the secret in the file); export one with "
                          "gpg --export-secret-keys");
  }
  if (candidates.size() > 1) {
    return make_error(Errc::invalid_argument, args.key_file + " holds several signing keys (" +
                                                  key_list(candidates) +
                                                  "); choose one with --key");
  }
  return candidates.front();
}

// passphrase_for: the key's passphrase, read as `serve` and `connect` read
// theirs (endpoint::read_passphrase: file, fd, environment, or a prompt
// only on a terminal); none for an unprotected key.
Result<base::SecretBytes> passphrase_for(const SignArgs& args,
                                         const openpgp::SecretKeyPacket& key) {
  if (key.protection == openpgp::SecretKeyProtection::unprotected) {
    return base::SecretBytes{};
  }
  endpoint::OpenPgpKeyOptions options;
  options.key_file = args.key_file;
  options.passphrase_file = args.passphrase_file;
  options.passphrase_fd = args.passphrase_fd;
  options.passphrase_env = args.passphrase_env;
  return endpoint::read_passphrase(options, key);
}

Status write_output(const std::filesystem::path& path, ByteView content) {
  const Status written = base::write_file_atomic(path, content, 0644);
  if (!written.ok()) {
    return written.error().wrap("cannot write " + path.string());
  }
  return {};
}

ByteView bytes_of(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

int run_sign_statement(const SignArgs& args) {
  const pins::StatementLimits limits;
  if (args.expires <= 0 || args.expires > limits.max_expires_seconds) {
    return sign_statement_usage("--expires must be between 1 and " +
                                std::to_string(limits.max_expires_seconds) + " seconds");
  }
  pins::PinStatement statement;
  if (!args.domain.empty()) {
    auto domain = pins::normalize_domain_input(args.domain);
    if (!domain.ok()) {
      return fail(domain.error(), kExitUsage);
    }
    statement.domain = *domain;
  }
  for (const std::string& file : args.certificates) {
    auto digests = certificate_digests(file);
    if (!digests.ok()) {
      return fail(digests.error(), kExitUsage);
    }
    // Two certificates for one key (a renewal) give one SPKI pin.
    auto& pins = statement.pins;
    if (!args.spki_only &&
        std::find(pins.certificate_sha256.begin(), pins.certificate_sha256.end(),
                  digests->certificate_sha256) == pins.certificate_sha256.end()) {
      pins.certificate_sha256.push_back(digests->certificate_sha256);
    }
    if (std::find(pins.spki_sha256.begin(), pins.spki_sha256.end(), digests->spki_sha256) ==
        pins.spki_sha256.end()) {
      pins.spki_sha256.push_back(digests->spki_sha256);
    }
  }
  if (statement.pins.spki_sha256.size() > limits.max_pins_per_domain ||
      statement.pins.certificate_sha256.size() > limits.max_pins_per_domain) {
    return sign_statement_usage("at most " + std::to_string(limits.max_pins_per_domain) +
                                " certificates fit in one statement");
  }

  auto key_data = base::read_file(args.key_file, kMaxSecretKeyFileSize);
  if (!key_data.ok()) {
    return fail(key_data.error(), kExitUsage);
  }
  auto keys = openpgp::load_secret_keys(*key_data);
  if (!keys.ok()) {
    return fail(keys.error().wrap(args.key_file), kExitUsage);
  }
  auto selected = select_key(*keys, args);
  if (!selected.ok()) {
    return fail(selected.error(), kExitUsage);
  }
  const openpgp::SecretKeyPacket& packet = **selected;
  auto passphrase = passphrase_for(args, packet);
  if (!passphrase.ok()) {
    return fail(passphrase.error(), kExitUsage);
  }
  auto private_key = openpgp::unlock_secret_key(packet, *passphrase);
  if (!private_key.ok()) {
    return fail(
        private_key.error().wrap("key 0x" + base::hex_encode_upper(packet.public_key.key_id)),
        kExitFailed);
  }

  const base::Seconds now = std::chrono::floor<std::chrono::seconds>(program_time());
  statement.expires_seconds = args.expires;
  statement.issued = now;
  // A later statement must carry a higher serial (the rollback
  // rule); the issue time in seconds grows with every run by default.
  statement.serial =
      args.serial.value_or(static_cast<std::uint64_t>(now.time_since_epoch().count()));
  const std::string document = pins::write_pin_statement(statement);
  // What we publish must be what every client parses.
  if (auto reparsed = pins::parse_posh_document(bytes_of(document), limits); !reparsed.ok()) {
    return fail(reparsed.error().wrap("the statement would not parse"), kExitFailed);
  }

  const openpgp::DetachedSigner signer{
      static_cast<openpgp::SigningAlgorithm>(packet.public_key.algorithm ==
                                                     openpgp::PublicKeyAlgorithm::rsa_sign_only
                                                 ? openpgp::PublicKeyAlgorithm::rsa
                                                 : packet.public_key.algorithm),
      packet.public_key.fingerprint, private_key->get()};
  auto signature = openpgp::make_detached_signature(bytes_of(document), signer, now);
  if (!signature.ok()) {
    return fail(signature.error(), kExitFailed);
  }
  const std::filesystem::path out(args.out);
  const std::filesystem::path signature_path = args.out + (args.armor ? ".asc" : ".sig");
  if (const Status written = write_output(out, bytes_of(document)); !written.ok()) {
    return fail(written.error(), kExitUsage);
  }
  const std::string armored =
      args.armor ? openpgp::encode_armor("PGP SIGNATURE", *signature) : std::string();
  if (const Status written =
          write_output(signature_path, args.armor ? bytes_of(armored) : ByteView(*signature));
      !written.ok()) {
    return fail(written.error(), kExitUsage);
  }
  std::cout << "wrote " << out.string() << " (" << statement.pins.certificate_sha256.size()
            << " certificate fingerprints, " << statement.pins.spki_sha256.size()
            << " spki pins, serial " << *statement.serial << ", expires "
            << base::format_utc(now + std::chrono::seconds(args.expires)) << ") and "
            << signature_path.string() << " signed by 0x"
            << base::hex_encode_upper(packet.public_key.fingerprint) << "\n";
  return kExitOk;
}

}  // namespace

void add_sign_statement_command(CLI::App* pin, Action& action) {
  const auto [command, args] =
      add_command(pin, "sign-statement",
                  "Write a signed POSH statement of this server's certificates, to publish as "
                  "/.well-known/posh/xmpp-server.json and .json.sig",
                  action, run_sign_statement);
  command
      ->add_option("--x509-cert", args->certificates,
                   "The server's certificate, PEM or DER; only the first of a chain file "
                   "(repeatable)")
      ->required()
      ->allow_extra_args(false);
  command
      ->add_option("--openpgp-key", args->key_file,
                   "Secret key file (gpg --export-secret-keys, binary or armored)")
      ->required();
  command->add_option("--key", args->key,
                      "Sign with this key ID or fingerprint (default: the file's only "
                      "signing key)");
  auto* file = command->add_option("--passphrase-file", args->passphrase_file,
                                   "Read the passphrase from the first line of this file");
  auto* fd = command->add_option("--passphrase-fd", args->passphrase_fd,
                                 "Read the passphrase from this file descriptor");
  auto* env = command->add_option("--passphrase-env", args->passphrase_env,
                                  "Read the passphrase from this environment variable");
  file->excludes(fd)->excludes(env);
  fd->excludes(env);
  command->add_option("--domain", args->domain, "Name the domain inside the statement");
  command->add_option("--expires", args->expires,
                      "Seconds the statement stays valid after now (default 604800, a week)");
  command->add_option("--serial", args->serial,
                      "Serial number, higher than any earlier one (default: now in seconds since "
                      "1970, so sign at most once a second)");
  command->add_flag("--spki-only", args->spki_only,
                    "Only spki-sha-256 pins (they survive renewals that keep the key), no "
                    "certificate fingerprints");
  command->add_flag("--armor", args->armor, "Write an ASCII-armored FILE.asc instead of FILE.sig");
  command->add_option("--out", args->out, "The statement to write; the signature goes beside it")
      ->required();
}

}  // namespace pgptls::cli
