// Signed pin statements over real handshakes: a certificate pin
// (POSH "sha-256" of the certificate, RFC 7711) and an SPKI pin stored by
// PinStore::store_statement let an X.509-only peer in, only with that very
// certificate, and no longer once the statement expired.
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <string>

#include "base/file.h"
#include "pins/pin_store.h"
#include "pins/pin_types.h"
#include "tests/support/engine_pump.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/tls/gnutls_test_pki.h"
#include "tls/gnutls/gnutls_engine.h"
#include "tls/gnutls/x509_credentials.h"
#include "tls/trust/trust_verifier.h"
#include "tls/wire/errors.h"

namespace pgptls::test {
namespace {

using namespace std::chrono_literals;
using tls::Role;

class StatementPinsOverTls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    server_ = new Identity(make_identity(dir_->path(), "server.example", KeyKind::ed25519));
    // The same key in a second certificate (a renewal keeping the key).
    renewed_ = new Identity(*server_);
    std::ofstream(dir_->path() / "renew.cfg") << "cn = \"server.example\"\n"
                                                 "dns_name = \"server.example\"\n"
                                                 "signing_key\nexpiration_days = 30\n";
    const auto made =
        run_tool({"certtool", "--generate-self-signed", "--no-text", "--load-privkey",
                  server_->key_file.string(), "--template", (dir_->path() / "renew.cfg").string(),
                  "--outfile", (dir_->path() / "renewed.crt").string()});
    ASSERT_TRUE(made.ok()) << made.describe();
    const auto pem = base::read_file(dir_->path() / "renewed.crt", 1 << 20);
    ASSERT_TRUE(pem.ok());
    auto chain = tls::load_x509_chain(*pem);
    ASSERT_TRUE(chain.ok()) << chain.error().message();
    renewed_->credential.chain = std::move(chain).value();
  }
  static void TearDownTestSuite() {
    delete server_;
    delete renewed_;
    delete dir_;
  }

  void SetUp() override {
    ASSERT_NE(server_, nullptr);
    ASSERT_FALSE(server_->credential.chain.empty());
    store_dir_ = std::make_unique<TempDir>();
    auto store = pins::PinStore::open(store_dir_->file("pins.sqlite"));
    ASSERT_TRUE(store.ok()) << store.error().message();
    pins_ = std::make_shared<pins::PinStore>(std::move(store).value());
    clock_ = std::make_shared<base::FixedClock>(
        std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
  }

  // store: a verified statement for server.example valid for a day.
  void store(std::vector<std::string> spki, std::vector<std::string> certificates) {
    pins::SignedStatement statement;
    statement.record.domain = "server.example";
    statement.record.signer_fingerprint = "AAAABBBBCCCCDDDDEEEEFFFF0000111122223333";
    statement.record.serial = 1;
    statement.record.issued = std::chrono::floor<std::chrono::seconds>(clock_->now());
    statement.record.expires = statement.record.issued + 24h;
    statement.record.content_sha256 = "x";
    statement.spki_pins = std::move(spki);
    statement.certificate_pins = std::move(certificates);
    const auto stored = pins_->store_statement(statement, clock_->now());
    ASSERT_TRUE(stored.ok()) << stored.error().message();
  }

  // connect: a TLS 1.3 handshake in memory, our client verifying with the
  // trust verifier on the pin store.
  std::string connect(const Identity& server, std::optional<std::string> domain) {
    auto verifier =
        std::make_shared<tls::TrustVerifier>(tls::TrustVerifierConfig{pins_, nullptr, {}, clock_});
    auto client_config = engine_config(Role::client, nullptr, verifier);
    client_config.expected_domain = std::move(domain);
    auto client = tls::make_gnutls_engine(std::move(client_config));
    auto server_engine = tls::make_gnutls_engine(engine_config(Role::server, &server, nullptr));
    EXPECT_TRUE(client.ok() && server_engine.ok());
    const auto result = pump_engines_in_memory(**client, **server_engine);
    if (result.both_established()) {
      return "accepted: " + (*client)->session().peer->accepted_by;
    }
    const auto failure = (*client)->failure();
    return failure ? failure->message() : result.describe(**client, **server_engine);
  }

  static inline TempDir* dir_ = nullptr;
  static inline Identity* server_ = nullptr;
  static inline Identity* renewed_ = nullptr;
  std::unique_ptr<TempDir> store_dir_;
  std::shared_ptr<pins::PinStore> pins_;
  std::shared_ptr<base::FixedClock> clock_;
};

TEST_F(StatementPinsOverTls, CertificatePinAcceptsThatCertificateOnly) {
  const std::string hash = *pins::certificate_pin(server_->credential.chain.front());
  store({}, {hash});
  EXPECT_EQ(connect(*server_, "server.example"), "accepted: pin sha256/" + hash + " (signed)");
  // Without an expected domain the pin still finds its domain.
  EXPECT_EQ(connect(*server_, std::nullopt),
            "accepted: server.example: pin sha256/" + hash + " (signed)");
  // The renewed certificate has the same key but is not the pinned one.
  const std::string renewed = connect(*renewed_, "server.example");
  EXPECT_NE(renewed.find("x509 key for server.example matches no pin"), std::string::npos)
      << renewed;
}

TEST_F(StatementPinsOverTls, SpkiPinFromAStatementStopsCountingWhenItExpires) {
  const std::string spki = *pins::pin_from_spki(server_->spki);
  store({spki}, {});
  EXPECT_EQ(connect(*renewed_, "server.example"), "accepted: pin sha256/" + spki + " (signed)");
  clock_->advance(24h);
  const std::string expired = connect(*server_, "server.example");
  EXPECT_NE(expired.find("x509 key for server.example matches a signed spki pin"),
            std::string::npos)
      << expired;
  EXPECT_NE(expired.find("fetch a fresh statement with 'pgptls pins refresh server.example'"),
            std::string::npos)
      << expired;
}

}  // namespace
}  // namespace pgptls::test
