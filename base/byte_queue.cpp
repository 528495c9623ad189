#include "base/byte_queue.h"

#include <algorithm>
#include <cstring>

namespace pgptls::base {

Bytes& ByteQueue::back_buffer() {
  if (head_ > 0 && head_ * 2 >= bytes_.size()) {
    bytes_.erase(bytes_.begin(), bytes_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
  return bytes_;
}

void ByteQueue::append(ByteView data) {
  Bytes& buffer = back_buffer();
  buffer.insert(buffer.end(), data.begin(), data.end());
}

void ByteQueue::consume(std::size_t count) {
  // Only the head moves: views of the consumed bytes stay readable until
  // the next append(), which starts over at the front (the whole buffer is
  // consumed then).
  head_ += std::min(count, size());
}

std::size_t ByteQueue::read(std::span<std::uint8_t> out) {
  const std::size_t count = std::min(out.size(), size());
  if (count > 0) {
    std::memcpy(out.data(), bytes_.data() + head_, count);
    consume(count);
  }
  return count;
}

}  // namespace pgptls::base
