#include "pins/errors.h"

#include <string>
#include <string_view>

#include "base/error_category.h"

namespace pgptls::keyring {
namespace {

// describe: what each PinErrc value means.
std::string_view describe(PinErrc code) {
  switch (code) {
    case PinErrc::not_found:
      return "not found";
    case PinErrc::invalid_argument:
      return "invalid argument";
    case PinErrc::pin_mismatch:
      return "key matches no pin";
    case PinErrc::rejected_by_policy:
      return "rejected by the domain's pin policy";
    case PinErrc::storage_error:
      return "pin store could not be read or written";
    case PinErrc::corrupt_database:
      return "pin database is damaged";
    case PinErrc::malformed_statement:
      return "malformed pin statement";
    case PinErrc::statement_expired:
      return "pin statement expired";
    case PinErrc::statement_rollback:
      return "pin statement rolled back";
    case PinErrc::not_ready:
      return "waiting for the pin store's disk write";
  }
  return "unknown pins error";
}

}  // namespace

const std::error_category& pins_category() noexcept {
  static const base::EnumCategory<PinErrc> category("pgptls.pins", describe);
  return category;
}

}  // namespace pgptls::keyring
