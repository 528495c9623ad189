// gnutls_cli_ems_test.cpp: one EMS policy on both paths, with a real peer. gnutls-cli
// 3.7 speaking TLS 1.2 without the extended master secret (%NO_SESSION_HASH)
// is refused by `serve`'s dispatcher on the X.509 path with
// insufficient_security, as the RFC 6091 engine refuses it (RFC 7627 §5.2);
// the same client with EMS, and a TLS 1.3 client, complete the handshake.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "tests/conformance/running_server.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/tls/gnutls_test_pki.h"
#include "tls/wire/errors.h"

namespace pgptls::conformance {
namespace {

using namespace std::chrono_literals;

class AcceptNobody final : public tls::PeerVerifier {
 public:
  Result<tls::VerifiedPeer> verify(const tls::PresentedCertificate& /*certificate*/,
                                   const tls::VerifyRequest& /*request*/) override {
    return make_error(tls::Errc::peer_rejected, "no client certificates in this test");
  }
};

TEST(GnutlsCliExtendedMasterSecret, Tls12WithoutEmsIsRefusedOnTheX509Path) {
  if (!test::has_tool("gnutls-cli")) {
    GTEST_SKIP() << "gnutls-cli is not installed (scripts/install-deps installs gnutls-bin)";
  }
  test::TempDir dir;
  const test::Identity identity =
      test::make_identity(dir.path(), "a.example", test::KeyKind::ed25519);
  ASSERT_FALSE(identity.credential.chain.empty());
  auto settings = std::make_shared<transport::EngineSettings>();
  settings->credentials.x509 = identity.credential;
  settings->client_auth = tls::ClientAuth::none;
  settings->verifier = std::make_shared<AcceptNobody>();
  const RunningServer server(settings);

  const auto run_cli = [&](const std::string& priority) {
    test::ToolOptions options;
    options.timeout = 30s;  // stdin closes at once: gnutls-cli ends after the handshake
    return test::run_tool(
        {"gnutls-cli", "-p", std::to_string(server.port()), "--priority", priority, "--x509cafile",
         identity.cert_file.string(), "--verify-hostname", "a.example", "127.0.0.1"},
        options);
  };
  const std::string tls12 = "NORMAL:-VERS-ALL:+VERS-TLS1.2";
  const auto refused = run_cli(tls12 + ":%NO_SESSION_HASH");
  EXPECT_FALSE(refused.ok());
  EXPECT_NE((refused.out + refused.err).find("Insufficient security"), std::string::npos)
      << refused.describe() << refused.out;

  // Controls: the same client with EMS, and TLS 1.3, are served.
  for (const std::string& priority : {tls12, std::string("NORMAL:-VERS-ALL:+VERS-TLS1.3")}) {
    const auto served = run_cli(priority);
    EXPECT_NE((served.out + served.err).find("Handshake was completed"), std::string::npos)
        << priority << ": " << served.describe() << served.out;
  }
}

}  // namespace
}  // namespace pgptls::conformance
