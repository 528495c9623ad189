// store_world.h: the certificates the keyring store tests use, made once by
// gpg and cached (see cached_fixture).
//
//   x.pgp       xmpp:x.example, Ed25519 [SC] primary + Ed25519 [A] subkey S
//   y.pgp       xmpp:y.example, its own primary, bound to the same subkey S
//               (gpg --gen-key with Subkey-Grip), so S's key ID is in both:
//               a real key ID collision
//   x-more.asc  x after gpg --quick-add-uid "Server X <xmpp:x2.example>"
//               (armored): the same certificate with more packets
//   both.asc    x and y in one armored file
//   x-secret.pgp / x-secret.asc   gpg --export-secret-keys of x (as x-more)
//   sig.asc     an armored detached signature by x (not a certificate)
//   *.fpr       the fingerprints (x, y, s) as 40 hex digits
#pragma once

#include <filesystem>
#include <string>

namespace pgptls::test {

struct StoreWorld {
  std::filesystem::path dir;
  std::string x;  // fingerprints, uppercase hex
  std::string y;
  std::string s;
};

// store_world: the cached world, made on first use.
const StoreWorld& store_world();

}  // namespace pgptls::test
