#include "base/errors.h"

#include <string>
#include <string_view>

#include "base/error_category.h"

namespace pgptls {

std::string Error::message() const {
  std::string text = code.message();
  if (context.empty()) {
    return text;
  }
  return context + ": " + text;
}

Error Error::wrap(std::string_view outer) const& {
  Error copy = *this;
  return std::move(copy).wrap(outer);
}

Error Error::wrap(std::string_view outer) && {
  context = context.empty() ? std::string(outer) : std::string(outer) + ": " + context;
  return std::move(*this);
}

namespace base {
namespace {

// describe: what each Errc value means.
std::string_view describe(Errc code) {
  switch (code) {
    case Errc::truncated:
      return "input is truncated";
    case Errc::trailing_data:
      return "unexpected bytes after the end of the structure";
    case Errc::length_out_of_range:
      return "length field is outside the allowed range";
    case Errc::value_too_large:
      return "value does not fit its field";
    case Errc::bad_hex:
      return "not a valid hexadecimal string";
    case Errc::bad_base64:
      return "not a valid base64 string";
    case Errc::bad_time:
      return "not a UTC time of the form YYYY-MM-DDTHH:MM:SSZ";
    case Errc::io_error:
      return "file input/output failed";
    case Errc::rng_failure:
      return "the random number generator failed";
    case Errc::invalid_value:
      return "invalid value";
  }
  return "unknown base error";
}

}  // namespace

const std::error_category& base_category() noexcept {
  static const base::EnumCategory<Errc> category("pgptls.base", describe);
  return category;
}

}  // namespace base
}  // namespace pgptls
