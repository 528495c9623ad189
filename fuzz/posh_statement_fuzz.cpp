// posh_statement_fuzz.cpp: signed-pin-list documents from the network.
// Invariants: parsing never crashes; a statement that parses survives
// write_pin_statement and parses again to the same pins.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <variant>

#include "pins/posh_statement.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pgptls::pins;
  const pgptls::ByteView input(data, size);
  (void)parse_pin_bundle(input);
  const auto document = parse_posh_document(input);
  if (!document.ok()) {
    return 0;
  }
  if (const auto* statement = std::get_if<PinStatement>(&*document)) {
    const std::string written = write_pin_statement(*statement);
    const auto again = parse_posh_document(
        {reinterpret_cast<const std::uint8_t*>(written.data()), written.size()});
    if (!again.ok()) {
      std::abort();
    }
    const auto& reread = std::get<PinStatement>(*again);
    if (reread.pins.spki_sha256 != statement->pins.spki_sha256 ||
        reread.pins.certificate_sha256 != statement->pins.certificate_sha256 ||
        reread.serial != statement->serial || reread.domain != statement->domain) {
      std::abort();
    }
  }
  return 0;
}
