// byte_writer.h: ByteWriter, a growable big-endian output buffer whose
// length-prefixed fields backfill their length when their scope closes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "base/byte_reader.h"
#include "base/bytes.h"
#include "base/result.h"

namespace pgptls::base {

// ByteWriter: appends big-endian integers and byte strings. Errors (a value
// or a length that does not fit its field) are sticky: the first one is kept,
// later writes are ignored, and finish() reports it.
class ByteWriter {
 public:
  class Prefixed;

  ByteWriter() = default;

  void u8(std::uint8_t value) { put(value, 1); }
  void u16(std::uint16_t value) { put(value, 2); }
  // u24: fails (sticky) if the value needs more than 24 bits.
  void u24(std::uint32_t value);
  void u32(std::uint32_t value) { put(value, 4); }
  void u64(std::uint64_t value) { put(value, 8); }
  void bytes(ByteView data);

  // prefixed: reserves a length field of the given width; the returned guard
  // writes the length of everything written after it when it is closed or
  // destroyed, and fails (sticky) if that exceeds `max` or the width.
  [[nodiscard]] Prefixed prefixed(LengthPrefix prefix,
                                  std::size_t max = std::numeric_limits<std::size_t>::max());

  [[nodiscard]] bool ok() const noexcept { return !error_.has_value(); }
  [[nodiscard]] std::size_t size() const noexcept { return buffer_.size(); }
  // view: what has been written so far (lengths of open children still zero).
  [[nodiscard]] ByteView view() const noexcept { return buffer_; }

  // finish: the written bytes, or the first error. Every Prefixed guard must
  // have been closed before.
  [[nodiscard]] Result<Bytes> finish() &&;

 private:
  void put(std::uint64_t value, std::size_t width);
  void fail(Error error);

  Bytes buffer_;
  std::optional<Error> error_;
  int open_children_ = 0;
};

// ByteWriter::Prefixed: RAII guard of one length-prefixed field.
class ByteWriter::Prefixed {
 public:
  Prefixed(const Prefixed&) = delete;
  Prefixed& operator=(const Prefixed&) = delete;
  Prefixed(Prefixed&& other) noexcept;
  Prefixed& operator=(Prefixed&&) = delete;
  ~Prefixed() { close(); }

  // close: backfills the length now; later calls do nothing.
  void close();

 private:
  friend class ByteWriter;
  Prefixed(ByteWriter& writer, LengthPrefix prefix, std::size_t max);

  ByteWriter* writer_;
  std::size_t length_position_;
  LengthPrefix prefix_;
  std::size_t max_;
};

}  // namespace pgptls::base
