// bytes.h: the byte-buffer vocabulary types shared by every layer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace pgptls {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

// as_bytes_view: views the characters of a string as bytes (no copy).
inline ByteView as_bytes_view(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

// to_bytes: copies a view into an owned buffer.
inline Bytes to_bytes(ByteView view) {
  return {view.begin(), view.end()};
}

}  // namespace pgptls
