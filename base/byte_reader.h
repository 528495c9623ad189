// byte_reader.h: ByteReader, the only way pgptls reads untrusted bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>

#include "base/bytes.h"
#include "base/result.h"

namespace pgptls::base {

// LengthPrefix: the width of a big-endian length field in front of a vector
// (RFC 5246 §4.3: <floor..ceiling> vectors carry a 1, 2 or 3 byte length).
enum class LengthPrefix : std::uint8_t { u8 = 1, u16 = 2, u24 = 3, u32 = 4 };

// max_length: the largest length a prefix of this width can express.
constexpr std::size_t max_length(LengthPrefix prefix) {
  return prefix == LengthPrefix::u32 ? std::size_t{0xFFFFFFFF}
                                     : (std::size_t{1} << (8 * static_cast<int>(prefix))) - 1;
}

// ByteReader: a bounds-checked cursor over bytes it does not own. Every getter
// either succeeds and advances, or fails with Errc::truncated (or a bounds
// error) and leaves the cursor where it was. Offsets in error messages are
// counted from the start of the outermost reader, so a nested field's error
// still names its place in the whole input.
class ByteReader {
 public:
  explicit ByteReader(ByteView data, std::size_t base_offset = 0) noexcept
      : data_(data), base_offset_(base_offset) {}

  [[nodiscard]] Result<std::uint8_t> u8();
  [[nodiscard]] Result<std::uint16_t> u16();
  [[nodiscard]] Result<std::uint32_t> u24();
  [[nodiscard]] Result<std::uint32_t> u32();
  [[nodiscard]] Result<std::uint64_t> u64();

  // peek_u8: the next byte without advancing; fails on empty input.
  [[nodiscard]] Result<std::uint8_t> peek_u8() const;

  // bytes: the next `count` bytes as a view into the input.
  [[nodiscard]] Result<ByteView> bytes(std::size_t count);

  // skip: advances over `count` bytes.
  [[nodiscard]] Status skip(std::size_t count);

  // sub_reader: a reader over the next `count` bytes, which it consumes.
  [[nodiscard]] Result<ByteReader> sub_reader(std::size_t count);

  // prefixed: reads a length of the given width, checks min <= length <= max
  // (Errc::length_out_of_range otherwise) and returns a reader over that many
  // bytes, consumed from this reader. On failure nothing is consumed.
  [[nodiscard]] Result<ByteReader> prefixed(
      LengthPrefix prefix, std::size_t min = 0,
      std::size_t max = std::numeric_limits<std::size_t>::max());

  // prefixed_bytes: as prefixed(), returning the bytes themselves.
  [[nodiscard]] Result<ByteView> prefixed_bytes(
      LengthPrefix prefix, std::size_t min = 0,
      std::size_t max = std::numeric_limits<std::size_t>::max());

  // expect_empty: fails with Errc::trailing_data if any bytes are left.
  [[nodiscard]] Status expect_empty() const;

  // take_rest: consumes and returns every remaining byte.
  [[nodiscard]] ByteView take_rest() noexcept;

  [[nodiscard]] std::size_t remaining() const noexcept { return data_.size() - position_; }
  [[nodiscard]] bool empty() const noexcept { return remaining() == 0; }
  // offset: the absolute offset of the cursor (see the class comment).
  [[nodiscard]] std::size_t offset() const noexcept { return base_offset_ + position_; }
  // rest: the remaining bytes, without consuming them.
  [[nodiscard]] ByteView rest() const noexcept { return data_.subspan(position_); }

 private:
  [[nodiscard]] Result<std::uint64_t> read_big_endian(std::size_t width);
  [[nodiscard]] Error truncated(std::size_t wanted) const;

  ByteView data_;
  std::size_t base_offset_ = 0;
  std::size_t position_ = 0;
};

}  // namespace pgptls::base
