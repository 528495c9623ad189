#include "tests/fetch/https_test_site.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>

#include "tests/support/network.h"
#include "tests/support/ready_lines.h"

namespace pgptls::fetch::test_site {
namespace {

using namespace std::chrono_literals;

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// run: "" when the tool succeeded, else its output.
std::string run(const std::vector<std::string>& argv) {
  const auto result = pgptls::test::run_tool(argv);
  return result.ok() ? "" : argv[0] + " " + argv[1] + ": " + result.describe();
}

}  // namespace

std::string HttpsTestSite::start(const std::vector<std::string>& domains) {
  const auto file = [this](const char* name) { return dir_.file(name).string(); };
  std::string san = "subjectAltName=";
  for (const std::string& domain : domains) {
    san += (domain == domains.front() ? "DNS:" : ",DNS:") + domain;
  }
  write_text(file("san.ext"), san + "\n");
  for (const std::string& failure :
       {run({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
             "-nodes", "-keyout", file("ca.key"), "-out", file("ca.pem"), "-days", "2", "-subj",
             "/CN=pgptls test CA"}),
        run({"openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", file("server.key"), "-out", file("server.csr"), "-subj",
             "/CN=" + domains.front()}),
        run({"openssl", "x509", "-req", "-in", file("server.csr"), "-CA", file("ca.pem"), "-CAkey",
             file("ca.key"), "-CAcreateserial", "-days", "2", "-extfile", file("san.ext"), "-out",
             file("server.pem")})}) {
    if (!failure.empty()) {
      return failure;
    }
  }
  for (const std::string& domain : domains) {
    const std::filesystem::path www = dir_.file("www-" + domain);
    std::filesystem::create_directories(www);
    const std::uint16_t port = pgptls::test::free_port();
    const std::string command =
        "cd '" + www.string() +
        "' && exec openssl s_server -HTTP -accept 127.0.0.1:" + std::to_string(port) + " -cert '" +
        file("server.pem") + "' -key '" + file("server.key") + "'";
    auto server =
        pgptls::test::ChildProcess::start({"sh", "-c", command}, dir_.file("log-" + domain));
    if (!server || !server->wait_for_log(pgptls::test::kOpensslServerReady, 10s)) {
      return "openssl s_server for " + domain +
             " did not start: " + (server ? server->log() : std::string("spawn failed"));
    }
    ports_[domain] = port;
    servers_.push_back(std::move(*server));
  }
  return "";
}

void HttpsTestSite::serve(const std::string& domain, const std::string& path,
                          const std::string& body, const std::string& status) const {
  write_text(dir_.file("www-" + domain) / path.substr(1),
             "HTTP/1.0 " + status + "\r\nContent-Type: application/octet-stream\r\n\r\n" + body);
}

HttpsFetchOptions HttpsTestSite::options() const {
  HttpsFetchOptions options;
  options.ca_file = dir_.file("ca.pem");
  options.timeout = 10s;
  for (const auto& [domain, port] : ports_) {
    options.connect_to.push_back(domain + ":443:127.0.0.1:" + std::to_string(port));
  }
  return options;
}

std::vector<std::string> HttpsTestSite::command_line() const {
  std::vector<std::string> arguments{"--cafile", dir_.file("ca.pem").string()};
  for (const std::string& route : options().connect_to) {
    arguments.push_back("--connect-to");
    arguments.push_back(route);
  }
  return arguments;
}

SilentListener::SilentListener() {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0) {
    return;
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      ::listen(fd_, 8) == 0 &&
      ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port_ = ntohs(address.sin_port);
  }
}

SilentListener::~SilentListener() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

}  // namespace pgptls::fetch::test_site
