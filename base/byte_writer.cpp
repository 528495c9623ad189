#include "base/byte_writer.h"

#include <string>

#include "base/errors.h"

namespace pgptls::base {

void ByteWriter::fail(Error error) {
  if (!error_) {
    error_ = std::move(error);
  }
}

void ByteWriter::put(std::uint64_t value, std::size_t width) {
  if (!ok()) {
    return;
  }
  for (std::size_t i = width; i > 0; --i) {
    buffer_.push_back(static_cast<std::uint8_t>(value >> (8 * (i - 1))));
  }
}

void ByteWriter::u24(std::uint32_t value) {
  if (value > 0xFFFFFF) {
    fail(make_error(Errc::value_too_large, "value " + std::to_string(value) + " exceeds 24 bits"));
    return;
  }
  put(value, 3);
}

void ByteWriter::bytes(ByteView data) {
  if (!ok()) {
    return;
  }
  buffer_.insert(buffer_.end(), data.begin(), data.end());
}

ByteWriter::Prefixed ByteWriter::prefixed(LengthPrefix prefix, std::size_t max) {
  return Prefixed(*this, prefix, max);
}

Result<Bytes> ByteWriter::finish() && {
  if (error_) {
    return std::move(*error_);
  }
  if (open_children_ != 0) {
    return make_error(Errc::truncated, "a length-prefixed field is still open");
  }
  return std::move(buffer_);
}

ByteWriter::Prefixed::Prefixed(ByteWriter& writer, LengthPrefix prefix, std::size_t max)
    : writer_(&writer), length_position_(writer.size()), prefix_(prefix), max_(max) {
  ++writer.open_children_;
  writer.put(0, static_cast<std::size_t>(prefix));
}

ByteWriter::Prefixed::Prefixed(Prefixed&& other) noexcept
    : writer_(other.writer_),
      length_position_(other.length_position_),
      prefix_(other.prefix_),
      max_(other.max_) {
  other.writer_ = nullptr;
}

void ByteWriter::Prefixed::close() {
  if (writer_ == nullptr) {
    return;
  }
  ByteWriter& writer = *writer_;
  writer_ = nullptr;
  --writer.open_children_;
  if (!writer.ok()) {
    return;
  }
  const std::size_t width = static_cast<std::size_t>(prefix_);
  const std::size_t length = writer.size() - length_position_ - width;
  if (length > max_ || length > max_length(prefix_)) {
    writer.fail(make_error(Errc::length_out_of_range,
                           "field of " + std::to_string(length) + " bytes exceeds its limit of " +
                               std::to_string(std::min(max_, max_length(prefix_)))));
    return;
  }
  for (std::size_t i = 0; i < width; ++i) {
    writer.buffer_[length_position_ + i] =
        static_cast<std::uint8_t>(length >> (8 * (width - 1 - i)));
  }
}

}  // namespace pgptls::base
