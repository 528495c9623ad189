// pin_json.h: the JSON form of the pin store, for `pgptls pin export` and
// `pgptls pin import`:
//
//   {"format": "pgptls-pins", "version": 1,
//    "pins": [{"domain": "b.example", "pin": "<base64>", "source": "manual",
//              "created": "2026-01-01T00:00:00Z", "expires": null, "note": ""}],
//    "settings": [{"domain": null, "name": "tofu", "value": true}],
//    "openpgp": [{"domain": "b.example", "first": "...", "last": "..."}]}
//
// `domain: null` in settings means the global switch. A pin of a whole
// certificate (from a signed POSH statement) carries "kind": "certificate";
// SPKI pins have no "kind".
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "pins/pin_store.h"

namespace pgptls::pins {

// Caps on what an import may hold.
inline constexpr std::size_t kMaxPinJsonSize = std::size_t{8} << 20;
inline constexpr std::size_t kMaxPinJsonEntries = 100'000;

// format_pin_json: the snapshot as indented JSON, ending with a newline.
[[nodiscard]] std::string format_pin_json(const PinSnapshot& snapshot);

// parse_pin_json: reads what format_pin_json wrote. Every field is checked
// (types, domains, pins, times, caps); unknown fields are refused so that a
// typo does not silently drop data. Fails with PinErrc::invalid_argument
// naming the entry and field at fault.
[[nodiscard]] Result<PinSnapshot> parse_pin_json(std::string_view text);

}  // namespace pgptls::pins
