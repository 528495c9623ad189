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

// kMessages: what each Errc value means.
constexpr base::ErrorMessages<Errc, 10> kMessages{{
    {Errc::truncated, "input is truncated"},
    {Errc::trailing_data, "unexpected bytes after the end of the structure"},
    {Errc::length_out_of_range, "length field is outside the allowed range"},
    {Errc::value_too_large, "value does not fit its field"},
    {Errc::bad_hex, "not a valid hexadecimal string"},
    {Errc::bad_base64, "not a valid base64 string"},
    {Errc::bad_time, "not a UTC time of the form YYYY-MM-DDTHH:MM:SSZ"},
    {Errc::io_error, "file input/output failed"},
    {Errc::rng_failure, "the random number generator failed"},
    {Errc::invalid_value, "invalid value"},
}};

}  // namespace

const std::error_category& base_category() noexcept {
  static const base::EnumCategory<kMessages> category("pgptls.base");
  return category;
}

}  // namespace base
}  // namespace pgptls
