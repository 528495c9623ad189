#include "base/byte_reader.h"

#include <string>
#include <utility>

#include "base/errors.h"

namespace pgptls::base {
namespace {

// narrowed: a read_big_endian value as the unsigned type T its width fits.
template <typename T>
Result<T> narrowed(Result<std::uint64_t> value) {
  PGPTLS_TRY(const std::uint64_t number, std::move(value));
  return static_cast<T>(number);
}

}  // namespace

Error ByteReader::truncated(std::size_t wanted) const {
  return make_error(Errc::truncated, "need " + std::to_string(wanted) + " bytes at offset " +
                                         std::to_string(offset()) + ", " +
                                         std::to_string(remaining()) + " left");
}

Result<std::uint64_t> ByteReader::read_big_endian(std::size_t width) {
  if (remaining() < width) {
    return truncated(width);
  }
  std::uint64_t value = 0;
  for (const std::uint8_t byte : data_.subspan(position_, width)) {
    value = (value << 8) | byte;
  }
  position_ += width;
  return value;
}

Result<std::uint8_t> ByteReader::u8() {
  return narrowed<std::uint8_t>(read_big_endian(1));
}

Result<std::uint16_t> ByteReader::u16() {
  return narrowed<std::uint16_t>(read_big_endian(2));
}

Result<std::uint32_t> ByteReader::u24() {
  return narrowed<std::uint32_t>(read_big_endian(3));
}

Result<std::uint32_t> ByteReader::u32() {
  return narrowed<std::uint32_t>(read_big_endian(4));
}

Result<std::uint64_t> ByteReader::u64() {
  return read_big_endian(8);
}

Result<std::uint8_t> ByteReader::peek_u8() const {
  if (empty()) {
    return truncated(1);
  }
  return data_[position_];
}

Result<ByteView> ByteReader::bytes(std::size_t count) {
  if (remaining() < count) {
    return truncated(count);
  }
  const ByteView view = data_.subspan(position_, count);
  position_ += count;
  return view;
}

Status ByteReader::skip(std::size_t count) {
  PGPTLS_CHECK(bytes(count));
  return {};
}

Result<ByteReader> ByteReader::sub_reader(std::size_t count) {
  const std::size_t start = offset();
  PGPTLS_TRY(const ByteView view, bytes(count));
  return ByteReader(view, start);
}

Result<ByteReader> ByteReader::prefixed(LengthPrefix prefix, std::size_t min, std::size_t max) {
  ByteReader probe = *this;
  PGPTLS_TRY(const std::uint64_t length, probe.read_big_endian(static_cast<std::size_t>(prefix)));
  if (length < min || length > max) {
    return make_error(Errc::length_out_of_range, "length " + std::to_string(length) +
                                                     " at offset " + std::to_string(offset()) +
                                                     " is outside " + std::to_string(min) + ".." +
                                                     std::to_string(max));
  }
  PGPTLS_TRY(ByteReader inner, probe.sub_reader(static_cast<std::size_t>(length)));
  *this = probe;
  return inner;
}

Result<ByteView> ByteReader::prefixed_bytes(LengthPrefix prefix, std::size_t min, std::size_t max) {
  PGPTLS_TRY(ByteReader inner, prefixed(prefix, min, max));
  return inner.take_rest();
}

Status ByteReader::expect_empty() const {
  if (!empty()) {
    return make_error(
        Errc::trailing_data,
        std::to_string(remaining()) + " unexpected bytes at offset " + std::to_string(offset()));
  }
  return {};
}

ByteView ByteReader::take_rest() noexcept {
  const ByteView view = rest();
  position_ = data_.size();
  return view;
}

}  // namespace pgptls::base
