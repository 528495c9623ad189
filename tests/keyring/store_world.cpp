#include "tests/keyring/store_world.h"

#include "tests/keyring/store_gpg.h"

namespace pgptls::test {
namespace {

void make_world(const std::filesystem::path& out) {
  GpgHome gpg;
  // One fixed time: the shared subkey packet must be identical in both
  // certificates, creation time included.
  gpg.faked_time("20240101T000000!");
  const std::string x = gpg.generate("xmpp:x.example", "ed25519", "sign,cert");
  const std::string s = gpg.add_subkey(x, "ed25519", "auth");
  const std::string grip = gpg.keygrips(x).back();
  write_file(gpg.path() / "y.params",
             "Key-Type: eddsa\nKey-Curve: ed25519\nKey-Usage: sign,cert\n"
             "Subkey-Type: eddsa\nSubkey-Curve: ed25519\nSubkey-Usage: auth\n"
             "Subkey-Grip: " +
                 grip + "\nName-Real: xmpp:y.example\nExpire-Date: 0\n%no-protection\n%commit\n");
  gpg.run({"--gen-key", (gpg.path() / "y.params").string()});
  const std::string y = gpg.fingerprints("=xmpp:y.example").front();
  write_file(out / "x.pgp", gpg.export_cert(x));
  write_file(out / "y.pgp", gpg.export_cert(y));
  write_file(out / "both.asc", gpg.run({"--armor", "--export", x, y}));
  gpg.add_user_id(x, "Server X <xmpp:x2.example>");
  write_file(out / "x-more.asc", gpg.export_cert(x, true));
  write_file(out / "x-secret.pgp", gpg.run({"--export-secret-keys", x}));
  write_file(out / "x-secret.asc", gpg.run({"--armor", "--export-secret-keys", x}));
  write_file(gpg.path() / "message.txt", "hello\n");
  write_file(out / "sig.asc", gpg.run({"--armor", "--detach-sign", "--default-key", x, "--output",
                                       "-", (gpg.path() / "message.txt").string()}));
  write_file(out / "x.fpr", x);
  write_file(out / "y.fpr", y);
  write_file(out / "s.fpr", s);
}

}  // namespace

const StoreWorld& store_world() {
  static const StoreWorld world = [] {
    StoreWorld made;
    made.dir = cached_fixture("keyring-store-v3", make_world);
    made.x = read_text_file(made.dir / "x.fpr");
    made.y = read_text_file(made.dir / "y.fpr");
    made.s = read_text_file(made.dir / "s.fpr");
    return made;
  }();
  return world;
}

}  // namespace pgptls::test
