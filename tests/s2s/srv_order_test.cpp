// RFC 2782 ordering of merged XMPP SRV records, and static routes.
#include "s2s/srv_order.h"

#include <gtest/gtest.h>

#include "s2s/resolver.h"

namespace pgptls::s2s {
namespace {

Target srv(const std::string& host, std::uint16_t priority, std::uint16_t weight,
           bool direct_tls = false) {
  return Target{host, 5269, direct_tls, priority, weight};
}

std::vector<std::string> hosts(const std::vector<Target>& targets) {
  std::vector<std::string> out;
  for (const Target& target : targets) {
    out.push_back(target.host);
  }
  return out;
}

TEST(SrvOrder, LowestPriorityFirstAcrossBothServices) {
  const auto ordered = order_srv({srv("c", 20, 0), srv("a", 0, 0, true), srv("b", 10, 0)},
                                 [](std::uint32_t) { return 0U; });
  EXPECT_EQ(hosts(ordered), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(ordered[0].direct_tls);
}

TEST(SrvOrder, WeightedChoiceFollowsTheRunningSum) {
  // Weights 10 and 30: running sums 10, 40. A draw of 11..40 picks the
  // second, 0..10 the first (RFC 2782 "Usage rules").
  const std::vector<Target> records = {srv("light", 5, 10), srv("heavy", 5, 30)};
  EXPECT_EQ(hosts(order_srv(records, [](std::uint32_t) { return 25U; })),
            (std::vector<std::string>{"heavy", "light"}));
  EXPECT_EQ(hosts(order_srv(records, [](std::uint32_t) { return 3U; })),
            (std::vector<std::string>{"light", "heavy"}));
}

TEST(SrvOrder, ZeroWeightComesFirstInTheRunningSumSoDrawZeroPicksIt) {
  const std::vector<Target> records = {srv("weighted", 1, 50), srv("zero", 1, 0)};
  EXPECT_EQ(hosts(order_srv(records, [](std::uint32_t) { return 0U; })),
            (std::vector<std::string>{"zero", "weighted"}));
  EXPECT_EQ(hosts(order_srv(records, [](std::uint32_t bound) { return bound; })),
            (std::vector<std::string>{"weighted", "zero"}));
}

TEST(SrvOrder, TheRandomDrawIsBoundedByTheSum) {
  std::vector<std::uint32_t> bounds;
  (void)order_srv({srv("x", 1, 3), srv("y", 1, 4)}, [&](std::uint32_t bound) {
    bounds.push_back(bound);
    return bound;
  });
  EXPECT_EQ(bounds, (std::vector<std::uint32_t>{7, 3}));
}

TEST(StaticTarget, ParsesStarttlsAndDirectTls) {
  auto plain = parse_static_target("B.Example=127.0.0.2:5269");
  ASSERT_TRUE(plain.ok()) << plain.error().message();
  EXPECT_EQ(plain->first, "b.example");
  EXPECT_EQ(plain->second.host, "127.0.0.2");
  EXPECT_EQ(plain->second.port, 5269);
  EXPECT_FALSE(plain->second.direct_tls);
  auto direct = parse_static_target("c.example=[::1]:5270,direct-tls");
  ASSERT_TRUE(direct.ok());
  EXPECT_EQ(direct->second.host, "::1");
  EXPECT_TRUE(direct->second.direct_tls);
}

TEST(StaticTarget, RefusesMalformedRoutes) {
  for (const char* bad : {"b.example", "=1.2.3.4:5", "b.example=1.2.3.4", "b.example=h:0",
                          "b.example=h:70000", "b.example=h:5,tls"}) {
    auto parsed = parse_static_target(bad);
    EXPECT_FALSE(parsed.ok()) << bad;
    if (!parsed.ok()) {
      EXPECT_NE(parsed.error().message().find("static route"), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace pgptls::s2s
