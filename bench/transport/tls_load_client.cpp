// tls_load_client: a load client for any TLS 1.3 X.509 echo server, so that
// `pgptls serve --echo` can be compared with another TLS terminator
// (gnutls-serv --echo, nginx stream TLS in front of an echo service) with
// the same client. Each connection: TCP connect, mutual TLS 1.3
// handshake with the given client certificate, a 64-byte echo,
// close_notify (tests/cli/load_clients.h). The server's certificate is not
// checked (benchmark only). Prints handshakes per second.
//
//   tls_load_client HOST PORT CERT.pem KEY.pem [TOTAL [CONCURRENCY [SNI]]]
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <iostream>
#include <memory>
#include <string>

#include "bench/transport/unchecked_verifier.h"
#include "tests/cli/load_clients.h"
#include "tls/gnutls/gnutls_engine.h"
#include "tls/gnutls/x509_credentials.h"

int main(int argc, char** argv) {
  using namespace pgptls;
  namespace asio = boost::asio;
  if (argc < 5) {
    std::cerr << "usage: tls_load_client HOST PORT CERT.pem KEY.pem [TOTAL [CONCURRENCY [SNI]]]\n";
    return 2;
  }
  auto credential = tls::load_x509_credential_files(argv[3], argv[4]);
  if (!credential) {
    std::cerr << "tls_load_client: " << credential.error().message() << "\n";
    return 2;
  }
  boost::system::error_code error;
  const auto address = asio::ip::make_address(argv[1], error);
  if (error) {
    std::cerr << "tls_load_client: '" << argv[1] << "' is not an IP address\n";
    return 2;
  }
  const auto port = static_cast<std::uint16_t>(std::stoi(argv[2]));
  test::EchoLoadOptions options;
  options.total = argc > 5 ? std::stoul(argv[5]) : 1000;
  options.concurrency = argc > 6 ? std::stoul(argv[6]) : 8;
  options.peer_domain = argc > 7 ? argv[7] : "a.example";
  options.end_with_newline = true;  // line-echoing servers (gnutls-serv --echo)
  auto verifier = std::make_shared<bench::UncheckedVerifier>();
  const tls::X509Credential client = std::move(credential).value();
  transport::EngineFactory factory = [client, verifier](const transport::EngineRequest& request) {
    tls::GnutlsEngineConfig config;
    config.role = tls::Role::client;
    config.credentials.x509 = client;
    config.verifier = verifier;
    config.min_version = tls::TlsVersion::tls13;
    config.expected_domain = request.options.peer_domain;
    config.server_name = request.options.peer_domain.value_or("");
    return tls::make_gnutls_engine(std::move(config));
  };
  asio::io_context io;
  test::EchoLoad load(io, {address, port}, factory, options);
  load.start();
  const auto limit = std::chrono::steady_clock::now() + std::chrono::minutes(10);
  while (!load.done() && std::chrono::steady_clock::now() < limit) {
    io.run_one_for(std::chrono::milliseconds(100));
  }
  const auto& result = load.result();
  const double seconds = std::chrono::duration<double>(result.finished - result.started).count();
  std::cout << "succeeded " << result.succeeded << " failed " << result.failed << " in " << seconds
            << " s: " << (seconds > 0 ? result.succeeded / seconds : 0.0) << " handshakes/s\n";
  for (const std::string& failure : result.failures) {
    std::cout << "  " << failure << "\n";
  }
  return result.failed == 0 && load.done() ? 0 : 1;
}
