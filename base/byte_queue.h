// byte_queue.h: ByteQueue, bytes appended at the back and consumed from the
// front of one contiguous buffer: the input and output buffers of the TLS
// engines, where a transport feeds bytes in pieces and takes them out in
// pieces of other sizes. All inline: it is on the path of every byte.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "base/bytes.h"

namespace pgptls::base {

// ByteQueue: the unread bytes are always contiguous (view()). Consuming
// never moves or frees bytes, so a view, even of bytes since consumed,
// stays valid until the next append() or back_buffer(). Those first move
// the unread bytes to the front when the consumed prefix is at least half
// the buffer (all of it when the queue is empty): the buffer stays under
// twice the unread bytes plus the last append, and each byte moves O(1)
// times.
class ByteQueue {
 public:
  // view: the unread bytes, oldest first.
  [[nodiscard]] ByteView view() const { return ByteView(bytes_).subspan(head_); }
  // mutable_view: the same bytes, writable (a record decrypted in place).
  [[nodiscard]] std::span<std::uint8_t> mutable_view() {
    return std::span<std::uint8_t>(bytes_).subspan(head_);
  }
  [[nodiscard]] std::size_t size() const { return bytes_.size() - head_; }
  [[nodiscard]] bool empty() const { return head_ == bytes_.size(); }

  // append: adds `data` after the unread bytes.
  void append(ByteView data) {
    Bytes& buffer = back_buffer();
    buffer.insert(buffer.end(), data.begin(), data.end());
  }
  // back_buffer: compacts as append() does, then gives the buffer itself,
  // for writing new bytes at its end in place (a record sealed straight
  // into an output queue). Only its end may change: bytes added, or cut
  // back to a size it had since this call (a failed write taken back).
  [[nodiscard]] Bytes& back_buffer() {
    if (head_ == bytes_.size()) {
      bytes_.clear();  // all consumed (the usual case): start over at the front
      head_ = 0;
    } else if (head_ * 2 >= bytes_.size()) {
      bytes_.erase(bytes_.begin(), bytes_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
    return bytes_;
  }
  // consume: drops the first `count` unread bytes (all of them if fewer).
  // Only the head moves: views of the consumed bytes stay readable until
  // the next append(), which starts over at the front.
  void consume(std::size_t count) { head_ += std::min(count, size()); }
  // read: copies up to out.size() unread bytes into `out` and consumes them;
  // returns how many.
  std::size_t read(std::span<std::uint8_t> out) {
    const std::size_t count = std::min(out.size(), size());
    if (count > 0) {
      std::memcpy(out.data(), bytes_.data() + head_, count);
      head_ += count;
    }
    return count;
  }

 private:
  Bytes bytes_;
  std::size_t head_ = 0;  // bytes_[0, head_) are consumed
};

}  // namespace pgptls::base
