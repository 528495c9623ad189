// key_reference.h: reading the key IDs and fingerprints operators type or
// paste from gpg (RFC 9580 §5.5.4: 8-byte key IDs, 20-byte v4 and 32-byte
// v6 fingerprints).
#pragma once

#include <optional>
#include <string_view>

#include "base/bytes.h"

namespace pgptls::openpgp {

// parse_key_reference: hex digits in either case, with gpg's grouping
// spaces and an optional "0x" prefix allowed. Returns the bytes when they
// are a key ID (8), a v4 fingerprint (20) or a v6 fingerprint (32), else
// nullopt; each caller words the error for its own option.
[[nodiscard]] std::optional<Bytes> parse_key_reference(std::string_view text);

}  // namespace pgptls::openpgp
