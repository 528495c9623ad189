// s2s_world.h: what the `pgptls s2s` process tests share: gpg-made OpenPGP
// keys (tests/cli/openpgp_world.h: ca certifies a and b, impostor is
// uncertified), certtool-made X.509 identities for a.example and
// b.example, a keyring folder with a's and b's certificates, and helpers
// that write a proxy's TOML file, start it, and wait for "s2s ready".
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "tests/cli/openpgp_world.h"
#include "tests/s2s/raw_peer.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/tls/gnutls_test_pki.h"

namespace pgptls::test {

inline constexpr std::chrono::milliseconds kWait{20'000};

// stream_open: what a plain s2s initiator (a local XMPP server) sends.
std::string stream_open(const std::string& from, const std::string& to);

struct ProxyProcess {
  std::optional<ChildProcess> process;
  std::uint16_t inbound_port = 0;
  std::uint16_t outbound_port = 0;
  std::filesystem::path home;
  [[nodiscard]] std::string log() const { return process ? process->log() : std::string(); }
  bool wait_for_log(std::string_view text, std::chrono::milliseconds timeout = kWait) {
    return process && process->wait_for_log(text, timeout);
  }
};

class S2sWorld : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();

  // openpgp_domain: a [[domain]] with the OpenPGP key `key` of the world.
  static std::string openpgp_domain(const std::string& name, const std::string& key);
  // x509_domain: a [[domain]] with an X.509 identity.
  static std::string x509_domain(const std::string& name, const Identity& identity);
  // trust: authority ca (every domain) and the keyring with a and b.
  static std::string openpgp_trust();

  // start_proxy: writes NAME.toml (home = NAME-home, then `body`), starts
  // `pgptls s2s` and waits for its ready line. Fails the test otherwise.
  ProxyProcess start_proxy(const std::string& name, const std::string& body);
  // pin: `pgptls pin add DOMAIN --cert FILE` into the proxy's pin store.
  void pin(const ProxyProcess& proxy, const std::string& domain, const Identity& identity);

  static TempDir* dir_;
  static Identity* x509_a_;
  static Identity* x509_b_;
  int counter_ = 0;
};

}  // namespace pgptls::test
