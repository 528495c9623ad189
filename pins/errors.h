// errors.h: the error category of the pins library (pin store, pin checks,
// pin lists, POSH statements). Messages name the cause; the context string of
// each Error names the domain, pin or file and, where there is one, the fix.
#pragma once

#include <system_error>

#include "base/error_category.h"
#include "base/result.h"

namespace pgptls::pins {

enum class PinErrc {
  not_found = 1,        // no such pin, domain or record
  invalid_argument,     // a caller-supplied domain, pin or value is malformed
  pin_mismatch,         // an X.509 key matches no pin
  rejected_by_policy,   // a pin exists but the domain's policy refuses it
  storage_error,        // the pin store could not be read or written
  corrupt_database,     // the pin database is damaged
  malformed_statement,  // a POSH statement or pin bundle does not parse
  statement_expired,    // a signed statement past its expiry
  statement_rollback,   // a statement older than the one already accepted
  not_ready,            // the answer waits for a disk write in progress (PinAccess::pending)
};

}  // namespace pgptls::pins

PGPTLS_ERROR_ENUM(pgptls::pins, PinErrc, pins_category);
