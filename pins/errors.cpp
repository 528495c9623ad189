#include "pins/errors.h"

#include <string>
#include <string_view>

#include "base/error_category.h"

namespace pgptls::pins {
namespace {

// kMessages: what each PinErrc value means.
constexpr base::ErrorMessages<PinErrc, 10> kMessages{{
    {PinErrc::not_found, "not found"},
    {PinErrc::invalid_argument, "invalid argument"},
    {PinErrc::pin_mismatch, "key matches no pin"},
    {PinErrc::rejected_by_policy, "rejected by the domain's pin policy"},
    {PinErrc::storage_error, "pin store could not be read or written"},
    {PinErrc::corrupt_database, "pin database is damaged"},
    {PinErrc::malformed_statement, "malformed pin statement"},
    {PinErrc::statement_expired, "pin statement expired"},
    {PinErrc::statement_rollback, "pin statement rolled back"},
    {PinErrc::not_ready, "waiting for the pin store's disk write"},
}};

}  // namespace

const std::error_category& pins_category() noexcept {
  static const base::EnumCategory<kMessages> category("pgptls.pins");
  return category;
}

}  // namespace pgptls::pins
