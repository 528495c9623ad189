#include "base/rng.h"

#include <gtest/gtest.h>

#include <array>

namespace pgptls::base {
namespace {

TEST(Rng, DeterministicRngRepeatsForEqualSeeds) {
  DeterministicRng first(42);
  DeterministicRng second(42);
  DeterministicRng other(43);
  std::array<std::uint8_t, 100> a{};
  std::array<std::uint8_t, 100> b{};
  std::array<std::uint8_t, 100> c{};
  ASSERT_TRUE(first.fill(a, RngLevel::key).ok());
  ASSERT_TRUE(second.fill(b, RngLevel::nonce).ok());
  ASSERT_TRUE(other.fill(c, RngLevel::key).ok());
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  // The stream goes on: the next block differs from the first.
  std::array<std::uint8_t, 100> next{};
  ASSERT_TRUE(first.fill(next, RngLevel::key).ok());
  EXPECT_NE(a, next);
}

TEST(Rng, SystemRngFillsAtEveryLevel) {
  SystemRng rng;
  for (const RngLevel level : {RngLevel::nonce, RngLevel::random, RngLevel::key}) {
    std::array<std::uint8_t, 32> a{};
    std::array<std::uint8_t, 32> b{};
    ASSERT_TRUE(rng.fill(a, level).ok());
    ASSERT_TRUE(rng.fill(b, level).ok());
    EXPECT_NE(a, b);
  }
}

}  // namespace
}  // namespace pgptls::base
