// program_clock.h: the wall clock of the pgptls program and of an embedding
// server: the system clock, or, for tests only, a shifted one.
//
// Tests that must see time pass (a signed statement's expiry, a pin's
// age) set PGPTLS_TEST_CLOCK instead of waiting:
//   PGPTLS_TEST_CLOCK=+40        the system time plus 40 seconds
//   PGPTLS_TEST_CLOCK=-3600      an hour ago
//   PGPTLS_TEST_CLOCK=2030-01-01T00:00:00Z   a fixed time
// It is honoured only together with PGPTLS_ALLOW_TEST_CLOCK=1; set alone it
// is refused (the program stops naming both variables), so a stray
// variable never shifts a production server's idea of time silently.
#pragma once

#include <memory>

#include "base/clock.h"
#include "base/result.h"

namespace pgptls::endpoint {

inline constexpr const char* kTestClockVariable = "PGPTLS_TEST_CLOCK";
inline constexpr const char* kAllowTestClockVariable = "PGPTLS_ALLOW_TEST_CLOCK";

// program_clock: the system clock without PGPTLS_TEST_CLOCK; with it (and
// PGPTLS_ALLOW_TEST_CLOCK=1) the clock it describes. Fails with
// base::Errc::invalid_value when the variable is set but not allowed, or
// does not parse.
[[nodiscard]] Result<std::shared_ptr<const base::Clock>> program_clock();

// program_now: program_clock()'s now in whole seconds (the same failures).
[[nodiscard]] Result<base::Seconds> program_now();

}  // namespace pgptls::endpoint
