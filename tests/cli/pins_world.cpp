#include "tests/cli/pins_world.h"

#include <sstream>
#include <stdexcept>

#include "base/encoding.h"
#include "tests/keyring/store_gpg.h"

namespace pgptls::test {
namespace {

const char* const kNames[] = {"authority", "narrow", "a", "u", "p"};
const std::string kPassphrase = "correct horse";

// protected_gpg: gpg in `home` with the passphrase of p.
std::string protected_gpg(GpgHome& gpg, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {
      "gpg",       "--homedir",           gpg.path().string(), "--batch",
      "--no-tty",  "--pinentry-mode",     "loopback",          "--passphrase",
      kPassphrase, "--faked-system-time", "20240101T000000!"};
  argv.insert(argv.end(), args.begin(), args.end());
  const ToolResult result = run_tool(argv);
  if (!result.ok()) {
    throw std::runtime_error("gpg " + args.front() + " failed: " + result.describe());
  }
  return result.out;
}

void make_world(const std::filesystem::path& out) {
  GpgHome gpg;
  gpg.faked_time("20240101T000000!");
  std::map<std::string, std::string> fpr;
  fpr["authority"] =
      gpg.generate("Pin Authority <authority@example.invalid>", "ed25519", "sign,cert");
  fpr["narrow"] = gpg.generate("Narrow Authority <narrow@other.test>", "ed25519", "sign,cert");
  // a signs its own statements; check_peer also wants a key it can
  // authenticate with in TLS.
  fpr["a"] = gpg.generate("xmpp:a.example", "ed25519", "sign,cert,auth");
  fpr["u"] = gpg.generate("xmpp:u.example", "ed25519", "sign,cert");
  gpg.certify(fpr["authority"], fpr["a"], "xmpp:a.example");

  protected_gpg(gpg, {"--quick-gen-key", "xmpp:p.example", "ed25519", "sign,cert", "never"});
  fpr["p"] = gpg.fingerprints("=xmpp:p.example").front();
  protected_gpg(gpg, {"--quick-add-key", fpr["p"], "ed25519", "sign", "never"});
  write_file(out / "p.sub", gpg.fingerprints(fpr["p"]).back());
  write_file(out / "p.pass", kPassphrase + "\n");

  for (const char* name : kNames) {
    const std::string fingerprint = fpr[name];
    write_file(out / (std::string(name) + ".asc"), gpg.export_cert(fingerprint, true));
    write_file(out / (std::string(name) + ".fpr"), fingerprint);
    write_file(out / (std::string(name) + "-secret.asc"),
               name == std::string("p")
                   ? protected_gpg(gpg, {"--armor", "--export-secret-keys", fingerprint})
                   : gpg.run({"--armor", "--export-secret-keys", fingerprint}));
  }
}

ToolResult run_checked(const std::vector<std::string>& argv) {
  ToolResult result = run_tool(argv);
  if (!result.ok()) {
    throw std::runtime_error(argv.front() + " " + argv.at(1) + " failed: " + result.describe());
  }
  return result;
}

}  // namespace

const PinsWorld& pins_world() {
  static const PinsWorld world = [] {
    PinsWorld made;
    made.dir = cached_fixture("cli-pins-v2", make_world);
    for (const char* name : kNames) {
      made.fpr[name] = read_text_file(made.dir / (std::string(name) + ".fpr"));
    }
    made.p_subkey = read_text_file(made.dir / "p.sub");
    return made;
  }();
  return world;
}

std::string pgptls_program() {
  return PGPTLS_BIN;
}

ToolResult run_pgptls_in(const std::filesystem::path& home, const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& env) {
  std::vector<std::string> argv{PGPTLS_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  ToolOptions options;
  options.env = env;
  options.env["PGPTLS_HOME"] = home.string();
  options.timeout = std::chrono::seconds(90);
  return run_tool(argv, options);
}

X509Identity make_x509(const std::filesystem::path& dir, const std::string& name,
                       const std::string& domain) {
  X509Identity identity{dir / (name + ".pem"), dir / (name + ".key")};
  run_checked({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
               "-nodes", "-keyout", identity.key.string(), "-out", identity.certificate.string(),
               "-days", "2", "-subj", "/CN=" + domain, "-addext", "subjectAltName=DNS:" + domain});
  return identity;
}

std::string openssl_spki_pin(const std::filesystem::path& certificate) {
  // RFC 7469 Appendix A: the pin as openssl computes it.
  const ToolResult result = run_checked(
      {"sh", "-c",
       "openssl x509 -in '" + certificate.string() +
           "' -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | "
           "openssl enc -base64"});
  std::string pin = result.out;
  while (!pin.empty() && (pin.back() == '\n' || pin.back() == '\r')) {
    pin.pop_back();
  }
  return pin;
}

std::string openssl_certificate_sha256(const std::filesystem::path& certificate) {
  const ToolResult result = run_checked(
      {"openssl", "x509", "-in", certificate.string(), "-noout", "-fingerprint", "-sha256"});
  // "sha256 Fingerprint=AB:CD:…"
  const std::size_t equals = result.out.find('=');
  std::string hex;
  for (std::size_t index = equals + 1; index < result.out.size(); ++index) {
    if (std::isxdigit(static_cast<unsigned char>(result.out[index])) != 0) {
      hex += result.out[index];
    }
  }
  const auto bytes = base::hex_decode(hex);
  if (!bytes.ok() || bytes->size() != 32) {
    throw std::runtime_error("unexpected openssl fingerprint output: " + result.out);
  }
  return base::base64_encode(*bytes);
}

}  // namespace pgptls::test
