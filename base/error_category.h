// error_category.h: the one shape of an error category in pgptls. Each
// library declares the enum of its errors, numbered from 1, and says once
// what each value means; this header turns the pair into the
// std::error_category its error codes carry, so no library writes a category
// class, a make_error_code or an is_error_code_enum specialisation of its own.
//
// Usage, in the library's errors.h (at global scope, after the enum):
//   PGPTLS_ERROR_ENUM(pgptls::x, Errc, x_category);
// and in its errors.cpp, one row per value in value order:
//   constexpr base::ErrorMessages<Errc, 2> kMessages{{
//       {Errc::first, "what the first means"},
//       {Errc::second, "what the second means"},
//   }};
//   const std::error_category& x_category() noexcept {
//     static const base::EnumCategory<kMessages> category("pgptls.x");
//     return category;
//   }
// EnumCategory refuses to compile when the rows miss a value, repeat one or
// stand out of order, so a new enumerator cannot go without its message.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "base/name_table.h"

// PGPTLS_ERROR_ENUM: makes ns::Enum an error code enum of the category that
// ns::category() returns: declares category() and the make_error_code that
// std::error_code's constructor finds by argument-dependent lookup, and
// specialises std::is_error_code_enum.
#define PGPTLS_ERROR_ENUM(ns, Enum, category)                   \
  namespace ns {                                                \
  const std::error_category& category() noexcept;               \
  inline std::error_code make_error_code(Enum value) noexcept { \
    return {static_cast<int>(value), category()};               \
  }                                                             \
  }                                                             \
  template <>                                                   \
  struct std::is_error_code_enum<ns::Enum> : std::true_type {}

namespace pgptls::base {

// ErrorMessages: each value of an error enum with its message.
template <typename E, std::size_t N>
using ErrorMessages = NameTable<E, N>;

namespace detail {

// spelling: the compiler's text for V. GCC and Clang spell a named
// enumerator by its name ("... = pgptls::x::Errc::first]") and any other
// value as a cast ("... = (pgptls::x::Errc)3]").
template <auto V>
constexpr std::string_view spelling() noexcept {
  return __PRETTY_FUNCTION__;
}

template <auto V>
constexpr bool is_enumerator() noexcept {
  constexpr std::string_view text = spelling<V>();
  constexpr std::size_t at = text.rfind("V = ");
  static_assert(at != std::string_view::npos, "unknown __PRETTY_FUNCTION__ form");
  return text[at + 4] != '(';
}

template <typename E, std::size_t First, std::size_t... I>
constexpr bool none_is_enumerator(std::index_sequence<I...>) noexcept {
  return (... && !is_enumerator<static_cast<E>(First + I)>());
}

}  // namespace detail

// covers_every_value: whether row i holds value i + 1 for every row, and no
// enumerator follows the last row (checked for the next 16 numbers), i.e.
// the rows are the enum's values from 1, each once and in order.
template <typename E, std::size_t N>
constexpr bool covers_every_value(const ErrorMessages<E, N>& messages) noexcept {
  for (std::size_t i = 0; i < N; ++i) {
    if (static_cast<std::size_t>(messages[i].value) != i + 1) {
      return false;
    }
  }
  return detail::none_is_enumerator<E, N + 1>(std::make_index_sequence<16>{});
}

// EnumCategory: the std::error_category of the enum that kMessages
// describes; message() is the row's text.
template <const auto& kMessages>
class EnumCategory final : public std::error_category {
 public:
  static_assert(covers_every_value(kMessages),
                "an error enum's messages must list its values from 1, each once, in order");

  // name must outlive the category (a string literal does).
  constexpr explicit EnumCategory(const char* name) noexcept : name_(name) {}

  const char* name() const noexcept override { return name_; }

  std::string message(int value) const override {
    using E = decltype(kMessages[0].value);
    const auto text = name_of(kMessages, static_cast<E>(value));
    return text ? std::string(*text) : std::string("unknown ") + name_ + " error";
  }

 private:
  const char* name_;
};

}  // namespace pgptls::base
