#include "base/error_category.h"

#include <gtest/gtest.h>

#include <system_error>

namespace pgptls::base::category_test {

enum class Errc { first = 1, second, third };

}  // namespace pgptls::base::category_test

PGPTLS_ERROR_ENUM(pgptls::base::category_test, Errc, test_category);

namespace pgptls::base::category_test {
namespace {

constexpr ErrorMessages<Errc, 3> kMessages{{
    {Errc::first, "the first went wrong"},
    {Errc::second, "the second went wrong"},
    {Errc::third, "the third went wrong"},
}};

// Rows that leave a value out, repeat one or stand out of order: the tables
// EnumCategory refuses at compile time.
constexpr ErrorMessages<Errc, 2> kLastMissing{{{Errc::first, "a"}, {Errc::second, "b"}}};
constexpr ErrorMessages<Errc, 2> kMiddleMissing{{{Errc::first, "a"}, {Errc::third, "c"}}};
constexpr ErrorMessages<Errc, 3> kRepeated{
    {{Errc::first, "a"}, {Errc::first, "a"}, {Errc::third, "c"}}};
constexpr ErrorMessages<Errc, 3> kOutOfOrder{
    {{Errc::second, "b"}, {Errc::first, "a"}, {Errc::third, "c"}}};

static_assert(covers_every_value(kMessages));
static_assert(!covers_every_value(kLastMissing));
static_assert(!covers_every_value(kMiddleMissing));
static_assert(!covers_every_value(kRepeated));
static_assert(!covers_every_value(kOutOfOrder));

}  // namespace

const std::error_category& test_category() noexcept {
  static const EnumCategory<kMessages> category("pgptls.test");
  return category;
}

namespace {

TEST(ErrorCategory, ErrorCodeCarriesTheRowsMessage) {
  const std::error_code code = Errc::second;  // through make_error_code
  EXPECT_EQ(&code.category(), &test_category());
  EXPECT_EQ(code.value(), 2);
  EXPECT_EQ(code.message(), "the second went wrong");
  EXPECT_STREQ(code.category().name(), "pgptls.test");
}

TEST(ErrorCategory, ValueWithoutARowIsUnknown) {
  EXPECT_EQ(test_category().message(0), "unknown pgptls.test error");
  EXPECT_EQ(test_category().message(4), "unknown pgptls.test error");
}

}  // namespace
}  // namespace pgptls::base::category_test
