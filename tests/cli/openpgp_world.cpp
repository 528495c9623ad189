#include "tests/cli/openpgp_world.h"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "tests/keyring/store_gpg.h"

namespace pgptls::test {
namespace {

const char* const kNames[] = {"ca", "a", "b", "ra", "rb", "pb", "impostor", "old"};

// generate: a new certificate for user_id even when one exists already
// (several keys claim xmpp:b.example); its fingerprint is the one the
// generation adds to the user ID's listing.
std::string generate(GpgHome& gpg, const std::string& user_id, const std::string& algo,
                     const std::string& usage, const std::string& passphrase = "",
                     const std::string& expire = "never") {
  std::vector<std::string> before;
  try {
    before = gpg.fingerprints("=" + user_id);
  } catch (const std::runtime_error&) {
    // gpg fails to list a user ID no key has yet.
  }
  gpg.run({"--yes", "--passphrase", passphrase, "--quick-gen-key", user_id, algo, usage, expire});
  for (const std::string& candidate : gpg.fingerprints("=" + user_id)) {
    if (std::find(before.begin(), before.end(), candidate) == before.end()) {
      return candidate;
    }
  }
  throw std::runtime_error("gpg made no new certificate for " + user_id);
}

void make_world(const std::filesystem::path& out) {
  GpgHome gpg;
  std::map<std::string, std::string> fpr;
  std::map<std::string, std::string> sub;
  fpr["ca"] = generate(gpg, "pgptls test authority <ca@example.invalid>", "ed25519", "cert");
  // Ed25519: the primary signs and certifies, a separate subkey
  // authenticates (what `--openpgp-subkey auto` must find). pb's secrets
  // are protected with a passphrase, so gpg exports them protected (S2K 254).
  for (const auto& [name, domain] :
       std::vector<std::pair<std::string, std::string>>{{"a", "a.example"},
                                                        {"b", "b.example"},
                                                        {"impostor", "b.example"},
                                                        {"pb", "b.example"}}) {
    const std::string passphrase = name == "pb" ? kPbPassphrase : "";
    fpr[name] = generate(gpg, "xmpp:" + domain, "ed25519", "sign,cert", passphrase);
    gpg.run({"--passphrase", passphrase, "--quick-add-key", fpr[name], "ed25519", "auth", "never"});
    sub[name] = gpg.fingerprints(fpr[name]).back();
  }
  // old: made in 2020 and expired a day later (gpg --faked-system-time).
  gpg.faked_time("20200101T000000!");
  fpr["old"] = generate(gpg, "xmpp:old.example", "ed25519", "sign,cert,auth", "", "1d");
  gpg.faked_time(std::nullopt);
  // RSA-2048 as GnuTLS 3.5 peers have them: one key for everything.
  fpr["ra"] = generate(gpg, "xmpp:a.example", "rsa2048", "sign,cert,auth");
  fpr["rb"] = generate(gpg, "xmpp:b.example", "rsa2048", "sign,cert,auth");

  for (const std::string name : {"a", "b", "ra", "rb", "pb"}) {
    gpg.certify(fpr["ca"], fpr[name],
                "xmpp:" + std::string(name == "a" || name == "ra" ? "a.example" : "b.example"));
  }
  for (const char* name : kNames) {
    const std::string key = fpr[name];
    write_file(out / (std::string(name) + ".asc"), gpg.export_cert(key, true));
    const std::string passphrase = std::string(name) == "pb" ? kPbPassphrase : "";
    write_file(out / (std::string(name) + ".sec"),
               gpg.run({"--passphrase", passphrase, "--export-secret-keys", key}));
    write_file(out / (std::string(name) + ".fpr"), key);
    write_file(out / (std::string(name) + ".sub"), sub.count(name) ? sub[name] : "");
  }
  write_file(out / "pb.pass", std::string(kPbPassphrase) + "\n");
}

}  // namespace

const OpenPgpWorld& openpgp_world() {
  static const OpenPgpWorld world = [] {
    OpenPgpWorld made;
    made.dir = cached_fixture("cli-openpgp-v2", make_world);
    for (const char* name : kNames) {
      made.fpr[name] = read_text_file(made.dir / (std::string(name) + ".fpr"));
      const std::string sub = read_text_file(made.dir / (std::string(name) + ".sub"));
      if (!sub.empty()) {
        made.sub[name] = sub;
      }
    }
    return made;
  }();
  return world;
}

}  // namespace pgptls::test
