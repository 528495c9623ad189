#include "tests/s2s/s2s_world.h"

#include "tests/support/ready_lines.h"

#include <filesystem>
#include <fstream>
#include <regex>

namespace pgptls::test {

TempDir* S2sWorld::dir_ = nullptr;
Identity* S2sWorld::x509_a_ = nullptr;
Identity* S2sWorld::x509_b_ = nullptr;

std::string stream_open(const std::string& from, const std::string& to) {
  return "<?xml version='1.0'?><stream:stream xmlns='jabber:server' "
         "xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' "
         "from='" +
         from + "' to='" + to + "' version='1.0'>";
}

void S2sWorld::SetUpTestSuite() {
  dir_ = new TempDir();
  const OpenPgpWorld& world = openpgp_world();
  x509_a_ = new Identity(make_identity(dir_->path(), "a.example", KeyKind::ed25519));
  x509_b_ = new Identity(make_identity(dir_->path(), "b.example", KeyKind::ed25519));
  std::filesystem::create_directories(dir_->file("keyring"));
  std::filesystem::copy_file(world.file("a.asc"), dir_->file("keyring/a.asc"));
  std::filesystem::copy_file(world.file("b.asc"), dir_->file("keyring/b.asc"));
}

void S2sWorld::TearDownTestSuite() {
  delete x509_a_;
  delete x509_b_;
  delete dir_;
  x509_a_ = x509_b_ = nullptr;
  dir_ = nullptr;
}

std::string S2sWorld::openpgp_domain(const std::string& name, const std::string& key) {
  const OpenPgpWorld& world = openpgp_world();
  return "[[domain]]\nname = \"" + name + "\"\nopenpgp-cert = \"" + world.file(key + ".asc") +
         "\"\nopenpgp-key = \"" + world.file(key + ".sec") + "\"\n";
}

std::string S2sWorld::x509_domain(const std::string& name, const Identity& identity) {
  return "[[domain]]\nname = \"" + name + "\"\nx509-cert = \"" + identity.cert_file.string() +
         "\"\nx509-key = \"" + identity.key_file.string() + "\"\n";
}

std::string S2sWorld::openpgp_trust() {
  return "authority = [\"" + openpgp_world().file("ca.asc") + "\"]\nkeyring = \"keyring\"\n";
}

ProxyProcess S2sWorld::start_proxy(const std::string& name_in, const std::string& body) {
  const std::string name = name_in + "-" + std::to_string(++counter_) + "-" +
                           ::testing::UnitTest::GetInstance()->current_test_info()->name();
  ProxyProcess proxy;
  proxy.home = dir_->file(name + "-home");
  const auto config = dir_->file(name + ".toml");
  {
    std::ofstream out(config);
    out << "home = \"" << proxy.home.string() << "\"\n" << body;
  }
  proxy.process = ChildProcess::start({PGPTLS_PROGRAM, "s2s", "--config", config.string()},
                                      dir_->file(name + ".log"));
  EXPECT_TRUE(proxy.process.has_value()) << "cannot start pgptls";
  // The ready line names the ports; it is read once written whole.
  const std::optional<std::string> ready =
      proxy.process ? proxy.process->wait_for_line(kS2sReady, kWait) : std::nullopt;
  if (!ready) {
    ADD_FAILURE() << "pgptls s2s did not get ready:\n" << proxy.log();
    return proxy;
  }
  std::smatch match;
  if (std::regex_search(*ready, match, std::regex("inbound=127\\.0\\.0\\.1:([0-9]+)"))) {
    proxy.inbound_port = static_cast<std::uint16_t>(std::stoi(match[1]));
  }
  if (std::regex_search(*ready, match, std::regex("outbound=127\\.0\\.0\\.1:([0-9]+)"))) {
    proxy.outbound_port = static_cast<std::uint16_t>(std::stoi(match[1]));
  }
  return proxy;
}

void S2sWorld::pin(const ProxyProcess& proxy, const std::string& domain, const Identity& identity) {
  ToolOptions options;
  options.env = {{"PGPTLS_HOME", proxy.home.string()}};
  const auto result =
      run_tool({PGPTLS_PROGRAM, "pin", "add", domain, "--cert", identity.cert_file.string(),
                "--pins", (proxy.home / "pins.sqlite").string()},
               options);
  ASSERT_TRUE(result.ok()) << result.describe();
}

}  // namespace pgptls::test
