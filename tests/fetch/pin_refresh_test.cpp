// Tests of the network half of `pgptls pins refresh`: what is fetched from
// where, redirects, signature fallbacks, and failures that do not stop the
// batch. The acceptor here records what it is handed; verifying and storing
// statements is tested with the trust half.
#include "fetch/pin_refresh.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "openpgp/errors.h"
#include "tests/fetch/https_test_site.h"

namespace pgptls::transport {
namespace {

using namespace std::chrono_literals;

const std::string kPath = "/.well-known/posh/xmpp-server.json";
const std::string kStatement =
    R"({"spki-sha-256":["4g7nJt3ipkh+L8ssGvfyYZSd01Zj6W4UAhd6RyPZBVU="],"expires":600})";

std::string text(const Bytes& bytes) {
  return {bytes.begin(), bytes.end()};
}

// RecordingAcceptor: keeps every statement; refuses domains listed in
// `refuse` with the given reason, reports `unchanged` ones as unchanged.
class RecordingAcceptor final : public StatementAcceptor {
 public:
  Result<Acceptance> accept(const FetchedStatement& statement) override {
    seen[statement.domain] = statement;
    if (const auto found = refuse.find(statement.domain); found != refuse.end()) {
      return make_error(openpgp::Errc::bad_signature, found->second);
    }
    return Acceptance{!unchanged.contains(statement.domain), 1};
  }
  std::map<std::string, FetchedStatement> seen;
  std::map<std::string, std::string> refuse;
  std::set<std::string> unchanged;
};

struct PinRefreshTestDomains {
  static std::vector<std::string> list() {
    return {"a.example", "b.example", "c.example", "host.example"};
  }
};
using PinRefreshTest = test_site::HttpsSiteTest<PinRefreshTestDomains>;

TEST_F(PinRefreshTest, HandsOnTheExactDocumentAndItsSignature) {
  site_->serve("a.example", kPath, kStatement);
  site_->serve("a.example", kPath + ".sig", "binary signature bytes");
  site_->serve("b.example", kPath, kStatement + "\n");
  site_->serve("b.example", kPath + ".sig", "", "404 Not Found");
  site_->serve("b.example", kPath + ".asc", "-----BEGIN PGP SIGNATURE-----");
  RecordingAcceptor acceptor;
  acceptor.unchanged.insert("b.example");
  std::vector<std::pair<std::size_t, std::size_t>> progress;
  HttpsFetchOptions options = site_->options();
  options.progress = [&](std::size_t done, std::size_t total) {
    progress.emplace_back(done, total);
  };

  const auto rows = refresh_pin_statements({"a.example", "b.example"}, acceptor, options);
  ASSERT_EQ(rows.size(), 2U);
  EXPECT_EQ(rows[0].domain, "a.example");
  EXPECT_EQ(rows[0].result, RefreshResult::updated) << rows[0].reason;
  EXPECT_EQ(rows[0].pin_count, 1U);
  EXPECT_EQ(rows[1].result, RefreshResult::unchanged) << rows[1].reason;

  const FetchedStatement& a = acceptor.seen.at("a.example");
  EXPECT_EQ(a.url, "https://a.example" + kPath);
  EXPECT_FALSE(a.redirected);
  EXPECT_EQ(text(a.document), kStatement);
  EXPECT_EQ(text(a.signature), "binary signature bytes");
  EXPECT_EQ(a.signature_url, "https://a.example" + kPath + ".sig");
  const FetchedStatement& b = acceptor.seen.at("b.example");
  EXPECT_EQ(text(b.document), kStatement + "\n");  // byte for byte
  EXPECT_EQ(b.signature_url, "https://b.example" + kPath + ".asc");

  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.back().first, progress.back().second);
}

TEST_F(PinRefreshTest, FollowsOneRedirectAndTakesTheSignatureBesideTheTarget) {
  site_->serve("c.example", kPath, R"({"url":"https://host.example/posh/c.json","expires":60})");
  site_->serve("host.example", "/posh/c.json", kStatement);
  site_->serve("host.example", "/posh/c.json.sig", "signature of c");
  RecordingAcceptor acceptor;
  const auto rows = refresh_pin_statements({"c.example"}, acceptor, site_->options());
  EXPECT_EQ(rows[0].result, RefreshResult::updated) << rows[0].reason;
  const FetchedStatement& c = acceptor.seen.at("c.example");
  EXPECT_TRUE(c.redirected);
  EXPECT_EQ(c.url, "https://host.example/posh/c.json");
  EXPECT_EQ(text(c.signature), "signature of c");
}

TEST_F(PinRefreshTest, RefusesASecondRedirect) {
  site_->serve("c.example", kPath, R"({"url":"https://host.example/posh/hop.json","expires":60})");
  site_->serve("host.example", "/posh/hop.json",
               R"({"url":"https://host.example/posh/c.json","expires":60})");
  RecordingAcceptor acceptor;
  const auto rows = refresh_pin_statements({"c.example"}, acceptor, site_->options());
  EXPECT_EQ(rows[0].result, RefreshResult::failed);
  EXPECT_EQ(rows[0].reason,
            "https://host.example/posh/hop.json: redirects again (to "
            "https://host.example/posh/c.json); only one POSH redirect is followed");
  EXPECT_TRUE(acceptor.seen.empty());
}

TEST_F(PinRefreshTest, EachFailureIsItsOwnRowAndTheBatchFinishes) {
  site_->serve("a.example", kPath, kStatement);
  site_->serve("a.example", kPath + ".sig", "", "404 Not Found");
  site_->serve("a.example", kPath + ".asc", "", "404 Not Found");
  site_->serve("b.example", kPath, "", "404 Not Found");
  site_->serve("c.example", kPath, "{not json");
  site_->serve("host.example", kPath, kStatement);
  site_->serve("host.example", kPath + ".sig", "bad");
  RecordingAcceptor acceptor;
  acceptor.refuse["host.example"] = "statement for host.example";
  const auto rows = refresh_pin_statements({"a.example", "b.example", "c.example", "host.example"},
                                           acceptor, site_->options());
  ASSERT_EQ(rows.size(), 4U);
  for (const RefreshRow& row : rows) {
    EXPECT_EQ(row.result, RefreshResult::failed) << row.domain;
  }
  EXPECT_EQ(rows[0].reason, "no detached signature at https://a.example" + kPath +
                                ".sig or .asc (https://a.example" + kPath + ".asc: HTTP 404)");
  EXPECT_EQ(rows[1].reason, "https://b.example" + kPath + ": HTTP 404");
  EXPECT_EQ(rows[2].reason,
            "https://c.example" + kPath + ": not valid JSON: malformed pin statement");
  EXPECT_EQ(rows[3].reason, "statement for host.example: signature does not verify");
}

}  // namespace
}  // namespace pgptls::transport
