#include "openpgp/packet.h"

#include <string>

#include "base/byte_reader.h"
#include "openpgp/errors.h"

namespace pgptls::openpgp {
namespace {

// RFC 9580 §4.2.1: the first octet of a new-format length.
constexpr std::uint8_t kTwoOctetStart = 192;
constexpr std::uint8_t kPartialStart = 224;
constexpr std::uint8_t kFiveOctetMark = 255;
// The smallest length that needs five octets: (223 - 192) << 8 + 255 + 192 + 1.
constexpr std::size_t kFiveOctetStart = 8384;

Error framing_error(std::size_t offset, const std::string& what) {
  return make_error(Errc::malformed_packet,
                    "OpenPGP packet at offset " + std::to_string(offset) + ": " + what);
}

}  // namespace

Result<std::vector<RawPacket>> split_packets(ByteView input, std::size_t max_packet_size) {
  std::vector<RawPacket> packets;
  base::ByteReader reader(input);
  while (!reader.empty()) {
    const std::size_t offset = reader.offset();
    auto ctb_read = reader.u8();
    if (!ctb_read) {
      return framing_error(offset, "truncated packet header");
    }
    const std::uint8_t ctb = *ctb_read;
    // RFC 9580 §4.2: bit 7 is always one.
    if ((ctb & 0x80) == 0) {
      return framing_error(offset, "first octet lacks bit 7; this is not OpenPGP binary data");
    }
    std::uint8_t tag = 0;
    std::uint64_t length = 0;
    if ((ctb & 0x40) != 0) {
      // New format (RFC 9580 §4.2.1.1): tag in bits 5..0, then a length.
      tag = ctb & 0x3F;
      auto new_length = read_length(reader, LengthRule::packet);
      if (!new_length) {
        return framing_error(offset, new_length.error().context);
      }
      length = *new_length;
    } else {
      // Legacy format (RFC 9580 §4.2.2): tag in bits 5..2, length type 1..0.
      tag = (ctb >> 2) & 0x0F;
      const int length_type = ctb & 0x03;
      if (length_type == 3) {
        return framing_error(offset, "indeterminate length inside a certificate");
      }
      bool ok = false;
      if (length_type == 0) {
        auto v = reader.u8();
        ok = v.ok();
        length = ok ? *v : 0;
      } else if (length_type == 1) {
        auto v = reader.u16();
        ok = v.ok();
        length = ok ? *v : 0;
      } else {
        auto v = reader.u32();
        ok = v.ok();
        length = ok ? *v : 0;
      }
      if (!ok) {
        return framing_error(offset, "truncated length");
      }
    }
    if (tag == 0) {
      return framing_error(offset, "packet tag 0 is reserved");
    }
    if (length > max_packet_size) {
      return framing_error(offset, "packet of " + std::to_string(length) +
                                       " octets exceeds the policy cap of " +
                                       std::to_string(max_packet_size));
    }
    auto body = reader.bytes(static_cast<std::size_t>(length));
    if (!body) {
      return framing_error(offset, "packet body of " + std::to_string(length) +
                                       " octets is truncated; the input is incomplete");
    }
    packets.push_back(RawPacket{tag, *body, offset});
  }
  return packets;
}

Result<std::uint32_t> read_length(base::ByteReader& reader, LengthRule rule) {
  auto first = reader.u8();
  if (!first) {
    return make_error(Errc::malformed_packet, "truncated length");
  }
  if (*first < kTwoOctetStart) {
    return std::uint32_t{*first};
  }
  // RFC 9580 §4.2.1.4: 224..254 are partial lengths in packet headers.
  if (rule == LengthRule::packet && *first >= kPartialStart && *first != kFiveOctetMark) {
    return make_error(Errc::malformed_packet,
                      "partial body length inside a certificate (RFC 9580 §4.2.1.4 allows it "
                      "only in data packets)");
  }
  if (*first == kFiveOctetMark) {
    auto four = reader.u32();
    if (!four) {
      return make_error(Errc::malformed_packet, "truncated five-octet length");
    }
    return *four;
  }
  auto second = reader.u8();
  if (!second) {
    return make_error(Errc::malformed_packet, "truncated two-octet length");
  }
  return ((std::uint32_t{*first} - kTwoOctetStart) << 8) + *second + kTwoOctetStart;
}

void write_length(base::ByteWriter& writer, std::size_t length) {
  if (length < kTwoOctetStart) {
    writer.u8(static_cast<std::uint8_t>(length));
  } else if (length < kFiveOctetStart) {
    const std::size_t adjusted = length - kTwoOctetStart;
    writer.u8(static_cast<std::uint8_t>((adjusted >> 8) + kTwoOctetStart));
    writer.u8(static_cast<std::uint8_t>(adjusted & 0xFF));
  } else {
    writer.u8(kFiveOctetMark);
    writer.u32(static_cast<std::uint32_t>(length));
  }
}

void write_packet(base::ByteWriter& writer, std::uint8_t tag, ByteView body) {
  writer.u8(static_cast<std::uint8_t>(0xC0 | (tag & 0x3F)));
  write_length(writer, body.size());
  writer.bytes(body);
}

void write_packet(base::ByteWriter& writer, PacketTag tag, ByteView body) {
  write_packet(writer, static_cast<std::uint8_t>(tag), body);
}

}  // namespace pgptls::openpgp
