#include "openpgp/key_reference.h"

#include <string>

#include "base/encoding.h"

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
  if (!decoded.ok() || (decoded->size() != 8 && decoded->size() != 20 && decoded->size() != 32)) {
    return std::nullopt;
  }
  return std::move(decoded).value();
}

}  // namespace pgptls::openpgp
