#include "endpoint/program_clock.h"

#include <charconv>
#include <cstdlib>
#include <string>
#include <string_view>

#include "base/errors.h"

namespace pgptls::endpoint {
namespace {

// ShiftedClock: the system time moved by a fixed amount.
class ShiftedClock final : public base::Clock {
 public:
  explicit ShiftedClock(std::chrono::seconds shift) : shift_(shift) {}
  [[nodiscard]] base::TimePoint now() const override {
    return std::chrono::system_clock::now() + shift_;
  }

 private:
  std::chrono::seconds shift_;
};

// FrozenClock: always the same time.
class FrozenClock final : public base::Clock {
 public:
  explicit FrozenClock(base::TimePoint at) : at_(at) {}
  [[nodiscard]] base::TimePoint now() const override { return at_; }

 private:
  base::TimePoint at_;
};

Error bad_clock(const std::string& why) {
  return make_error(base::Errc::invalid_value, std::string(kTestClockVariable) + ": " + why);
}

}  // namespace

Result<std::shared_ptr<const base::Clock>> program_clock() {
  const char* value = std::getenv(kTestClockVariable);
  if (value == nullptr || *value == '\0') {
    return std::shared_ptr<const base::Clock>(std::make_shared<base::SystemClock>());
  }
  const char* allow = std::getenv(kAllowTestClockVariable);
  if (allow == nullptr || std::string_view(allow) != "1") {
    return bad_clock(std::string("is for tests and is refused unless ") + kAllowTestClockVariable +
                     "=1 is set too; unset it");
  }
  const std::string_view text(value);
  if (text.front() == '+' || text.front() == '-') {
    long long seconds = 0;
    const std::string_view digits = text.substr(1);
    const auto [end, error] =
        std::from_chars(digits.data(), digits.data() + digits.size(), seconds);
    if (digits.empty() || error != std::errc() || end != digits.data() + digits.size()) {
      return bad_clock("'" + std::string(text) + "' is not +SECONDS or -SECONDS");
    }
    const std::chrono::seconds shift(text.front() == '-' ? -seconds : seconds);
    return std::shared_ptr<const base::Clock>(std::make_shared<ShiftedClock>(shift));
  }
  auto at = base::parse_utc(text);
  if (!at.ok()) {
    return bad_clock("'" + std::string(text) +
                     "' is neither +SECONDS, -SECONDS nor YYYY-MM-DDTHH:MM:SSZ");
  }
  return std::shared_ptr<const base::Clock>(std::make_shared<FrozenClock>(*at));
}

Result<base::Seconds> program_now() {
  PGPTLS_TRY(const std::shared_ptr<const base::Clock> clock, program_clock());
  return std::chrono::floor<std::chrono::seconds>(clock->now());
}

}  // namespace pgptls::endpoint
