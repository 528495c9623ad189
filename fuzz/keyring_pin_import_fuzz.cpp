// keyring_pin_import_fuzz.cpp: parse_pin_json on arbitrary bytes. Invariants:
// no crash or sanitizer report; an accepted input formats to JSON that
// parses again into a snapshot that formats identically (import/export
// round trip).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_require.h"
#include "pins/pin_json.h"

using pgptls::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto snapshot = pgptls::pins::parse_pin_json(text);
  if (!snapshot.ok()) {
    require(!snapshot.error().message().empty());
    return 0;
  }
  const std::string formatted = pgptls::pins::format_pin_json(*snapshot);
  const auto again = pgptls::pins::parse_pin_json(formatted);
  require(again.ok());
  require(pgptls::pins::format_pin_json(*again) == formatted);
  return 0;
}
