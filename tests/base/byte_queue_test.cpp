#include "base/byte_queue.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>

namespace pgptls::base {
namespace {

Bytes counting(std::size_t count, std::size_t from = 0) {
  Bytes bytes(count);
  for (std::size_t i = 0; i < count; ++i) {
    bytes[i] = static_cast<std::uint8_t>((from + i) * 7);
  }
  return bytes;
}

TEST(ByteQueue, StartsEmpty) {
  ByteQueue queue;
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(queue.size(), 0U);
  EXPECT_TRUE(queue.view().empty());
  std::array<std::uint8_t, 4> out{};
  EXPECT_EQ(queue.read(out), 0U);
}

TEST(ByteQueue, AppendsAtTheBackAndConsumesFromTheFront) {
  ByteQueue queue;
  queue.append(Bytes{1, 2, 3});
  queue.append(Bytes{4, 5});
  EXPECT_EQ(to_bytes(queue.view()), (Bytes{1, 2, 3, 4, 5}));
  queue.consume(2);
  EXPECT_EQ(to_bytes(queue.view()), (Bytes{3, 4, 5}));
  EXPECT_EQ(queue.size(), 3U);
  queue.append(Bytes{6});
  EXPECT_EQ(to_bytes(queue.view()), (Bytes{3, 4, 5, 6}));
}

TEST(ByteQueue, ConsumingMoreThanHeldEmptiesIt) {
  ByteQueue queue;
  queue.append(Bytes{1, 2, 3});
  queue.consume(10);
  EXPECT_TRUE(queue.empty());
  queue.append(Bytes{9});
  EXPECT_EQ(to_bytes(queue.view()), (Bytes{9}));
}

TEST(ByteQueue, ReadCopiesAndConsumes) {
  ByteQueue queue;
  queue.append(Bytes{1, 2, 3, 4, 5});
  std::array<std::uint8_t, 3> out{};
  EXPECT_EQ(queue.read(out), 3U);
  EXPECT_EQ(out, (std::array<std::uint8_t, 3>{1, 2, 3}));
  EXPECT_EQ(queue.read(out), 2U);
  EXPECT_EQ(out[0], 4);
  EXPECT_EQ(out[1], 5);
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(queue.read(out), 0U);
}

TEST(ByteQueue, MutableViewWritesInPlace) {
  ByteQueue queue;
  queue.append(Bytes{1, 2, 3});
  queue.consume(1);
  queue.mutable_view()[0] = 20;
  EXPECT_EQ(to_bytes(queue.view()), (Bytes{20, 3}));
}

TEST(ByteQueue, ConsumedBytesStayReadableUntilTheNextAppend) {
  // The record layer hands out a record it has consumed, decrypted in
  // place; the engine reads it before feeding more.
  ByteQueue queue;
  queue.append(Bytes{1, 2, 3, 4});
  const ByteView record = queue.view().first(4);
  queue.consume(4);
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(to_bytes(record), (Bytes{1, 2, 3, 4}));
}

TEST(ByteQueue, AnAppendMovesTheUnreadBytesToTheFrontOnceHalfIsConsumed) {
  ByteQueue queue;
  queue.append(counting(10));
  const std::uint8_t* const front = queue.view().data();
  queue.consume(5);  // half the buffer consumed
  EXPECT_EQ(queue.view().data(), front + 5);
  queue.append(Bytes{0xee});  // fits the capacity: no reallocation
  EXPECT_EQ(queue.view().data(), front);
  Bytes expected = counting(5, 5);
  expected.push_back(0xee);
  EXPECT_EQ(to_bytes(queue.view()), expected);
}

TEST(ByteQueue, AnAppendToAnEmptiedQueueStartsAtTheFront) {
  ByteQueue queue;
  queue.append(counting(10));
  const std::uint8_t* const front = queue.view().data();
  queue.consume(10);
  queue.append(Bytes{1, 2});
  EXPECT_EQ(queue.view().data(), front);
  EXPECT_EQ(to_bytes(queue.view()), (Bytes{1, 2}));
}

TEST(ByteQueue, CarriesALargeStreamInUnevenPiecesIntact) {
  // 8 MiB in, appended and consumed in pieces of different sizes (as a
  // socket and TLS records cut it), comes out whole and in order.
  constexpr std::size_t kTotal = std::size_t{8} << 20;
  const std::array<std::size_t, 4> appends{1, 16389, 70000, 4096};
  const std::array<std::size_t, 3> reads{16384, 3, 65536};
  ByteQueue queue;
  std::size_t written = 0;
  std::size_t checked = 0;
  std::size_t step = 0;
  std::vector<std::uint8_t> out(65536);
  while (checked < kTotal) {
    if (written < kTotal) {
      const std::size_t count = std::min(appends[step % appends.size()], kTotal - written);
      queue.append(counting(count, written));
      written += count;
    }
    const std::size_t count =
        queue.read(std::span<std::uint8_t>(out).first(reads[step % reads.size()]));
    ASSERT_EQ(Bytes(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(count)),
              counting(count, checked))
        << "at byte " << checked;
    checked += count;
    ASSERT_EQ(queue.size(), written - checked);
    ++step;
  }
  EXPECT_TRUE(queue.empty());
}

}  // namespace
}  // namespace pgptls::base
