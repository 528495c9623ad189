// keyring_world.h: the certificates the CLI tests use, made once by gpg at a
// fixed past time (2024-01-01) and cached (see cached_fixture).
//
//   signer.asc    Designated Signer <signer@example.invalid>, Ed25519 [C]
//   signer2.asc   Second Signer <signer2@example.invalid>, Ed25519 [C]
//   a.asc         xmpp:a.example, Ed25519 [SC] + Ed25519 [A] subkey,
//                 certified by signer
//   u.asc         xmpp:u.example, certified by nobody
//   r.asc         xmpp:r.example, certified by signer, then revoked
//   r-old.asc     r before the revocation
//   c2.asc        xmpp:c2.example, certified by signer2 only
//   rc.asc        xmpp:rc.example [SCA], certified by signer, who then
//                 revoked the certification (gpg --quick-revoke-sig)
//   e.asc         xmpp:e.example [SCA], certified by signer, expiring after
//                 100 days (2024-04-10)
//   x.pgp         binary export of signer2 and c2 together
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "tests/support/process.h"

namespace pgptls::test {

struct KeyringWorld {
  std::filesystem::path dir;
  std::map<std::string, std::string> fpr;  // name -> primary fingerprint (uppercase hex)
  std::map<std::string, std::string> sub;  // name -> first subkey fingerprint, when there is one
  std::filesystem::path file(const std::string& name) const { return dir / name; }
};

// keyring_world: the cached world, made on first use.
const KeyringWorld& keyring_world();

// run_pgptls: runs the pgptls program under test with `env` added to the
// environment.
ToolResult run_pgptls(const std::vector<std::string>& args,
                      const std::map<std::string, std::string>& env = {});

// key_id_of: the v4 key ID (last 16 hex digits) of a fingerprint.
std::string key_id_of(const std::string& fingerprint);

}  // namespace pgptls::test
