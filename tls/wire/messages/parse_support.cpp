#include "tls/wire/messages/parse_support.h"

#include <string>

#include "tls/wire/errors.h"

namespace pgptls::tls::messages {

Error malformed(std::string_view what, const Error& cause) {
  return make_error(Errc::decode_error,
                    "malformed " + std::string(what) + " (" + cause.message() + ")");
}

Error malformed_unless_tls(std::string_view what, const Error& cause) {
  if (cause.code.category() == tls_category()) {
    return cause;
  }
  return malformed(what, cause);
}

Result<base::ByteReader> sole_vector(ByteView data, std::string_view what,
                                     base::LengthPrefix prefix, std::size_t min, std::size_t max) {
  base::ByteReader reader(data);
  auto vector = reader.prefixed(prefix, min, max);
  if (!vector.ok()) {
    return malformed(what, vector.error());
  }
  if (auto end = reader.expect_empty(); !end.ok()) {
    return malformed(what, end.error());
  }
  return vector;
}

Result<std::vector<std::uint16_t>> read_u16s(base::ByteReader& vector, std::string_view what) {
  if (vector.remaining() % 2 != 0) {
    return make_error(Errc::decode_error, std::string(what) + " has an odd length");
  }
  std::vector<std::uint16_t> values;
  values.reserve(vector.remaining() / 2);
  while (!vector.empty()) {
    PGPTLS_TRY(const std::uint16_t value, vector.u16());
    values.push_back(value);
  }
  return values;
}

}  // namespace pgptls::tls::messages
