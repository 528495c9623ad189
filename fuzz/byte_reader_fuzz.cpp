// byte_reader_fuzz.cpp: drives ByteReader with an operation script and
// mirrors every successful read into a ByteWriter. Invariants checked:
// a failed read never moves the cursor, and the writer reproduces exactly
// the bytes the reader consumed (so prefixes backfill correctly).
//
// Input layout: [op count][ops...][data...].
#include <cstddef>
#include <cstdint>
#include <vector>

#include "base/byte_reader.h"
#include "base/byte_writer.h"
#include "fuzz/fuzz_require.h"

namespace {

using pgptls::fuzz::require;

using pgptls::base::ByteReader;
using pgptls::base::ByteWriter;
using pgptls::base::LengthPrefix;

// Frame: one nesting level, a reader with the writer child that mirrors it.
struct Frame {
  ByteReader reader;
  std::size_t start_offset;
  ByteWriter::Prefixed child;
};

template <class Read, class Write>
bool step(ByteReader& reader, Read read, Write write) {
  const std::size_t before = reader.offset();
  auto result = read(reader);
  if (!result.ok()) {
    require(reader.offset() == before);
    return false;
  }
  write(*result);
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ByteReader input(pgptls::ByteView(data, size));
  auto count = input.u8();
  if (!count.ok()) {
    return 0;
  }
  auto ops_view = input.bytes(*count);
  if (!ops_view.ok()) {
    return 0;
  }
  const pgptls::ByteView ops = *ops_view;
  const pgptls::ByteView payload = input.take_rest();

  ByteReader root(payload);
  ByteWriter writer;
  std::vector<Frame> stack;
  auto current = [&]() -> ByteReader& { return stack.empty() ? root : stack.back().reader; };

  bool alive = true;
  for (std::size_t i = 0; i < ops.size() && alive; ++i) {
    ByteReader& reader = current();
    switch (ops[i] % 10) {
      case 0:
        alive = step(
            reader, [](ByteReader& r) { return r.u8(); }, [&](auto v) { writer.u8(v); });
        break;
      case 1:
        alive = step(
            reader, [](ByteReader& r) { return r.u16(); }, [&](auto v) { writer.u16(v); });
        break;
      case 2:
        alive = step(
            reader, [](ByteReader& r) { return r.u24(); }, [&](auto v) { writer.u24(v); });
        break;
      case 3:
        alive = step(
            reader, [](ByteReader& r) { return r.u32(); }, [&](auto v) { writer.u32(v); });
        break;
      case 4:
        alive = step(
            reader, [](ByteReader& r) { return r.u64(); }, [&](auto v) { writer.u64(v); });
        break;
      case 5: {
        const std::size_t count_bytes = ops[i] / 10;
        alive = step(
            reader, [&](ByteReader& r) { return r.bytes(count_bytes); },
            [&](pgptls::ByteView v) { writer.bytes(v); });
        break;
      }
      case 6:
      case 7:
      case 8: {
        const auto prefix = static_cast<LengthPrefix>(ops[i] % 10 - 5);
        const std::size_t max = ops[i] / 10 * 4;
        const std::size_t before = reader.offset();
        auto child = reader.prefixed(prefix, 0, max);
        if (!child.ok()) {
          require(reader.offset() == before);
          alive = false;
          break;
        }
        require(child->remaining() <= max);
        stack.push_back(Frame{*child, child->offset(), writer.prefixed(prefix)});
        break;
      }
      case 9: {
        if (stack.empty()) {
          alive = reader.expect_empty().ok();
          break;
        }
        if (!stack.back().reader.expect_empty().ok()) {
          alive = false;
          break;
        }
        stack.back().child.close();
        stack.pop_back();
        break;
      }
    }
  }
  if (!alive) {
    return 0;
  }
  // Close the open children only when they were read to their end, so the
  // mirrored lengths match.
  while (!stack.empty()) {
    if (!stack.back().reader.empty()) {
      return 0;
    }
    stack.back().child.close();
    stack.pop_back();
  }
  auto written = std::move(writer).finish();
  require(written.ok());
  const std::size_t consumed = root.offset();
  require(written->size() == consumed);
  for (std::size_t i = 0; i < consumed; ++i) {
    require((*written)[i] == payload[i]);
  }
  return 0;
}
