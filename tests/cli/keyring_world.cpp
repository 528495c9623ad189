#include "tests/cli/keyring_world.h"

#include "tests/keyring/store_gpg.h"

namespace pgptls::test {
namespace {

const char* const kNames[] = {"signer", "signer2", "a", "u", "r", "c2", "rc", "e"};

void make_world(const std::filesystem::path& out) {
  GpgHome gpg;
  gpg.faked_time("20240101T000000!");
  std::map<std::string, std::string> fpr;
  fpr["signer"] = gpg.generate("Designated Signer <signer@example.invalid>", "ed25519", "cert");
  fpr["signer2"] = gpg.generate("Second Signer <signer2@example.invalid>", "ed25519", "cert");
  fpr["a"] = gpg.generate("xmpp:a.example", "ed25519", "sign,cert");
  const std::string a_sub = gpg.add_subkey(fpr["a"], "ed25519", "auth");
  fpr["u"] = gpg.generate("xmpp:u.example", "ed25519", "sign,cert");
  fpr["r"] = gpg.generate("xmpp:r.example", "ed25519", "sign,cert");
  fpr["c2"] = gpg.generate("xmpp:c2.example", "ed25519", "sign,cert");
  gpg.certify(fpr["signer"], fpr["a"], "xmpp:a.example");
  gpg.certify(fpr["signer"], fpr["r"], "xmpp:r.example");
  gpg.certify(fpr["signer2"], fpr["c2"], "xmpp:c2.example");
  fpr["rc"] = gpg.generate("xmpp:rc.example", "ed25519", "sign,cert,auth");
  gpg.certify(fpr["signer"], fpr["rc"], "xmpp:rc.example");
  gpg.run({"--quick-revoke-sig", fpr["rc"], fpr["signer"]});
  fpr["e"] = gpg.generate("xmpp:e.example", "ed25519", "sign,cert,auth", "100d");
  gpg.certify(fpr["signer"], fpr["e"], "xmpp:e.example");
  write_file(out / "r-old.asc", gpg.export_cert(fpr["r"], true));
  gpg.revoke_key(fpr["r"]);
  for (const char* name : kNames) {
    write_file(out / (std::string(name) + ".asc"), gpg.export_cert(fpr[name], true));
    write_file(out / (std::string(name) + ".fpr"), fpr[name]);
  }
  write_file(out / "a.sub", a_sub);
  write_file(out / "x.pgp", gpg.run({"--export", fpr["signer2"], fpr["c2"]}));
}

}  // namespace

const KeyringWorld& keyring_world() {
  static const KeyringWorld world = [] {
    KeyringWorld made;
    made.dir = cached_fixture("cli-keyring-v4", make_world);
    for (const char* name : kNames) {
      made.fpr[name] = read_text_file(made.dir / (std::string(name) + ".fpr"));
    }
    made.sub["a"] = read_text_file(made.dir / "a.sub");
    return made;
  }();
  return world;
}

ToolResult run_pgptls(const std::vector<std::string>& args,
                      const std::map<std::string, std::string>& env) {
  std::vector<std::string> argv{PGPTLS_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  ToolOptions options;
  options.env = env;
  options.timeout = std::chrono::seconds(60);
  return run_tool(argv, options);
}

std::string key_id_of(const std::string& fingerprint) {
  return fingerprint.substr(fingerprint.size() - 16);
}

}  // namespace pgptls::test
