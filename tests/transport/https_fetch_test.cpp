// Tests of the batch HTTPS fetcher against a real HTTPS server (openssl
// s_server -HTTP) with a private CA, on 127.0.0.1. In -HTTP mode each served
// file holds a complete HTTP response, so a test decides the status line.
#include "transport/https_fetch.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <memory>

#include "tests/support/network.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace pgptls::transport {
namespace {

using namespace std::chrono_literals;
using test::ChildProcess;
using test::run_tool;
using test::TempDir;

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// serve: a file that s_server -HTTP answers with `status` and `body`.
void serve(const std::filesystem::path& path, const std::string& body,
           const std::string& status = "200 OK") {
  write_text(path, "HTTP/1.0 " + status + "\r\nContent-Type: application/json\r\n\r\n" + body);
}

void must_run(const std::vector<std::string>& argv) {
  const test::ToolResult result = run_tool(argv);
  ASSERT_TRUE(result.ok()) << argv[0] << " " << argv[1] << ": " << result.describe();
}

// HttpsServer: a private CA, a certificate for a.example and b.example, and
// `openssl s_server -HTTP` serving the folder www/ on a free loopback port.
class HttpsServer {
 public:
  void start() {
    const auto& d = dir_;
    must_run({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
              "-nodes", "-keyout", d.file("ca.key"), "-out", d.file("ca.pem"), "-days", "2",
              "-subj", "/CN=pgptls test CA"});
    must_run({"openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
              "-keyout", d.file("server.key"), "-out", d.file("server.csr"), "-subj",
              "/CN=a.example"});
    write_text(d.file("san.ext"), "subjectAltName=DNS:a.example,DNS:b.example\n");
    must_run({"openssl", "x509", "-req", "-in", d.file("server.csr"), "-CA", d.file("ca.pem"),
              "-CAkey", d.file("ca.key"), "-CAcreateserial", "-days", "2", "-extfile",
              d.file("san.ext"), "-out", d.file("server.pem")});
    std::filesystem::create_directories(www());
    port_ = test::free_port();
    const std::string command =
        "cd '" + www().string() + "' && exec openssl s_server -quiet -HTTP" +
        " -accept 127.0.0.1:" + std::to_string(port_) + " -cert '" + d.file("server.pem").string() +
        "' -key '" + d.file("server.key").string() + "'";
    server_ = ChildProcess::start({"sh", "-c", command}, d.file("server.log"));
    ASSERT_TRUE(server_.has_value());
    ASSERT_TRUE(test::wait_for_port(port_, 10s)) << server_->log();
  }

  [[nodiscard]] std::filesystem::path www() const { return dir_.file("www"); }
  [[nodiscard]] HttpsFetchOptions options() const {
    HttpsFetchOptions options;
    options.ca_file = dir_.file("ca.pem");
    options.timeout = 10s;
    const std::string target = ":127.0.0.1:" + std::to_string(port_);
    options.connect_to = {"a.example:443" + target, "b.example:443" + target};
    return options;
  }

 private:
  TempDir dir_;
  std::uint16_t port_ = 0;
  std::optional<ChildProcess> server_;
};

class HttpsFetchTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new HttpsServer();
    server_->start();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    if (HasFatalFailure() || server_ == nullptr) {
      GTEST_SKIP() << "server did not start";
    }
  }
  static HttpsServer* server_;
};
HttpsServer* HttpsFetchTest::server_ = nullptr;

const std::string kWellKnown = "https://a.example/.well-known/posh/xmpp-server.json";

TEST_F(HttpsFetchTest, FetchesADocument) {
  serve(server_->www() / ".well-known/posh/xmpp-server.json", R"({"expires":60})");
  const auto outcomes = fetch_https({kWellKnown}, server_->options());
  ASSERT_EQ(outcomes.size(), 1U);
  EXPECT_EQ(outcomes[0].status, FetchStatus::ok) << outcomes[0].message;
  EXPECT_EQ(outcomes[0].http_status, 200);
  EXPECT_EQ(std::string(outcomes[0].body.begin(), outcomes[0].body.end()), R"({"expires":60})");
}

TEST_F(HttpsFetchTest, MissingDocumentIsAnHttpError) {
  serve(server_->www() / "none.json", "not here", "404 Not Found");
  const auto outcomes = fetch_https({"https://b.example/none.json"}, server_->options());
  EXPECT_EQ(outcomes[0].status, FetchStatus::http_error);
  EXPECT_EQ(outcomes[0].message, "https://b.example/none.json: HTTP 404");
  EXPECT_TRUE(outcomes[0].body.empty());
}

TEST_F(HttpsFetchTest, DoesNotFollowHttpRedirects) {
  // RFC 7711 redirects through the document's "url" member, never HTTP.
  serve(server_->www() / "moved.json", "", "302 Found\r\nLocation: https://a.example/other.json");
  const auto outcomes = fetch_https({"https://a.example/moved.json"}, server_->options());
  EXPECT_EQ(outcomes[0].status, FetchStatus::http_error);
  EXPECT_EQ(outcomes[0].message, "https://a.example/moved.json: HTTP 302");
}

TEST_F(HttpsFetchTest, RefusesDocumentsOverTheCap) {
  serve(server_->www() / "big.json", std::string(100 * 1024, 'x'));
  HttpsFetchOptions options = server_->options();
  options.max_body_bytes = 64 * 1024;
  const auto outcomes = fetch_https({"https://a.example/big.json"}, options);
  EXPECT_EQ(outcomes[0].status, FetchStatus::too_large);
  EXPECT_EQ(outcomes[0].message,
            "https://a.example/big.json: document larger than 65536 bytes, refused");
  EXPECT_TRUE(outcomes[0].body.empty());
}

TEST_F(HttpsFetchTest, RejectsAServerItCannotVerify) {
  HttpsFetchOptions options = server_->options();
  options.ca_file.reset();  // the system store does not know the test CA
  const auto outcomes = fetch_https({kWellKnown}, options);
  EXPECT_EQ(outcomes[0].status, FetchStatus::failed);
  EXPECT_NE(outcomes[0].message.find(kWellKnown + ": "), std::string::npos);
}

TEST_F(HttpsFetchTest, SpeaksOnlyHttps) {
  const auto outcomes = fetch_https({"http://a.example/x.json"}, server_->options());
  EXPECT_EQ(outcomes[0].status, FetchStatus::failed);
  EXPECT_NE(outcomes[0].message.find("http://a.example/x.json: "), std::string::npos);
}

TEST_F(HttpsFetchTest, SilentServerTimesOutWhileTheBatchFinishes) {
  // A listening socket that never accepts: the TCP handshake completes in
  // the backlog, the TLS handshake never does.
  const int silent = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(silent, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  ASSERT_EQ(::bind(silent, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(::listen(silent, 8), 0);
  ASSERT_EQ(::getsockname(silent, reinterpret_cast<sockaddr*>(&address), &length), 0);
  const std::unique_ptr<int, void (*)(int*)> closer(new int(silent), [](int* fd) {
    ::close(*fd);
    delete fd;
  });

  serve(server_->www() / "ok.json", "{}");
  HttpsFetchOptions options = server_->options();
  options.timeout = 700ms;
  options.connect_to.push_back("silent.example:443:127.0.0.1:" +
                               std::to_string(ntohs(address.sin_port)));
  std::vector<std::pair<std::size_t, std::size_t>> progress;
  options.progress = [&](std::size_t done, std::size_t total) {
    progress.emplace_back(done, total);
  };
  const auto outcomes =
      fetch_https({"https://silent.example/x.json", "https://a.example/ok.json"}, options);
  EXPECT_EQ(outcomes[0].status, FetchStatus::timed_out);
  EXPECT_EQ(outcomes[0].message, "https://silent.example/x.json: timed out after 700 ms");
  EXPECT_EQ(outcomes[1].status, FetchStatus::ok) << outcomes[1].message;
  ASSERT_EQ(progress.size(), 2U);
  EXPECT_EQ(progress.back(), std::make_pair(std::size_t{2}, std::size_t{2}));
}

TEST_F(HttpsFetchTest, BoundedParallelismFetchesEveryUrlInOrder) {
  std::vector<std::string> urls;
  for (int index = 0; index < 9; ++index) {
    const std::string name = "doc" + std::to_string(index) + ".json";
    serve(server_->www() / name, std::to_string(index));
    urls.push_back((index % 2 == 0 ? "https://a.example/" : "https://b.example/") + name);
  }
  HttpsFetchOptions options = server_->options();
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
}  // namespace pgptls::transport
