#include "base/clock.h"

#include <gtest/gtest.h>

#include "base/errors.h"

namespace pgptls::base {
namespace {

using namespace std::chrono_literals;

TEST(Clock, FormatAndParseRoundTrip) {
  const auto parsed = parse_utc("2024-02-29T23:59:58Z");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->time_since_epoch().count(), 1709251198);
  EXPECT_EQ(format_utc(*parsed), "2024-02-29T23:59:58Z");
  EXPECT_EQ(format_utc(TimePoint{}), "1970-01-01T00:00:00Z");
}

TEST(Clock, ParsesDateAsMidnight) {
  const auto parsed = parse_utc("2030-01-02");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(format_utc(*parsed), "2030-01-02T00:00:00Z");
}

TEST(Clock, RejectsMalformedTimes) {
  for (const char* text :
       {"", "2024-02-30T00:00:00Z", "2023-02-29", "2024-13-01T00:00:00Z", "2024-01-01T24:00:00Z",
        "2024-01-01T00:60:00Z", "2024-01-01 00:00:00Z", "2024-01-01T00:00:00", "2024-1-01",
        "2024-01-01T00:00:00+01:00", "abcd-01-01", "2024-01-0a",
        // Outside what a system_clock::time_point holds (or before 1970).
        "4052-11-01T00:00:00Z", "1969-12-31"}) {
    const auto parsed = parse_utc(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.error().code, make_error_code(Errc::bad_time)) << text;
  }
}

TEST(Clock, FixedClockMovesOnlyWhenTold) {
  FixedClock clock(TimePoint{} + 100s);
  EXPECT_EQ(clock.now(), TimePoint{} + 100s);
  clock.advance(5s);
  EXPECT_EQ(clock.now(), TimePoint{} + 105s);
  clock.set(TimePoint{});
  EXPECT_EQ(clock.now(), TimePoint{});
}

TEST(Clock, SystemClockIsAfter2024) {
  const SystemClock clock;
  EXPECT_GT(clock.now(), TimePoint{*parse_utc("2024-01-01")});
}

}  // namespace
}  // namespace pgptls::base
