// error_category.h: the one shape of an error category in pgptls. Each
// library declares an enum of its errors and a function that says what each
// value means; EnumCategory turns the pair into the std::error_category its
// make_error_code returns, so no library writes a category class of its own.
//
// Usage (in the library's errors.cpp):
//   std::string_view describe(Errc code) { switch (code) { ... } return "unknown X error"; }
//   const std::error_category& x_category() noexcept {
//     static const base::EnumCategory<Errc> category("pgptls.x", describe);
//     return category;
//   }
#pragma once

#include <string>
#include <string_view>
#include <system_error>

namespace pgptls::base {

template <typename E>
class EnumCategory final : public std::error_category {
 public:
  using Describe = std::string_view (*)(E);

  // name and describe must outlive the category (a string literal and a
  // plain function do).
  constexpr EnumCategory(const char* name, Describe describe) noexcept
      : name_(name), describe_(describe) {}

  const char* name() const noexcept override { return name_; }

  std::string message(int value) const override {
    return std::string(describe_(static_cast<E>(value)));
  }

 private:
  const char* name_;
  Describe describe_;
};

}  // namespace pgptls::base
