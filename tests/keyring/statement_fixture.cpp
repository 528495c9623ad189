#include "tests/keyring/statement_fixture.h"

#include <chrono>
#include <stdexcept>

#include "base/encoding.h"
#include "pins/posh_statement.h"
#include "tests/keyring/store_gpg.h"
#include "tests/support/process.h"

namespace pgptls::test {
namespace {

const char* const kKeys[] = {"authority", "narrow",  "domain_a", "stranger", "unknown",
                             "expired",   "revoked", "certonly", "domain_d", "lone"};

std::string read_required(const std::filesystem::path& path) {
  std::string text = read_text_file(path);
  if (text.empty()) {
    throw std::runtime_error("fixture file missing: " + path.string());
  }
  return text;
}

void must(const ToolResult& result, const std::string& what) {
  if (!result.ok()) {
    throw std::runtime_error(what + " failed: " + result.describe());
  }
}

// make_fixture: runs gpg and openssl into `out`.
void make_fixture(const std::filesystem::path& out) {
  GpgHome gpg;
  const std::string authority = gpg.generate("Statement Authority", "ed25519", "sign,cert");
  const std::string narrow = gpg.generate("Narrow Authority", "ed25519", "sign,cert");
  const std::string domain_a = gpg.generate("xmpp:a.example", "ed25519", "sign,cert");
  const std::string stranger = gpg.generate("xmpp:c.example", "ed25519", "sign,cert");
  const std::string unknown = gpg.generate("xmpp:u.example", "ed25519", "sign,cert");
  // Authorities whose keys may not sign now: expired in 2021, revoked, and
  // flagged for certification only.
  gpg.faked_time("20200101T000000");
  const std::string expired = gpg.generate("Expired Authority", "ed25519", "sign,cert", "1y");
  gpg.faked_time(std::nullopt);
  const std::string revoked = gpg.generate("Revoked Authority", "ed25519", "sign,cert");
  gpg.revoke_key(revoked);
  const std::string certonly = gpg.generate("Certify-only Authority", "ed25519", "cert");
  // A TLS peer: its primary key signs statements, a subkey authenticates.
  gpg.add_subkey(domain_a, "ed25519", "auth");
  gpg.add_subkey(stranger, "ed25519", "auth");
  gpg.certify(authority, domain_a, "xmpp:a.example");
  // X.509-only domains, what signed pins are for: [SC] certificates without an
  // authentication key, one certified by the authority, one by nobody.
  const std::string domain_d = gpg.generate("xmpp:d.example", "ed25519", "sign,cert");
  gpg.certify(authority, domain_d, "xmpp:d.example");
  const std::string lone = gpg.generate("xmpp:e.example", "ed25519", "sign,cert");
  const std::vector<std::string> fingerprints{authority, narrow,  domain_a, stranger, unknown,
                                              expired,   revoked, certonly, domain_d, lone};
  for (std::size_t i = 0; i < fingerprints.size(); ++i) {
    write_file(out / (std::string(kKeys[i]) + ".pub"), gpg.export_cert(fingerprints[i]));
    write_file(out / (std::string(kKeys[i]) + ".sec"),
               gpg.run({"--export-secret-keys", fingerprints[i]}));
  }

  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  pins::PinStatement statement;
  statement.domain = "a.example";
  statement.pins.spki_sha256.push_back(Bytes(32, 0xA1));
  statement.pins.certificate_sha256.push_back(Bytes(32, 0xC1));
  statement.issued = base::Seconds(now);
  statement.expires_seconds = 300LL * 24 * 3600;
  statement.serial = 7;
  write_file(out / "a.json", pins::write_pin_statement(statement));
  write_file(out / "time", std::to_string(now.time_since_epoch().count()));
  const std::string json = (out / "a.json").string();
  gpg.run(
      {"--local-user", domain_a, "--output", (out / "a.json.sig").string(), "--detach-sign", json});
  gpg.run({"--local-user", domain_a, "--armor", "--output", (out / "a.json.asc").string(),
           "--detach-sign", json});
  gpg.run({"--local-user", domain_a, "--textmode", "--armor", "--output",
           (out / "a.json.txt.asc").string(), "--detach-sign", json});
  // SHA-1, which the policy refuses for third-party signatures.
  gpg.run({"--local-user", domain_a, "--digest-algo", "SHA1", "--output",
           (out / "a.json.sha1.sig").string(), "--detach-sign", json});

  // Two certificates of one key: a renewal that keeps the key.
  const std::string key = (out / "x509.key").string();
  must(run_tool({"openssl", "genpkey", "-algorithm", "ed25519", "-out", key}), "openssl genpkey");
  for (const std::string name : {"first", "second"}) {
    must(run_tool({"openssl", "req", "-x509", "-key", key, "-subj", "/CN=a.example", "-days", "30",
                   "-outform", "DER", "-out", (out / ("x509-" + name + ".der")).string()}),
         "openssl req");
  }
}

openpgp::Cert load_cert(const std::filesystem::path& path) {
  const std::string data = read_required(path);
  auto cert = openpgp::parse_certificate(view(data));
  if (!cert.ok()) {
    throw std::runtime_error(path.string() + ": " + cert.error().message());
  }
  return std::move(cert).value();
}

Bytes bytes_of(const std::string& text) {
  return Bytes(text.begin(), text.end());
}

}  // namespace

ByteView view(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

openpgp::DetachedSigner SigningKey::signer() const {
  return {static_cast<openpgp::SigningAlgorithm>(packet.public_key.algorithm),
          packet.public_key.fingerprint, key.get()};
}

const StatementWorld& StatementWorld::get() {
  static const StatementWorld* world = [] {
    auto* w = new StatementWorld;
    w->dir = cached_fixture("statement-trust-v4", make_fixture);
    w->authority = load_cert(w->dir / "authority.pub");
    w->narrow = load_cert(w->dir / "narrow.pub");
    w->domain_a = load_cert(w->dir / "domain_a.pub");
    w->stranger = load_cert(w->dir / "stranger.pub");
    w->authorities = {{w->authority, {"*.example"}},
                      {w->narrow, {"*.other.test"}},
                      {load_cert(w->dir / "expired.pub"), {"*.example"}},
                      {load_cert(w->dir / "revoked.pub"), {"*.example"}},
                      {load_cert(w->dir / "certonly.pub"), {"*.example"}}};
    w->domain_d = load_cert(w->dir / "domain_d.pub");
    w->lone = load_cert(w->dir / "lone.pub");
    w->keyring_certs = {w->domain_a, w->stranger, w->domain_d, w->lone};
    w->a_document = read_required(w->dir / "a.json");
    w->a_signature = bytes_of(read_required(w->dir / "a.json.sig"));
    w->a_armored = read_required(w->dir / "a.json.asc");
    w->a_text_armored = read_required(w->dir / "a.json.txt.asc");
    w->a_sha1_signature = bytes_of(read_required(w->dir / "a.json.sha1.sig"));
    w->fixture_time =
        base::Seconds(std::chrono::seconds(std::stoll(read_required(w->dir / "time"))));
    w->x509_first = bytes_of(read_required(w->dir / "x509-first.der"));
    w->x509_second = bytes_of(read_required(w->dir / "x509-second.der"));
    return w;
  }();
  return *world;
}

keyring::StatementSigners StatementWorld::signers() const {
  return {authorities, keyring_certs, keyring::Policy::standard()};
}

Bytes StatementWorld::sign(const std::string& who, const std::string& document,
                           base::TimePoint when) const {
  const std::string exported = read_required(dir / (who + ".sec"));
  auto keys = openpgp::load_secret_keys(view(exported));
  if (!keys.ok() || keys->empty()) {
    throw std::runtime_error("no secret key for " + who);
  }
  SigningKey signing{std::move(keys->front()), nullptr};
  auto key = openpgp::unlock_secret_key(signing.packet, {});
  if (!key.ok()) {
    throw std::runtime_error("cannot unlock " + who + ": " + key.error().message());
  }
  signing.key = std::move(key).value();
  auto signature = openpgp::make_detached_signature(view(document), signing.signer(), when);
  if (!signature.ok()) {
    throw std::runtime_error("cannot sign as " + who + ": " + signature.error().message());
  }
  return std::move(signature).value();
}

}  // namespace pgptls::test
