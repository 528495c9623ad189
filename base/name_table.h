// name_table.h: an enum's names as one constexpr table of {value, name}
// rows, read both ways: name_of(table, value) for printing and
// value_named(table, text) for parsing options and stored text. One table
// per enum replaces a switch that names the values and a loop that parses
// them, so a name is written once.
//
// Usage:
//   constexpr base::NameTable<Color, 2> kColors{{{Color::red, "red"}, {Color::blue, "blue"}}};
//   name_of(kColors, Color::red).value_or("unknown");
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace pgptls::base {

template <typename E>
struct NamedValue {
  E value;
  std::string_view name;  // a string literal, so name.data() is NUL-terminated
};

template <typename E, std::size_t N>
using NameTable = std::array<NamedValue<E>, N>;

// name_of: the name of `value`, or nullopt when the table has no row for it.
template <typename E, std::size_t N>
[[nodiscard]] constexpr std::optional<std::string_view> name_of(const NameTable<E, N>& table,
                                                                E value) noexcept {
  for (const NamedValue<E>& row : table) {
    if (row.value == value) {
      return row.name;
    }
  }
  return std::nullopt;
}

// value_named: the value whose name is exactly `name`, or nullopt.
template <typename E, std::size_t N>
[[nodiscard]] constexpr std::optional<E> value_named(const NameTable<E, N>& table,
                                                     std::string_view name) noexcept {
  for (const NamedValue<E>& row : table) {
    if (row.name == name) {
      return row.value;
    }
  }
  return std::nullopt;
}

}  // namespace pgptls::base
