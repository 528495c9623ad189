#include "base/byte_reader.h"

#include <gtest/gtest.h>

#include "base/errors.h"

namespace pgptls::base {
namespace {

const Bytes kSample = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09};

TEST(ByteReader, ReadsBigEndianIntegers) {
  ByteReader reader(kSample);
  EXPECT_EQ(*reader.u8(), 0x01);
  EXPECT_EQ(*reader.u16(), 0x0203);
  EXPECT_EQ(*reader.u24(), 0x040506u);
  EXPECT_EQ(reader.offset(), 6u);
  EXPECT_EQ(reader.remaining(), 3u);

  ByteReader wide(kSample);
  EXPECT_EQ(*wide.u32(), 0x01020304u);
  ByteReader wider(kSample);
  EXPECT_EQ(*wider.u64(), 0x0102030405060708ull);
  EXPECT_EQ(*wider.u8(), 0x09);
  EXPECT_TRUE(wider.empty());
  EXPECT_TRUE(wider.expect_empty().ok());
}

// Every getter fails with `truncated` at every short length, and a failed
// read leaves the cursor where it was.
TEST(ByteReader, EveryGetterFailsWithoutMovingOnShortInput) {
  struct Getter {
    const char* name;
    std::size_t width;
    bool (*read)(ByteReader&);
  };
  const Getter getters[] = {
      {"u8", 1, [](ByteReader& r) { return r.u8().ok(); }},
      {"u16", 2, [](ByteReader& r) { return r.u16().ok(); }},
      {"u24", 3, [](ByteReader& r) { return r.u24().ok(); }},
      {"u32", 4, [](ByteReader& r) { return r.u32().ok(); }},
      {"u64", 8, [](ByteReader& r) { return r.u64().ok(); }},
      {"bytes(5)", 5, [](ByteReader& r) { return r.bytes(5).ok(); }},
      {"skip(5)", 5, [](ByteReader& r) { return r.skip(5).ok(); }},
      {"sub_reader(5)", 5, [](ByteReader& r) { return r.sub_reader(5).ok(); }},
  };
  for (const Getter& getter : getters) {
    for (std::size_t available = 0; available < getter.width; ++available) {
      ByteReader reader(ByteView(kSample).first(available));
      EXPECT_FALSE(getter.read(reader)) << getter.name << " with " << available << " bytes";
      EXPECT_EQ(reader.offset(), 0u) << getter.name;
      EXPECT_EQ(reader.remaining(), available) << getter.name;
    }
    ByteReader exact(ByteView(kSample).first(getter.width));
    EXPECT_TRUE(getter.read(exact)) << getter.name;
    EXPECT_TRUE(exact.empty()) << getter.name;
  }
}

TEST(ByteReader, TruncationErrorNamesOffsetAndSizes) {
  ByteReader reader(kSample);
  ASSERT_TRUE(reader.skip(7).ok());
  const auto result = reader.u32();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, make_error_code(Errc::truncated));
  EXPECT_EQ(result.error().message(), "need 4 bytes at offset 7, 2 left: input is truncated");
}

TEST(ByteReader, PeekDoesNotAdvance) {
  ByteReader reader(kSample);
  EXPECT_EQ(*reader.peek_u8(), 0x01);
  EXPECT_EQ(reader.offset(), 0u);
  ByteReader empty{ByteView{}};
  EXPECT_FALSE(empty.peek_u8().ok());
}

TEST(ByteReader, BytesReturnsAViewIntoTheInput) {
  ByteReader reader(kSample);
  const auto view = reader.bytes(3);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->data(), kSample.data());
  EXPECT_EQ(view->size(), 3u);
  EXPECT_TRUE(reader.bytes(0).ok());
  EXPECT_EQ(reader.offset(), 3u);
}

TEST(ByteReader, PrefixedReadersOfEachWidth) {
  const Bytes one = {0x02, 0xAA, 0xBB, 0xCC};
  ByteReader r1(one);
  auto inner1 = r1.prefixed(LengthPrefix::u8);
  ASSERT_TRUE(inner1.ok());
  EXPECT_EQ(inner1->remaining(), 2u);
  EXPECT_EQ(inner1->offset(), 1u);
  EXPECT_EQ(*r1.u8(), 0xCC);

  const Bytes two = {0x00, 0x01, 0xAA};
  ByteReader r2(two);
  auto inner2 = r2.prefixed(LengthPrefix::u16);
  ASSERT_TRUE(inner2.ok());
  EXPECT_EQ(*inner2->u8(), 0xAA);
  EXPECT_TRUE(r2.empty());

  const Bytes three = {0x00, 0x00, 0x02, 0xAA, 0xBB};
  ByteReader r3(three);
  auto inner3 = r3.prefixed_bytes(LengthPrefix::u24);
  ASSERT_TRUE(inner3.ok());
  EXPECT_EQ(to_bytes(*inner3), (Bytes{0xAA, 0xBB}));

  const Bytes four = {0x00, 0x00, 0x00, 0x01, 0xAA};
  ByteReader r4(four);
  auto inner4 = r4.prefixed(LengthPrefix::u32);
  ASSERT_TRUE(inner4.ok());
  EXPECT_EQ(inner4->remaining(), 1u);
}

TEST(ByteReader, NestedReaderReportsAbsoluteOffsets) {
  const Bytes data = {0xFF, 0x02, 0x01, 0x02};
  ByteReader reader(data);
  ASSERT_TRUE(reader.skip(1).ok());
  auto inner = reader.prefixed(LengthPrefix::u8);
  ASSERT_TRUE(inner.ok());
  ASSERT_TRUE(inner->skip(2).ok());
  const auto failed = inner->u8();
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().context.find("offset 4"), std::string::npos) << failed.error().message();
}

TEST(ByteReader, PrefixedLengthBeyondInputIsTruncatedAndDoesNotMove) {
  const Bytes data = {0x05, 0x01, 0x02};
  ByteReader reader(data);
  const auto inner = reader.prefixed(LengthPrefix::u8);
  ASSERT_FALSE(inner.ok());
  EXPECT_EQ(inner.error().code, make_error_code(Errc::truncated));
  EXPECT_EQ(reader.offset(), 0u);
}

TEST(ByteReader, PrefixedTruncatedLengthFieldDoesNotMove) {
  const Bytes data = {0x00, 0x00};
  ByteReader reader(data);
  EXPECT_FALSE(reader.prefixed(LengthPrefix::u24).ok());
  EXPECT_EQ(reader.offset(), 0u);
}

TEST(ByteReader, PrefixedLengthOutsideBoundsIsRejected) {
  // RFC 5246 §4.3: a vector <2..4> must not be 1 or 5 bytes long.
  const Bytes too_short = {0x01, 0xAA};
  ByteReader r1(too_short);
  const auto below = r1.prefixed(LengthPrefix::u8, 2, 4);
  ASSERT_FALSE(below.ok());
  EXPECT_EQ(below.error().code, make_error_code(Errc::length_out_of_range));
  EXPECT_EQ(below.error().message(),
            "length 1 at offset 0 is outside 2..4: length field is outside the allowed range");
  EXPECT_EQ(r1.offset(), 0u);

  const Bytes too_long = {0x05, 1, 2, 3, 4, 5};
  ByteReader r2(too_long);
  const auto above = r2.prefixed(LengthPrefix::u8, 2, 4);
  ASSERT_FALSE(above.ok());
  EXPECT_EQ(above.error().code, make_error_code(Errc::length_out_of_range));
  EXPECT_EQ(r2.offset(), 0u);

  // The bounds themselves are allowed.
  const Bytes at_max = {0x04, 1, 2, 3, 4};
  ByteReader r3(at_max);
  EXPECT_TRUE(r3.prefixed(LengthPrefix::u8, 2, 4).ok());
}

TEST(ByteReader, HugeLengthIsRejectedNotAllocated) {
  const Bytes data = {0xFF, 0xFF, 0xFF, 0xFF, 0x00};
  ByteReader reader(data);
  const auto inner = reader.prefixed(LengthPrefix::u32);
  ASSERT_FALSE(inner.ok());
  EXPECT_EQ(inner.error().code, make_error_code(Errc::truncated));
}

TEST(ByteReader, ExpectEmptyRejectsTrailingBytes) {
  ByteReader reader(kSample);
  ASSERT_TRUE(reader.skip(8).ok());
  const auto status = reader.expect_empty();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, make_error_code(Errc::trailing_data));
  EXPECT_EQ(status.error().message(),
            "1 unexpected bytes at offset 8: unexpected bytes after the end of the structure");
}

TEST(ByteReader, TakeRestConsumesEverything) {
  ByteReader reader(kSample);
  ASSERT_TRUE(reader.skip(2).ok());
  EXPECT_EQ(reader.rest().size(), 7u);
  EXPECT_EQ(reader.offset(), 2u);
  const ByteView rest = reader.take_rest();
  EXPECT_EQ(rest.size(), 7u);
  EXPECT_EQ(rest[0], 0x03);
  EXPECT_TRUE(reader.empty());
}

// Parses a small TLS-like structure and checks that truncation at every
// offset fails cleanly.
TEST(ByteReader, TruncationAtEveryOffsetOfANestedStructure) {
  const Bytes message = {0x00, 0x06,              // outer u16 length
                         0x02, 0xAB, 0xCD,        // inner u8 vector
                         0x00, 0x00, 0x01, 0xEF,  // inner u24 vector
                         0x07};                   // trailing u8
  auto parse = [](ByteView input) -> Status {
    ByteReader reader(input);
    PGPTLS_TRY(ByteReader outer, reader.prefixed(LengthPrefix::u16));
    PGPTLS_TRY(const ByteView first, outer.prefixed_bytes(LengthPrefix::u8, 1, 255));
    (void)first;
    // The outer length (6) ends before the u24 vector's content.
    PGPTLS_TRY(const ByteView second, outer.prefixed_bytes(LengthPrefix::u24, 1, 100));
    (void)second;
    PGPTLS_CHECK(outer.expect_empty());
    PGPTLS_TRY(const std::uint8_t last, reader.u8());
    (void)last;
    return reader.expect_empty();
  };
  // The outer length says 6, but the structure inside needs 7: always fails.
  EXPECT_FALSE(parse(message).ok());
  Bytes fixed = message;
  fixed[1] = 0x07;
  EXPECT_TRUE(parse(fixed).ok());
  for (std::size_t cut = 0; cut < fixed.size(); ++cut) {
    EXPECT_FALSE(parse(ByteView(fixed).first(cut)).ok()) << "cut at " << cut;
  }
  Bytes extended = fixed;
  extended.push_back(0x00);
  EXPECT_EQ(parse(extended).error().code, make_error_code(Errc::trailing_data));
}

}  // namespace
}  // namespace pgptls::base
