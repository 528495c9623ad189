#include "base/secret.h"

#include <gtest/gtest.h>

namespace pgptls::base {
namespace {

TEST(Secret, WipeZeroesMemory) {
  Bytes key = {1, 2, 3, 4};
  secure_wipe(key);
  EXPECT_EQ(key, (Bytes{0, 0, 0, 0}));
}

static_assert(std::is_same_v<SecretBytes::allocator_type, WipingAllocator<std::uint8_t>>,
              "secret buffers must wipe on free");

TEST(Secret, SecretBytesGrowAndCopy) {
  SecretBytes secret = to_secret(Bytes{9, 8, 7});
  for (int i = 0; i < 1000; ++i) {
    secret.push_back(static_cast<std::uint8_t>(i));  // forces reallocations
  }
  EXPECT_EQ(secret.size(), 1003u);
  EXPECT_EQ(secret[0], 9);
  EXPECT_EQ(secret[1002], static_cast<std::uint8_t>(999));
}

TEST(Secret, ConstantTimeEqual) {
  const Bytes a = {1, 2, 3};
  const Bytes b = {1, 2, 3};
  const Bytes c = {1, 2, 4};
  const Bytes d = {1, 2};
  EXPECT_TRUE(constant_time_equal(a, b));
  EXPECT_FALSE(constant_time_equal(a, c));
  EXPECT_FALSE(constant_time_equal(a, d));
  EXPECT_TRUE(constant_time_equal(ByteView{}, ByteView{}));
}

}  // namespace
}  // namespace pgptls::base
