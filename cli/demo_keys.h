// demo_keys.h: the OpenPGP part of `pgptls demo` before any connection.
// Step 1 makes keys with gpg as operators would: an authority, keys for
// xmpp:a.example, xmpp:b.example and xmpp:c.example certified by it, an
// impostor key also claiming xmpp:b.example that nobody certified, and c's
// revocation. Step 2 registers the authority and imports certificates with
// pgptls's own commands into a state directory (PGPTLS_HOME).
//
// Usage:
//   std::ostringstream shown;
//   const auto keys = make_demo_keys(dir, shown);  // prints each gpg command
//   if (!keys) { /* shown says why */ }
//   register_authority(program, dir / "home-a", dir, {"c-revoked.asc"}, shown);
#pragma once

#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace pgptls::cli {

// DemoKey: one OpenPGP key the demo made. Its files in the demo directory:
// <name>.asc (the certificate, armored, after the authority certified it)
// and <name>-secret.asc (gpg --export-secret-keys, unprotected).
struct DemoKey {
  std::string name;         // "a", "b", "impostor", "c"
  std::string user_id;      // "xmpp:a.example"
  std::string fingerprint;  // the primary key's, uppercase hex
  std::string subkey;       // fingerprint of its Ed25519 authentication subkey
  bool certified = false;   // whether the authority certified user_id
};

// DemoKeys: what make_demo_keys made. Besides the keys' files, the directory
// holds authority.asc and c-revoked.asc (c's certificate carrying the
// revocation of its primary key; c.asc is the copy from before).
struct DemoKeys {
  std::string authority_fingerprint;
  std::vector<DemoKey> keys;  // a, b, impostor, c

  // key: the key named `name`; the demo asks only for names it made.
  [[nodiscard]] const DemoKey& key(std::string_view name) const;
};

// make_demo_keys: runs gpg (throwaway GNUPGHOME <dir>/gnupg, --batch
// --pinentry-mode loopback, empty passphrase, Ed25519 keys) to make the
// keys and files above, printing each command it runs, in short, to `out`.
// Stops the gpg-agent it started before returning. On failure prints the
// command that failed with gpg's complaint and returns nullopt.
[[nodiscard]] std::optional<DemoKeys> make_demo_keys(const std::filesystem::path& dir,
                                                     std::ostream& out);

// register_authority: with the state directory `home` (PGPTLS_HOME),
// `pgptls authority add <dir>/authority.asc`, then `pgptls keyring import`
// of each of `imports` (file names in `dir`), each command and its answer
// printed to `out`. `program` is the pgptls executable. False (after
// printing the command's complaint) when a command fails.
[[nodiscard]] bool register_authority(const std::filesystem::path& program,
                                      const std::filesystem::path& home,
                                      const std::filesystem::path& dir,
                                      const std::vector<std::string>& imports, std::ostream& out);

}  // namespace pgptls::cli
