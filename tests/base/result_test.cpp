#include "base/result.h"

#include <gtest/gtest.h>

#include <memory>

#include "base/errors.h"

namespace pgptls::base {
namespace {

Result<int> parse_digit(char c) {
  if (c < '0' || c > '9') {
    return make_error(Errc::bad_hex, std::string("not a digit: ") + c);
  }
  return c - '0';
}

Result<int> sum_two(const char* text) {
  PGPTLS_TRY(const int first, parse_digit(text[0]));
  PGPTLS_TRY(const int second, parse_digit(text[1]));
  return first + second;
}

Status check_digit(char c) {
  PGPTLS_CHECK(parse_digit(c));
  return {};
}

TEST(Result, HoldsValueOrError) {
  const Result<int> good = 7;
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 7);
  const Result<int> bad = make_error(Errc::truncated, "header");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, make_error_code(Errc::truncated));
  EXPECT_EQ(bad.error().message(), "header: input is truncated");
}

TEST(Result, TryPropagatesTheFirstError) {
  EXPECT_EQ(*sum_two("34"), 7);
  const auto failed = sum_two("3x");
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().context, "not a digit: x");
  EXPECT_TRUE(check_digit('1').ok());
  EXPECT_FALSE(check_digit('a').ok());
}

TEST(Result, HoldsMoveOnlyValues) {
  Result<std::unique_ptr<int>> boxed = std::make_unique<int>(5);
  ASSERT_TRUE(boxed.ok());
  const std::unique_ptr<int> taken = std::move(boxed).value();
  EXPECT_EQ(*taken, 5);
}

TEST(Result, WrapPrependsContext) {
  const Error inner = make_error(Errc::truncated, "packet at offset 3");
  EXPECT_EQ(inner.wrap("certificate 0xAB").message(),
            "certificate 0xAB: packet at offset 3: input is truncated");
  EXPECT_EQ(make_error(Errc::truncated).wrap("outer").message(), "outer: input is truncated");
}

TEST(Result, CategoryHasAMessageForEveryCode) {
  for (int code = static_cast<int>(Errc::truncated); code <= static_cast<int>(Errc::invalid_value);
       ++code) {
    EXPECT_NE(base_category().message(code), "unknown pgptls.base error") << code;
  }
  EXPECT_STREQ(base_category().name(), "pgptls.base");
}

}  // namespace
}  // namespace pgptls::base
