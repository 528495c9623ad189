// openpgp_world.h: the OpenPGP keys the serve/connect OpenPGP tests use,
// made once by gpg as an operator would (an authority certifies the
// xmpp:DOMAIN user IDs with `gpg --default-key CA --quick-sign-key`) and
// cached (tests/keyring/store_gpg.h, cached_fixture).
//
//   ca        pgptls test authority, Ed25519 [C]
//   a, b      xmpp:a.example / xmpp:b.example, Ed25519 [SC] + Ed25519 [A]
//             subkey, certified by ca
//   ra, rb    xmpp:a.example / xmpp:b.example, RSA-2048 [SCA], certified
//   pb        xmpp:b.example, Ed25519 [SC] + [A], certified, secret keys
//             protected with the passphrase in pb.pass
//   impostor  xmpp:b.example, Ed25519 [SC] + [A], certified by nobody
//   old       xmpp:old.example, Ed25519 [SCA], made 2020-01-01, expired a
//             day later
//
// Files per key NAME: NAME.asc (armored certificate), NAME.sec (binary
// `gpg --export-secret-keys`); fingerprints in fpr, the [A] subkey's in sub.
#pragma once

#include <filesystem>
#include <map>
#include <string>

namespace pgptls::test {

struct OpenPgpWorld {
  std::filesystem::path dir;
  std::map<std::string, std::string> fpr;  // name -> primary fingerprint (uppercase hex)
  std::map<std::string, std::string> sub;  // name -> [A] subkey fingerprint, when separate
  [[nodiscard]] std::string file(const std::string& name) const { return (dir / name).string(); }
};

// openpgp_world: the cached keys, made on first use (gpg failures throw).
const OpenPgpWorld& openpgp_world();

// kPbPassphrase: the passphrase of pb's secret keys.
inline constexpr const char* kPbPassphrase = "correct horse battery staple";

}  // namespace pgptls::test
