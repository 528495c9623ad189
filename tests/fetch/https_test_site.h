// https_test_site.h: real HTTPS servers for tests of fetching: a private CA,
// one certificate naming every test domain, and one `openssl s_server -HTTP`
// per domain on its own loopback port (s_server ignores the Host header, so
// each domain needs its own server to serve its own .well-known files).
// In -HTTP mode every served file holds a complete HTTP response, so a test
// chooses the status line.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "fetch/https_fetch.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace pgptls::fetch::test_site {

class HttpsTestSite {
 public:
  // start: makes the CA and certificate and starts the servers; returns an
  // empty string on success, else what failed.
  [[nodiscard]] std::string start(const std::vector<std::string>& domains);

  // serve: domain's server answers GET /path with `status` and `body`.
  void serve(const std::string& domain, const std::string& path, const std::string& body,
             const std::string& status = "200 OK") const;

  // options: fetch options trusting the CA and routing each domain's port
  // 443 to its server.
  [[nodiscard]] HttpsFetchOptions options() const;

  // command_line: the same as `pgptls pins refresh` options: --cafile and
  // one --connect-to per domain. (--resolve cannot help here: it keeps the
  // URL's port 443, and each domain's server has its own port.)
  [[nodiscard]] std::vector<std::string> command_line() const;

  // port: the domain's server port.
  [[nodiscard]] std::uint16_t port(const std::string& domain) const { return ports_.at(domain); }

 private:
  pgptls::test::TempDir dir_;
  std::map<std::string, std::uint16_t> ports_;
  std::vector<pgptls::test::ChildProcess> servers_;
};

// SilentListener: a loopback socket that listens but never accepts: the
// TCP handshake completes in the backlog, a TLS handshake never does (a
// server that never answers).
class SilentListener {
 public:
  SilentListener();
  ~SilentListener();
  SilentListener(const SilentListener&) = delete;
  SilentListener& operator=(const SilentListener&) = delete;
  // port: 0 when the socket could not be set up.
  [[nodiscard]] std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

// HttpsSiteTest: a test fixture sharing one HttpsTestSite across a test
// suite (making the CA and starting the servers once). `Domains` provides
// `static std::vector<std::string> list()`, the domains to serve.
template <typename Domains>
class HttpsSiteTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    site_ = std::make_unique<HttpsTestSite>();
    failure_ = site_->start(Domains::list());
  }
  static void TearDownTestSuite() { site_.reset(); }
  void SetUp() override { ASSERT_EQ(failure_, ""); }

  static inline std::unique_ptr<HttpsTestSite> site_;
  static inline std::string failure_;
};

}  // namespace pgptls::fetch::test_site
