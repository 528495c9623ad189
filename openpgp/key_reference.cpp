#include "openpgp/key_reference.h"

#include <string>

#include "base/encoding.h"
#include "openpgp/key_material.h"

namespace pgptls::openpgp {

std::optional<Bytes> parse_key_reference(std::string_view text) {
  if (text.starts_with("0x") || text.starts_with("0X")) {
    text.remove_prefix(2);
  }
  std::string digits;
  for (const char c : text) {
    if (c != ' ') {
      digits.push_back(c);
    }
  }
  auto decoded = base::hex_decode(digits);
  if (!decoded.ok() || (decoded->size() != kKeyIdSize && decoded->size() != kV4FingerprintSize &&
                        decoded->size() != kV6FingerprintSize)) {
    return std::nullopt;
  }
  return std::move(decoded).value();
}

}  // namespace pgptls::openpgp
