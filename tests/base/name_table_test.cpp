#include "base/name_table.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace pgptls::base {
namespace {

enum class Color : std::uint8_t { red = 1, green = 2, blue = 3 };

// green has no row: a value the table does not name.
constexpr NameTable<Color, 2> kColors{{{Color::red, "red"}, {Color::blue, "blue"}}};

TEST(NameTable, NamesEachValueAndParsesEachName) {
  for (const NamedValue<Color>& row : kColors) {
    EXPECT_EQ(name_of(kColors, row.value), row.name);
    EXPECT_EQ(value_named(kColors, row.name), row.value);
  }
  static_assert(name_of(kColors, Color::blue) == std::string_view("blue"));
}

TEST(NameTable, UnknownValueOrNameIsNullopt) {
  EXPECT_EQ(name_of(kColors, Color::green), std::nullopt);
  EXPECT_EQ(value_named(kColors, "green"), std::nullopt);
  // Names match exactly: no case folding, no prefixes.
  EXPECT_EQ(value_named(kColors, "Red"), std::nullopt);
  EXPECT_EQ(value_named(kColors, "re"), std::nullopt);
  EXPECT_EQ(value_named(kColors, ""), std::nullopt);
}

}  // namespace
}  // namespace pgptls::base
