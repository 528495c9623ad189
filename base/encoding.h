// encoding.h: hex and base64, through Nettle's codecs.
#pragma once

#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"

namespace pgptls::base {

// hex_encode: lowercase hex digits.
[[nodiscard]] std::string hex_encode(ByteView data);
// hex_encode_upper: uppercase hex digits, as OpenPGP fingerprints are shown.
[[nodiscard]] std::string hex_encode_upper(ByteView data);
// hex_decode: accepts either case; fails with Errc::bad_hex on an odd length
// or a non-hex character. Spaces are not allowed.
[[nodiscard]] Result<Bytes> hex_decode(std::string_view text);

// base64_encode: RFC 4648 §4 base64 with padding.
[[nodiscard]] std::string base64_encode(ByteView data);
// base64_decode: strict RFC 4648 §4 base64 (padding required, no
// whitespace); fails with Errc::bad_base64.
[[nodiscard]] Result<Bytes> base64_decode(std::string_view text);

}  // namespace pgptls::base
