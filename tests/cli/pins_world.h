// pins_world.h: the OpenPGP keys and X.509 certificates the `pgptls pins …`
// tests use, made once by gpg and openssl and cached (see cached_fixture).
// Keys are made at a fixed past time (2024-01-01) and never expire.
//
//   authority   Pin Authority, Ed25519 [SC]; the tests make it an
//               authority for *.example
//   narrow      Narrow Authority, Ed25519 [SC]; an authority for
//               *.other.test only
//   a           xmpp:a.example, Ed25519 [SCA], certified by authority
//   u           xmpp:u.example, Ed25519 [SC], certified by nobody
//   p           xmpp:p.example, Ed25519 [SC] + Ed25519 [S] subkey,
//               passphrase "correct horse" (p.pass)
// For each key NAME: NAME.asc (certificate), NAME-secret.asc (secret key,
// gpg --export-secret-keys --armor) and NAME.fpr. The p subkey's
// fingerprint is p.sub.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "tests/support/process.h"

namespace pgptls::test {

struct PinsWorld {
  std::filesystem::path dir;
  std::map<std::string, std::string> fpr;  // name -> primary fingerprint (uppercase hex)
  std::string p_subkey;                    // fingerprint of p's signing subkey
  [[nodiscard]] std::filesystem::path file(const std::string& name) const { return dir / name; }
  [[nodiscard]] std::filesystem::path cert(const std::string& name) const {
    return dir / (name + ".asc");
  }
  [[nodiscard]] std::filesystem::path secret(const std::string& name) const {
    return dir / (name + "-secret.asc");
  }
};

// pins_world: the cached world, made on first use.
const PinsWorld& pins_world();

// pgptls_program: the path of the program under test.
std::string pgptls_program();

// run_pgptls_in: runs the program under test with PGPTLS_HOME=home.
ToolResult run_pgptls_in(const std::filesystem::path& home, const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& env = {});

// X509Identity: a self-signed X.509 certificate and key made by openssl.
struct X509Identity {
  std::filesystem::path certificate;  // PEM
  std::filesystem::path key;          // PEM
};

// make_x509: openssl makes a P-256 self-signed certificate for `domain`
// into dir/<name>.pem and dir/<name>.key; throws std::runtime_error with
// openssl's output on failure.
X509Identity make_x509(const std::filesystem::path& dir, const std::string& name,
                       const std::string& domain);

// openssl_spki_pin: the RFC 7469 pin of a certificate, as openssl computes
// it (public key DER, SHA-256, base64).
std::string openssl_spki_pin(const std::filesystem::path& certificate);

// openssl_sha256_fingerprint: the certificate's SHA-256 fingerprint as
// `openssl x509 -fingerprint -sha256` prints it, as 32 raw bytes in base64.
std::string openssl_certificate_sha256(const std::filesystem::path& certificate);

}  // namespace pgptls::test
