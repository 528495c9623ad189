#include "openpgp/packet.h"

#include <string>

#include "base/byte_reader.h"
#include "openpgp/errors.h"

namespace pgptls::keyring {
namespace {

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
    const std::uint8_t ctb = reader.u8().value();
    // RFC 9580 §4.2: bit 7 is always one.
    if ((ctb & 0x80) == 0) {
      return framing_error(offset, "first octet lacks bit 7; this is not OpenPGP binary data");
    }
    std::uint8_t tag = 0;
    std::uint64_t length = 0;
    if ((ctb & 0x40) != 0) {
      // New format (RFC 9580 §4.2.1.1): tag in bits 5..0, then a length.
      tag = ctb & 0x3F;
      auto first = reader.u8();
      if (!first) {
        return framing_error(offset, "truncated length");
      }
      if (*first < 192) {
        length = *first;
      } else if (*first < 224) {
        auto second = reader.u8();
        if (!second) {
          return framing_error(offset, "truncated two-octet length");
        }
        length = ((std::uint64_t{*first} - 192) << 8) + *second + 192;
      } else if (*first == 255) {
        auto four = reader.u32();
        if (!four) {
          return framing_error(offset, "truncated five-octet length");
        }
        length = *four;
      } else {
        // RFC 9580 §4.2.1.4: partial lengths belong to data packets only.
        return framing_error(offset,
                             "partial body length inside a certificate (RFC 9580 §4.2.1.4 allows "
                             "it only in data packets)");
      }
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

void write_packet(base::ByteWriter& writer, std::uint8_t tag, ByteView body) {
  writer.u8(static_cast<std::uint8_t>(0xC0 | (tag & 0x3F)));
  const std::size_t length = body.size();
  if (length < 192) {
    writer.u8(static_cast<std::uint8_t>(length));
  } else if (length < 8384) {
    const std::size_t adjusted = length - 192;
    writer.u8(static_cast<std::uint8_t>((adjusted >> 8) + 192));
    writer.u8(static_cast<std::uint8_t>(adjusted & 0xFF));
  } else {
    writer.u8(255);
    writer.u32(static_cast<std::uint32_t>(length));
  }
  writer.bytes(body);
}

void write_packet(base::ByteWriter& writer, PacketTag tag, ByteView body) {
  write_packet(writer, static_cast<std::uint8_t>(tag), body);
}

}  // namespace pgptls::keyring
