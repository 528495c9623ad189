// errors.h: the error category of the base library.
#pragma once

#include <system_error>

#include "base/error_category.h"
#include "base/result.h"

namespace pgptls::base {

enum class Errc {
  truncated = 1,        // fewer bytes than a field needs
  trailing_data,        // bytes left after the last field
  length_out_of_range,  // a length prefix outside its vector bounds
  value_too_large,      // a value that does not fit its wire field
  bad_hex,              // not a hex string
  bad_base64,           // not a base64 string
  bad_time,             // not a YYYY-MM-DDTHH:MM:SSZ time
  io_error,             // a file could not be read or written
  rng_failure,          // the random number generator failed
  invalid_value,        // a user-supplied value (option, setting) is malformed
};

}  // namespace pgptls::base

PGPTLS_ERROR_ENUM(pgptls::base, Errc, base_category);
