// s2s::Resolver on c-ares against a real dnsmasq on loopback: SRV records
// of both services merged in priority order, the A/AAAA fallback, the
// "." target, unknown domains, static overrides and IP literals.
#include "s2s/resolver.h"

#include "s2s/errors.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "tests/s2s/dnsmasq.h"

namespace pgptls::s2s {
namespace {

namespace asio = boost::asio;

class ResolverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!test::has_tool("dnsmasq")) {
      GTEST_SKIP() << "dnsmasq is not installed (scripts/install-deps installs dnsmasq-base)";
    }
    dns_ = test::start_dnsmasq(
        dir_, {"--srv-host=_xmpp-server._tcp.a.example,dead.a.example,5999,0,0",
               "--srv-host=_xmpp-server._tcp.a.example,live.a.example,5269,20,0",
               "--srv-host=_xmpps-server._tcp.a.example,live.a.example,5223,10,0",
               "--srv-host=_xmpp-server._tcp.off.example", "--host-record=dead.a.example,127.0.0.9",
               "--host-record=live.a.example,127.0.0.8", "--host-record=plain.example,127.0.0.7"});
  }

  template <class Value, class Start>
  Result<Value> run(Start start) {
    std::optional<Result<Value>> result;
    start([&](Result<Value> value) { result = std::move(value); });
    io_.run_for(std::chrono::seconds(20));
    io_.restart();
    if (!result) {
      return make_error(Errc::dns_failure, "no answer within 20 s");
    }
    return std::move(*result);
  }

  std::shared_ptr<Resolver> make(ResolverConfig config = {}) {
    config.server = "127.0.0.1:" + std::to_string(dns_.port);
    config.random = [](std::uint32_t) { return 0U; };
    auto resolver = Resolver::create(io_.get_executor(), std::move(config));
    EXPECT_TRUE(resolver.ok()) << resolver.error().message();
    return resolver.ok() ? *resolver : nullptr;
  }

  test::TempDir dir_;
  test::Dnsmasq dns_;
  asio::io_context io_;
};

TEST_F(ResolverTest, MergesBothServicesInPriorityOrder) {
  auto resolver = make();
  ASSERT_TRUE(resolver);
  auto targets =
      run<std::vector<Target>>([&](auto done) { resolver->targets("A.example", std::move(done)); });
  ASSERT_TRUE(targets.ok()) << targets.error().message();
  ASSERT_EQ(targets->size(), 3U);
  EXPECT_EQ((*targets)[0].host, "dead.a.example");
  EXPECT_EQ((*targets)[0].port, 5999);
  EXPECT_FALSE((*targets)[0].direct_tls);
  EXPECT_EQ((*targets)[1].host, "live.a.example");
  EXPECT_EQ((*targets)[1].port, 5223);
  EXPECT_TRUE((*targets)[1].direct_tls);  // _xmpps-server, XEP-0368
  EXPECT_EQ((*targets)[2].port, 5269);
}

TEST_F(ResolverTest, FallsBackToTheDomainOn5269WithoutSrv) {
  auto resolver = make();
  ASSERT_TRUE(resolver);
  auto targets = run<std::vector<Target>>(
      [&](auto done) { resolver->targets("plain.example", std::move(done)); });
  ASSERT_TRUE(targets.ok()) << targets.error().message();
  ASSERT_EQ(targets->size(), 1U);
  EXPECT_EQ((*targets)[0], (Target{"plain.example", 5269, false, 0, 0}));
  auto addresses = run<std::vector<asio::ip::tcp::endpoint>>(
      [&](auto done) { resolver->addresses("plain.example", 5269, std::move(done)); });
  ASSERT_TRUE(addresses.ok()) << addresses.error().message();
  ASSERT_EQ(addresses->size(), 1U);
  EXPECT_EQ(addresses->front().address().to_string(), "127.0.0.7");
  EXPECT_EQ(addresses->front().port(), 5269);
}

TEST_F(ResolverTest, ADotTargetMeansNoService) {
  auto resolver = make();
  ASSERT_TRUE(resolver);
  auto targets = run<std::vector<Target>>(
      [&](auto done) { resolver->targets("off.example", std::move(done)); });
  ASSERT_FALSE(targets.ok());
  EXPECT_EQ(targets.error().code, make_error_code(Errc::service_disabled));
}

TEST_F(ResolverTest, AnUnknownHostFailsWithItsName) {
  auto resolver = make();
  ASSERT_TRUE(resolver);
  auto addresses = run<std::vector<asio::ip::tcp::endpoint>>(
      [&](auto done) { resolver->addresses("nowhere.example", 5269, std::move(done)); });
  ASSERT_FALSE(addresses.ok());
  EXPECT_NE(addresses.error().message().find("nowhere.example"), std::string::npos);
}

TEST_F(ResolverTest, StaticOverridesAndLiteralsNeedNoDns) {
  ResolverConfig config;
  config.static_targets["b.example"] = Target{"127.0.0.2", 5270, true, 0, 0};
  auto resolver = make(std::move(config));
  ASSERT_TRUE(resolver);
  auto targets =
      run<std::vector<Target>>([&](auto done) { resolver->targets("b.example", std::move(done)); });
  ASSERT_TRUE(targets.ok());
  EXPECT_EQ(*targets, (std::vector<Target>{Target{"127.0.0.2", 5270, true, 0, 0}}));
  auto addresses = run<std::vector<asio::ip::tcp::endpoint>>(
      [&](auto done) { resolver->addresses("::1", 5270, std::move(done)); });
  ASSERT_TRUE(addresses.ok());
  EXPECT_EQ(addresses->front().address().to_string(), "::1");
}

TEST(ResolverConfigTest, RefusesABadServerAddress) {
  asio::io_context io;
  ResolverConfig config;
  config.server = "not an address";
  auto resolver = Resolver::create(io.get_executor(), std::move(config));
  ASSERT_FALSE(resolver.ok());
  EXPECT_NE(resolver.error().message().find("not an address"), std::string::npos);
}

}  // namespace
}  // namespace pgptls::s2s
