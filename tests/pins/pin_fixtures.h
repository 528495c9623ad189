// pin_fixtures.h: X.509 certificates made by openssl for the pin tests, with
// their SubjectPublicKeyInfo and the pin-sha256 openssl itself computes
// (the RFC 7469 recipe: pkey -pubout | dgst -sha256 | base64).
#pragma once

#include <filesystem>
#include <string>

#include "base/bytes.h"
#include "tests/support/temp_dir.h"

namespace pgptls::test {

struct X509Fixture {
  std::filesystem::path cert_pem;
  std::filesystem::path cert_der;
  std::filesystem::path spki_file;
  Bytes spki_der;
  std::string pin;  // bare base64, computed by openssl
};

// make_x509: a self-signed certificate for `common_name` with a fresh key of
// `key_algorithm` ("ed25519" or "rsa:2048"), files named after `name` in
// `dir`. Fails the calling test (ADD_FAILURE) and returns an empty fixture
// when openssl does.
X509Fixture make_x509(const std::filesystem::path& dir, const std::string& name,
                      const std::string& common_name, const std::string& key_algorithm = "ed25519");

}  // namespace pgptls::test
