// clock.h: the injected wall clock, and UTC time text for CLIs and logs.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "base/result.h"

namespace pgptls::base {

using TimePoint = std::chrono::system_clock::time_point;
using Seconds = std::chrono::sys_seconds;

// Clock: where every layer gets "now" from, so tests can fix it.
class Clock {
 public:
  virtual ~Clock() = default;
  [[nodiscard]] virtual TimePoint now() const = 0;
};

// SystemClock: the real time.
class SystemClock final : public Clock {
 public:
  [[nodiscard]] TimePoint now() const override { return std::chrono::system_clock::now(); }
};

// FixedClock: a clock that only moves when told to.
class FixedClock final : public Clock {
 public:
  explicit FixedClock(TimePoint start) : now_(start) {}
  [[nodiscard]] TimePoint now() const override { return now_; }
  void set(TimePoint value) { now_ = value; }
  void advance(std::chrono::system_clock::duration step) { now_ += step; }

 private:
  TimePoint now_;
};

// format_utc: "YYYY-MM-DDTHH:MM:SSZ" (RFC 3339, whole seconds).
[[nodiscard]] std::string format_utc(TimePoint time);

// parse_utc: reads "YYYY-MM-DDTHH:MM:SSZ" or a date "YYYY-MM-DD" (midnight
// UTC) for the years 1970 to 2200; fails with Errc::bad_time on anything
// else, including impossible dates such as February 30.
[[nodiscard]] Result<Seconds> parse_utc(std::string_view text);

}  // namespace pgptls::base
