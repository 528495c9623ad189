#include "base/clock.h"

#include <charconv>
#include <cstdio>

#include "base/errors.h"

namespace pgptls::base {

std::string format_utc(TimePoint time) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(time);
  const auto day = std::chrono::floor<std::chrono::days>(seconds);
  const std::chrono::year_month_day date(day);
  const std::chrono::hh_mm_ss clock_time(seconds - day);
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(clock_time.hours().count()),
                static_cast<int>(clock_time.minutes().count()),
                static_cast<int>(clock_time.seconds().count()));
  return text;
}

namespace {

// number: the decimal digits text[pos, pos+width) as an int, or -1.
int number(std::string_view text, std::size_t pos, std::size_t width) {
  int value = 0;
  const char* first = text.data() + pos;
  const char* last = first + width;
  for (const char* c = first; c != last; ++c) {
    if (*c < '0' || *c > '9') {
      return -1;
    }
  }
  std::from_chars(first, last, value);
  return value;
}

}  // namespace

Result<Seconds> parse_utc(std::string_view text) {
  const bool date_only = text.size() == 10;
  const bool full =
      text.size() == 20 && text[10] == 'T' && text[13] == ':' && text[16] == ':' && text[19] == 'Z';
  if ((!date_only && !full) || text[4] != '-' || text[7] != '-') {
    return make_error(Errc::bad_time, std::string(text));
  }
  const int year = number(text, 0, 4);
  const int month = number(text, 5, 2);
  const int day = number(text, 8, 2);
  const int hour = full ? number(text, 11, 2) : 0;
  const int minute = full ? number(text, 14, 2) : 0;
  const int second = full ? number(text, 17, 2) : 0;
  const std::chrono::year_month_day date{std::chrono::year(year),
                                         std::chrono::month(static_cast<unsigned>(month)),
                                         std::chrono::day(static_cast<unsigned>(day))};
  // Every time must convert to a system_clock::time_point (nanoseconds in
  // 64 bits, which end in 2262), so the years stop well before that.
  if (year < 1970 || year > 2200 || month < 0 || day < 0 || !date.ok() || hour < 0 || hour > 23 ||
      minute < 0 || minute > 59 || second < 0 || second > 60) {
    return make_error(Errc::bad_time, std::string(text));
  }
  return Seconds{std::chrono::sys_days(date)} + std::chrono::hours(hour) +
         std::chrono::minutes(minute) + std::chrono::seconds(second);
}

}  // namespace pgptls::base
