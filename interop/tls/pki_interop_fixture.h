// pki_interop_fixture.h: what the GnuTLS-engine interop suites share: a
// server and a client X.509 identity made once per suite by certtool, a
// skip when the peer program is not installed, and engine construction
// that reports a failed configuration as a test failure.
#pragma once

#include <gtest/gtest.h>

#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/tls/gnutls_test_pki.h"
#include "tls/gnutls/gnutls_engine.h"

namespace pgptls::test {

// PkiInteropFixture: parameterised by TLS version. ServerKind and
// ClientKind pick the key algorithms, so each suite covers other ones.
template <KeyKind ServerKind, KeyKind ClientKind>
class PkiInteropFixture : public ::testing::TestWithParam<tls::TlsVersion> {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    server_ = make_identity(dir_->path(), "server.example", ServerKind);
    client_ = make_identity(dir_->path(), "client.example", ClientKind);
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  // tools_present: true when every program is on PATH; otherwise the caller
  // must GTEST_SKIP (gtest skips only from the function that calls it).
  bool tools_present(std::initializer_list<const char*> tools) {
    for (const char* tool : tools) {
      if (!has_tool(tool)) {
        missing_tool_ = tool;
        return false;
      }
    }
    return true;
  }

  // prepare: per-test state, after the tools were found.
  void prepare() {
    ASSERT_FALSE(server_.credential.chain.empty()) << "fixtures were not made";
    verifier_ = std::make_shared<SpkiVerifier>();
  }

  std::unique_ptr<tls::Engine> make(tls::GnutlsEngineConfig config) {
    auto engine = tls::make_gnutls_engine(std::move(config));
    EXPECT_TRUE(engine.ok()) << engine.error().message();
    return engine.ok() ? std::move(engine).value() : nullptr;
  }

  static inline TempDir* dir_ = nullptr;
  static inline Identity server_;
  static inline Identity client_;
  std::shared_ptr<SpkiVerifier> verifier_;
  std::string missing_tool_;
};

}  // namespace pgptls::test
