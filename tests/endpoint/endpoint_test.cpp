// endpoint_test.cpp: the endpoint library's credential and trust assembly:
// the rejections a misconfigured endpoint gets (with their messages), and
// several credential sets (hosted domains) sharing one trust state.
#include "endpoint/endpoint.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <string>
#include <vector>

#include "base/errors.h"
#include "tests/support/temp_dir.h"
#include "tests/tls/gnutls_test_pki.h"

namespace pgptls::endpoint {
namespace {

// StateHome: PGPTLS_HOME pointed at a fresh directory for one test, so no
// test reads or writes the user's state directory.
class StateHome {
 public:
  StateHome() { ::setenv("PGPTLS_HOME", dir_.path().c_str(), 1); }
  ~StateHome() { ::unsetenv("PGPTLS_HOME"); }
  StateHome(const StateHome&) = delete;
  StateHome& operator=(const StateHome&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return dir_.path(); }

 private:
  test::TempDir dir_;
};

void expect_error(const Error& error, base::Errc code, const std::string& text) {
  EXPECT_EQ(error.code, make_error_code(code)) << error.message();
  EXPECT_NE(error.message().find(text), std::string::npos) << error.message();
}

TEST(EndpointCredentials, ServerWithoutCertificateIsRefused) {
  auto loaded = load_credentials({}, tls::Role::server);
  ASSERT_FALSE(loaded.ok());
  expect_error(loaded.error(), base::Errc::invalid_value, "a server needs a certificate");
}

TEST(EndpointCredentials, ClientWithoutCertificateIsAllowed) {
  auto loaded = load_credentials({}, tls::Role::client);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message();
  EXPECT_FALSE(loaded->x509);
  EXPECT_FALSE(loaded->openpgp);
}

TEST(EndpointCredentials, HalfAnX509CredentialIsRefused) {
  CredentialOptions options;
  options.x509_cert = "a.pem";
  auto loaded = load_credentials(options, tls::Role::client);
  ASSERT_FALSE(loaded.ok());
  expect_error(loaded.error(), base::Errc::invalid_value,
               "--x509-cert and --x509-key come together");
}

TEST(EndpointCredentials, FingerprintOnlyNeedsAnOpenPgpCredential) {
  CredentialOptions options;
  options.openpgp.fingerprint_only = true;
  auto loaded = load_credentials(options, tls::Role::client);
  ASSERT_FALSE(loaded.ok());
  expect_error(loaded.error(), base::Errc::invalid_value,
               "--fingerprint-only needs an OpenPGP credential");
}

TEST(EndpointCredentials, UnreadableX509FilesAreNamed) {
  CredentialOptions options;
  options.x509_cert = "/nonexistent/a.pem";
  options.x509_key = "/nonexistent/a.key";
  auto loaded = load_credentials(options, tls::Role::server);
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.error().message().find("/nonexistent/a.pem"), std::string::npos)
      << loaded.error().message();
}

TEST(EndpointSettings, UnknownValuesAreRefusedNamingTheChoices) {
  EndpointOptions options;
  options.client_auth = "maybe";
  auto client_auth = parse_session_settings(options);
  ASSERT_FALSE(client_auth.ok());
  expect_error(client_auth.error(), base::Errc::invalid_value, "none, request or require");

  options.client_auth = "request";
  options.mode = "pgp";
  auto mode = parse_session_settings(options);
  ASSERT_FALSE(mode.ok());
  EXPECT_EQ(mode.error().code, make_error_code(base::Errc::invalid_value));

  options.mode = "x509";
  options.handshake_timeout_ms = -1;
  auto timeout = parse_session_settings(options);
  ASSERT_FALSE(timeout.ok());
  expect_error(timeout.error(), base::Errc::invalid_value, "--handshake-timeout -1");

  options.handshake_timeout_ms = 2500;
  auto parsed = parse_session_settings(options);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_EQ(parsed->client_auth, tls::ClientAuth::request);
  EXPECT_EQ(parsed->mode, transport::ClientMode::x509);
  EXPECT_EQ(parsed->handshake_timeout, std::chrono::milliseconds(2500));
}

TEST(EndpointTrust, AMissingAuthorityFileIsNamed) {
  StateHome home;
  TrustOptions options;
  options.authorities = {"/nonexistent/ca.asc,scope=*.example"};
  std::vector<std::string> warnings;
  auto trust = load_trust(options, warnings);
  ASSERT_FALSE(trust.ok());
  EXPECT_NE(trust.error().message().find("--authority"), std::string::npos)
      << trust.error().message();
  EXPECT_NE(trust.error().message().find("/nonexistent/ca.asc"), std::string::npos)
      << trust.error().message();
}

TEST(EndpointTrust, WithoutAuthoritiesThereIsNoOpenPgpTrustButAPinStore) {
  StateHome home;
  std::vector<std::string> warnings;
  auto trust = load_trust({}, warnings);
  ASSERT_TRUE(trust.ok()) << trust.error().message();
  EXPECT_EQ((*trust)->openpgp, nullptr);
  ASSERT_NE((*trust)->pins, nullptr);
  ASSERT_NE((*trust)->verifier, nullptr);
  EXPECT_TRUE(std::filesystem::exists(home.path() / "pins.sqlite"));
  EXPECT_TRUE(warnings.empty());
}

// Two hosted domains, each with its own X.509 credential, over one trust
// state: each endpoint presents its own certificate, and both decide with
// the same verifier (one pin store, one keyring).
TEST(EndpointHostedDomains, CredentialSetsShareOneTrustState) {
  StateHome home;
  test::TempDir keys;
  const test::Identity a = test::make_identity(keys.path(), "a.example", test::KeyKind::ed25519);
  const test::Identity b = test::make_identity(keys.path(), "b.example", test::KeyKind::ecdsa);

  std::vector<std::string> warnings;
  auto trust = load_trust({}, warnings);
  ASSERT_TRUE(trust.ok()) << trust.error().message();

  std::vector<std::shared_ptr<const Endpoint>> endpoints;
  for (const test::Identity* identity : {&a, &b}) {
    CredentialOptions options;
    options.x509_cert = identity->cert_file.string();
    options.x509_key = identity->key_file.string();
    auto credentials = load_credentials(options, tls::Role::server);
    ASSERT_TRUE(credentials.ok()) << credentials.error().message();
    endpoints.push_back(
        make_endpoint(tls::Role::server, std::move(credentials).value(), *trust, {}));
  }
  ASSERT_EQ(endpoints.size(), 2U);
  ASSERT_TRUE(endpoints[0]->settings->credentials.x509);
  ASSERT_TRUE(endpoints[1]->settings->credentials.x509);
  EXPECT_EQ(endpoints[0]->settings->credentials.x509->chain, a.credential.chain);
  EXPECT_EQ(endpoints[1]->settings->credentials.x509->chain, b.credential.chain);
  EXPECT_EQ(endpoints[0]->settings->verifier, endpoints[1]->settings->verifier);
  EXPECT_EQ(endpoints[0]->trust, endpoints[1]->trust);
  EXPECT_EQ(endpoints[0]->settings->verifier, (*trust)->verifier);
}

TEST(EndpointLoad, ZeroHandshakeTimeoutMeansADay) {
  StateHome home;
  EndpointOptions options;
  options.handshake_timeout_ms = 0;
  auto endpoint = load_endpoint(options, tls::Role::client);
  ASSERT_TRUE(endpoint.ok()) << endpoint.error().message();
  EXPECT_EQ((*endpoint)->settings->handshake_timeout,
            std::chrono::milliseconds(std::chrono::hours(24)));
  EXPECT_EQ((*endpoint)->role, tls::Role::client);
}

}  // namespace
}  // namespace pgptls::endpoint
