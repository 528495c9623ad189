// conformance_test.cpp: the server-side conformance corpus (corpus.h, issue
// 15) against `serve`'s real dispatcher: one transport::Server per
// credential set (X.509 only, OpenPGP only, both; gpg- and certtool-made
// keys) with the production engine factory, on 127.0.0.1, each case one
// connection. Every refusal is read from the socket as its fatal alert;
// every accepted hello's ServerHello carries only extensions the client
// offered (RFC 5246 §7.4.1.4) and the cert_type RFC 6091 §3.1 requires.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include "tests/conformance/corpus.h"
#include "tests/conformance/probe.h"
#include "tests/conformance/running_server.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/tls/engine_openpgp.h"
#include "tests/tls/gnutls_test_pki.h"
#include "tls/wire/errors.h"
#include "transport/engine_selection.h"
#include "transport/server.h"

namespace pgptls::conformance {
namespace {

// RejectAll: the corpus's clients never send a certificate.
class RejectAll final : public tls::PeerVerifier {
 public:
  Result<tls::VerifiedPeer> verify(const tls::PresentedCertificate& /*certificate*/,
                                   const tls::VerifyRequest& /*request*/) override {
    return make_error(tls::Errc::peer_rejected, "the conformance corpus trusts nobody");
  }
};

class ConformanceTest : public ::testing::TestWithParam<CredentialSet> {
 protected:
  static void SetUpTestSuite() {
    gpg_home_ = new test::TempDir();
    x509_dir_ = new test::TempDir();
    openpgp_ = new tls::test::OpenPgpIdentity(
        tls::test::make_openpgp_identity(*gpg_home_, tls::test::OpenPgpKind::ed25519, "a.example"));
    x509_ = new test::Identity(
        test::make_identity(x509_dir_->path(), "a.example", test::KeyKind::ed25519));
  }
  static void TearDownTestSuite() {
    delete x509_;
    delete openpgp_;
    delete x509_dir_;
    if (gpg_home_ != nullptr) {
      (void)test::run_tool({"gpgconf", "--homedir", gpg_home_->path().string(), "--kill", "all"});
    }
    delete gpg_home_;
  }

  static std::shared_ptr<transport::EngineSettings> settings(CredentialSet set) {
    auto result = std::make_shared<transport::EngineSettings>();
    if (set != CredentialSet::x509) {
      result->credentials.openpgp = openpgp_->credential();
    }
    if (set != CredentialSet::openpgp) {
      result->credentials.x509 = x509_->credential;
    }
    result->verifier = std::make_shared<RejectAll>();
    result->client_auth = tls::ClientAuth::require;
    return result;
  }

  static inline test::TempDir* gpg_home_ = nullptr;
  static inline test::TempDir* x509_dir_ = nullptr;
  static inline tls::test::OpenPgpIdentity* openpgp_ = nullptr;
  static inline test::Identity* x509_ = nullptr;
};

TEST_P(ConformanceTest, EveryCaseGetsTheRfcOutcome) {
  ASSERT_NE(x509_, nullptr);
  ASSERT_FALSE(x509_->credential.chain.empty()) << "fixtures were not made";
  const CredentialSet set = GetParam();
  const RunningServer server(settings(set));
  const auto corpus = make_corpus(set);
  std::map<std::string, int> per_family;
  std::map<std::string, int> per_outcome;
  int failures = 0;
  for (const Case& c : corpus) {
    const Observation seen = probe(server.port(), c.wire);
    ++per_family[c.family];
    ++per_outcome[seen.outcome()];
    std::ostringstream why;
    if (seen.outcome() != c.expected) {
      why << "got \"" << seen.outcome() << "\"";
    }
    if (seen.server_hello) {
      for (const std::uint16_t type : seen.extensions) {
        if (std::find(c.offered_extensions.begin(), c.offered_extensions.end(), type) ==
            c.offered_extensions.end()) {
          why << " ServerHello carries extension " << type << ", which the client did not offer";
        }
      }
      if (seen.cert_type != c.server_cert_type) {
        why << " ServerHello cert_type "
            << (seen.cert_type ? std::to_string(*seen.cert_type) : "absent") << ", expected "
            << (c.server_cert_type ? std::to_string(*c.server_cert_type) : "absent");
      }
    }
    if (!why.str().empty()) {
      ++failures;
      ADD_FAILURE() << credential_set_name(set) << " / " << c.family << " / " << c.name
                    << ": expected \"" << c.expected << "\" (" << c.rfc << "); " << why.str();
    }
  }
  std::ostringstream summary;
  summary << credential_set_name(set) << ": " << corpus.size() << " cases, " << failures
          << " failed;";
  for (const auto& [family, count] : per_family) {
    summary << " " << family << " " << count << ";";
  }
  std::cout << summary.str() << "\n";
  EXPECT_GT(corpus.size(), 500U);
  // Every refusal class was seen as an alert on the wire.
  for (const char* alert : {"decode_error", "unexpected_message", "record_overflow",
                            "protocol_version", "insufficient_security", "illegal_parameter"}) {
    EXPECT_GT(per_outcome[alert], 0) << alert << " never read from the socket";
  }
  if (set != CredentialSet::both) {
    EXPECT_GT(per_outcome["unsupported_certificate"], 0);
  }
}

INSTANTIATE_TEST_SUITE_P(CredentialSets, ConformanceTest,
                         ::testing::Values(CredentialSet::x509, CredentialSet::openpgp,
                                           CredentialSet::both),
                         [](const auto& info) {
                           switch (info.param) {
                             case CredentialSet::x509:
                               return std::string("X509Only");
                             case CredentialSet::openpgp:
                               return std::string("OpenPgpOnly");
                             case CredentialSet::both:
                               return std::string("OpenPgpAndX509");
                           }
                           return std::string("Unknown");
                         });

}  // namespace
}  // namespace pgptls::conformance
