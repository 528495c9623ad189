// Tests of the batch HTTPS fetcher against real HTTPS servers (openssl
// s_server -HTTP) with a private CA, on 127.0.0.1.
#include "fetch/https_fetch.h"

#include <gtest/gtest.h>

#include "tests/fetch/https_test_site.h"

namespace pgptls::fetch {
namespace {

using namespace std::chrono_literals;

struct HttpsFetchTestDomains {
  static std::vector<std::string> list() { return {"a.example", "b.example"}; }
};
using HttpsFetchTest = test_site::HttpsSiteTest<HttpsFetchTestDomains>;

const std::string kWellKnown = "https://a.example/.well-known/posh/xmpp-server.json";

TEST_F(HttpsFetchTest, FetchesADocument) {
  site_->serve("a.example", "/.well-known/posh/xmpp-server.json", R"({"expires":60})");
  const auto outcomes = fetch_https({kWellKnown}, site_->options());
  ASSERT_EQ(outcomes.size(), 1U);
  EXPECT_EQ(outcomes[0].status, FetchStatus::ok) << outcomes[0].message;
  EXPECT_EQ(outcomes[0].http_status, 200);
  EXPECT_EQ(std::string(outcomes[0].body.begin(), outcomes[0].body.end()), R"({"expires":60})");
}

TEST_F(HttpsFetchTest, MissingDocumentIsAnHttpError) {
  site_->serve("b.example", "/none.json", "not here", "404 Not Found");
  const auto outcomes = fetch_https({"https://b.example/none.json"}, site_->options());
  EXPECT_EQ(outcomes[0].status, FetchStatus::http_error);
  EXPECT_EQ(outcomes[0].message, "https://b.example/none.json: HTTP 404");
  EXPECT_TRUE(outcomes[0].body.empty());
}

TEST_F(HttpsFetchTest, DoesNotFollowHttpRedirects) {
  // RFC 7711 redirects through the document's "url" member, never HTTP.
  site_->serve("a.example", "/moved.json", "",
               "302 Found\r\nLocation: https://a.example/other.json");
  const auto outcomes = fetch_https({"https://a.example/moved.json"}, site_->options());
  EXPECT_EQ(outcomes[0].status, FetchStatus::http_error);
  EXPECT_EQ(outcomes[0].message, "https://a.example/moved.json: HTTP 302");
}

TEST_F(HttpsFetchTest, RefusesDocumentsOverTheCap) {
  site_->serve("a.example", "/big.json", std::string(100 * 1024, 'x'));
  HttpsFetchOptions options = site_->options();
  options.max_body_bytes = 64 * 1024;
  const auto outcomes = fetch_https({"https://a.example/big.json"}, options);
  EXPECT_EQ(outcomes[0].status, FetchStatus::too_large);
  EXPECT_EQ(outcomes[0].message,
            "https://a.example/big.json: document larger than 65536 bytes, refused");
  EXPECT_TRUE(outcomes[0].body.empty());
}

TEST_F(HttpsFetchTest, RejectsAServerItCannotVerify) {
  HttpsFetchOptions options = site_->options();
  options.ca_file.reset();  // the system store does not know the test CA
  const auto outcomes = fetch_https({kWellKnown}, options);
  EXPECT_EQ(outcomes[0].status, FetchStatus::failed);
  EXPECT_NE(outcomes[0].message.find(kWellKnown + ": "), std::string::npos);
}

TEST_F(HttpsFetchTest, SpeaksOnlyHttps) {
  const auto outcomes = fetch_https({"http://a.example/x.json"}, site_->options());
  EXPECT_EQ(outcomes[0].status, FetchStatus::failed);
  EXPECT_NE(outcomes[0].message.find("http://a.example/x.json: "), std::string::npos);
}

TEST_F(HttpsFetchTest, SilentServerTimesOutWhileTheBatchFinishes) {
  const test_site::SilentListener silent;
  ASSERT_NE(silent.port(), 0);

  site_->serve("a.example", "/ok.json", "{}");
  HttpsFetchOptions options = site_->options();
  options.timeout = 3s;  // generous: the real server must answer within it under load
  options.connect_to.push_back("silent.example:443:127.0.0.1:" + std::to_string(silent.port()));
  std::vector<std::pair<std::size_t, std::size_t>> progress;
  options.progress = [&](std::size_t done, std::size_t total) {
    progress.emplace_back(done, total);
  };
  const auto outcomes =
      fetch_https({"https://silent.example/x.json", "https://a.example/ok.json"}, options);
  EXPECT_EQ(outcomes[0].status, FetchStatus::timed_out);
  EXPECT_EQ(outcomes[0].message, "https://silent.example/x.json: timed out after 3000 ms");
  EXPECT_EQ(outcomes[1].status, FetchStatus::ok) << outcomes[1].message;
  ASSERT_EQ(progress.size(), 2U);
  EXPECT_EQ(progress.back(), std::make_pair(std::size_t{2}, std::size_t{2}));
}

TEST_F(HttpsFetchTest, BoundedParallelismFetchesEveryUrlInOrder) {
  std::vector<std::string> urls;
  for (int index = 0; index < 9; ++index) {
    const std::string name = "doc" + std::to_string(index) + ".json";
    site_->serve(index % 2 == 0 ? "a.example" : "b.example", "/" + name, std::to_string(index));
    urls.push_back((index % 2 == 0 ? "https://a.example/" : "https://b.example/") + name);
  }
  HttpsFetchOptions options = site_->options();
  options.max_parallel = 3;
  const auto outcomes = fetch_https(urls, options);
  ASSERT_EQ(outcomes.size(), urls.size());
  for (std::size_t index = 0; index < urls.size(); ++index) {
    EXPECT_EQ(outcomes[index].url, urls[index]);
    ASSERT_EQ(outcomes[index].status, FetchStatus::ok) << outcomes[index].message;
    EXPECT_EQ(std::string(outcomes[index].body.begin(), outcomes[index].body.end()),
              std::to_string(index));
  }
}

}  // namespace
}  // namespace pgptls::fetch
