#include "tests/pins/pin_fixtures.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "tests/support/process.h"

namespace pgptls::test {
namespace {

bool run_ok(const std::vector<std::string>& argv, std::string* out = nullptr) {
  const ToolResult result = run_tool(argv);
  if (!result.ok()) {
    ADD_FAILURE() << argv[0] << " " << argv[1] << ": " << result.describe();
    return false;
  }
  if (out != nullptr) {
    *out = result.out;
  }
  return true;
}

Bytes slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

X509Fixture make_x509(const std::filesystem::path& dir, const std::string& name,
                      const std::string& common_name, const std::string& key_algorithm) {
  X509Fixture fixture;
  const auto key = dir / (name + ".key.pem");
  fixture.cert_pem = dir / (name + ".crt.pem");
  fixture.cert_der = dir / (name + ".crt.der");
  fixture.spki_file = dir / (name + ".spki.der");
  if (!run_ok({"openssl", "req", "-x509", "-newkey", key_algorithm, "-nodes", "-keyout",
               key.string(), "-out", fixture.cert_pem.string(), "-subj", "/CN=" + common_name,
               "-days", "30"}) ||
      !run_ok({"openssl", "x509", "-in", fixture.cert_pem.string(), "-outform", "der", "-out",
               fixture.cert_der.string()}) ||
      !run_ok({"openssl", "pkey", "-in", key.string(), "-pubout", "-outform", "der", "-out",
               fixture.spki_file.string()})) {
    return {};
  }
  std::string pin;
  if (!run_ok({"bash", "-c", "openssl dgst -sha256 -binary \"$0\" | openssl base64 -A",
               fixture.spki_file.string()},
              &pin)) {
    return {};
  }
  fixture.pin = pin;
  fixture.spki_der = slurp(fixture.spki_file);
  return fixture;
}

}  // namespace pgptls::test
