#include "base/byte_writer.h"

#include <gtest/gtest.h>

#include "base/errors.h"

namespace pgptls::base {
namespace {

TEST(ByteWriter, WritesBigEndianIntegersAndBytes) {
  ByteWriter writer;
  writer.u8(0x01);
  writer.u16(0x0203);
  writer.u24(0x040506);
  writer.u32(0x0708090A);
  writer.u64(0x0B0C0D0E0F101112ull);
  writer.bytes(Bytes{0xAA, 0xBB});
  auto out = std::move(writer).finish();
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, (Bytes{0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A,
                         0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x10, 0x11, 0x12, 0xAA, 0xBB}));
}

TEST(ByteWriter, U24RejectsValuesOver24Bits) {
  ByteWriter writer;
  writer.u24(0x1000000);
  EXPECT_FALSE(writer.ok());
  auto out = std::move(writer).finish();
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, make_error_code(Errc::value_too_large));
}

TEST(ByteWriter, PrefixedChildrenBackfillTheirLength) {
  ByteWriter writer;
  {
    auto outer = writer.prefixed(LengthPrefix::u16);
    writer.u8(0xAA);
    {
      auto inner = writer.prefixed(LengthPrefix::u24);
      writer.bytes(Bytes{1, 2, 3});
    }
    { auto empty = writer.prefixed(LengthPrefix::u8); }
  }
  auto out = std::move(writer).finish();
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, (Bytes{0x00, 0x08, 0xAA, 0x00, 0x00, 0x03, 1, 2, 3, 0x00}));
}

TEST(ByteWriter, ExplicitCloseIsIdempotent) {
  ByteWriter writer;
  auto child = writer.prefixed(LengthPrefix::u8);
  writer.u8(7);
  child.close();
  writer.u8(9);  // after close: not counted in the child
  child.close();
  auto out = std::move(writer).finish();
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, (Bytes{0x01, 0x07, 0x09}));
}

TEST(ByteWriter, MovedChildClosesOnce) {
  ByteWriter writer;
  {
    auto first = writer.prefixed(LengthPrefix::u8);
    auto second = std::move(first);
    writer.u16(0x0102);
  }
  auto out = std::move(writer).finish();
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, (Bytes{0x02, 0x01, 0x02}));
}

TEST(ByteWriter, OverflowingChildFailsStickily) {
  ByteWriter writer;
  {
    auto child = writer.prefixed(LengthPrefix::u8);
    writer.bytes(Bytes(256, 0x55));
  }
  EXPECT_FALSE(writer.ok());
  writer.u8(1);  // ignored after the error
  auto out = std::move(writer).finish();
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, make_error_code(Errc::length_out_of_range));
  EXPECT_EQ(out.error().context, "field of 256 bytes exceeds its limit of 255");
}

TEST(ByteWriter, ChildOverItsPolicyMaximumFails) {
  ByteWriter writer;
  {
    auto child = writer.prefixed(LengthPrefix::u16, 4);
    writer.bytes(Bytes(5, 0));
  }
  auto out = std::move(writer).finish();
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, make_error_code(Errc::length_out_of_range));
}

TEST(ByteWriter, ChildAtTheLimitSucceeds) {
  ByteWriter writer;
  {
    auto child = writer.prefixed(LengthPrefix::u8);
    writer.bytes(Bytes(255, 0x11));
  }
  auto out = std::move(writer).finish();
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->size(), 256u);
  EXPECT_EQ((*out)[0], 0xFF);
}

TEST(ByteWriter, FinishWithAnOpenChildFails) {
  ByteWriter writer;
  auto child = writer.prefixed(LengthPrefix::u8);
  writer.u8(1);
  auto out = std::move(writer).finish();
  EXPECT_FALSE(out.ok());
}

TEST(ByteWriter, RoundTripsThroughByteReader) {
  ByteWriter writer;
  {
    auto list = writer.prefixed(LengthPrefix::u16);
    for (std::uint8_t i = 0; i < 3; ++i) {
      auto item = writer.prefixed(LengthPrefix::u8);
      writer.bytes(Bytes(i, i));
    }
  }
  auto out = std::move(writer).finish();
  ASSERT_TRUE(out.ok());
  ByteReader reader(*out);
  auto list = reader.prefixed(LengthPrefix::u16);
  ASSERT_TRUE(list.ok());
  for (std::uint8_t i = 0; i < 3; ++i) {
    auto item = list->prefixed_bytes(LengthPrefix::u8);
    ASSERT_TRUE(item.ok());
    EXPECT_EQ(to_bytes(*item), Bytes(i, i));
  }
  EXPECT_TRUE(list->expect_empty().ok());
  EXPECT_TRUE(reader.expect_empty().ok());
}

}  // namespace
}  // namespace pgptls::base
