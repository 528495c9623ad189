#include "pins/errors.h"

#include <string>

namespace pgptls::keyring {
namespace {

class PinsCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "pgptls.pins"; }

  std::string message(int value) const override {
    switch (static_cast<PinErrc>(value)) {
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
    }
    return "unknown pins error";
  }
};

}  // namespace

const std::error_category& pins_category() noexcept {
  static const PinsCategory category;
  return category;
}

}  // namespace pgptls::keyring
