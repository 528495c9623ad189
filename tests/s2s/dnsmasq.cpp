#include "tests/s2s/dnsmasq.h"

#include <gtest/gtest.h>

#include <chrono>

#include "tests/support/network.h"

namespace pgptls::test {

Dnsmasq start_dnsmasq(const TempDir& dir, const std::vector<std::string>& records) {
  Dnsmasq dns;
  dns.port = free_port();
  std::vector<std::string> argv = {
      "dnsmasq", "--no-daemon", "--port=" + std::to_string(dns.port), "--listen-address=127.0.0.1",
      "--bind-interfaces", "--no-resolv", "--no-hosts",
      // Authoritative for the test domains:
      // unknown names are NXDOMAIN, not REFUSED.
      "--local=/example/", "--conf-file=/dev/null", "--pid-file=", "--log-facility=-"};
  argv.insert(argv.end(), records.begin(), records.end());
  dns.process = ChildProcess::start(argv, dir.file("dnsmasq-" + std::to_string(dns.port) + ".log"));
  if (!dns.process || !dns.process->wait_for_log("started", std::chrono::seconds(20))) {
    ADD_FAILURE() << "dnsmasq did not start: " << (dns.process ? dns.process->log() : "");
  }
  return dns;
}

}  // namespace pgptls::test
