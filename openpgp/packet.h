// packet.h: OpenPGP packet framing (RFC 9580 §4.2, RFC 4880 §4.2).
//
// Usage:
//   PGPTLS_TRY(auto packets, openpgp::split_packets(binary, policy_limits));
//   for (const RawPacket& p : packets) { switch (p.tag) { ... } }
//   openpgp::write_packet(writer, PacketTag::user_id, body);
//
// Both header formats and every length encoding are read. Partial body
// lengths (RFC 9580 §4.2.1.4) are rejected: they are only allowed in data
// packets, never inside a certificate. Each packet is capped in size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "base/byte_writer.h"
#include "base/bytes.h"
#include "base/result.h"

namespace pgptls::openpgp {

// PacketTag: the packet types a certificate may hold (RFC 9580 §5).
enum class PacketTag : std::uint8_t {
  signature = 2,
  secret_key = 5,
  public_key = 6,
  secret_subkey = 7,
  marker = 10,
  trust = 12,
  user_id = 13,
  public_subkey = 14,
  user_attribute = 17,
  padding = 21,
};

// RawPacket: one framed packet; body views the input.
struct RawPacket {
  std::uint8_t tag = 0;
  ByteView body;
  std::size_t offset = 0;  // offset of the header in the input
};

// kDefaultMaxPacketSize: a certificate packet bigger than this is refused.
inline constexpr std::size_t kDefaultMaxPacketSize = 1U << 20;

// split_packets: frames every packet of the input. Fails with
// Errc::malformed_packet naming the offset on a bad header, a truncated
// body, a partial length, or a packet larger than max_packet_size.
[[nodiscard]] Result<std::vector<RawPacket>> split_packets(
    ByteView input, std::size_t max_packet_size = kDefaultMaxPacketSize);

// LengthRule: where an OpenPGP new-format length stands. In a packet header
// (RFC 9580 §4.2.1) a first octet of 224..254 is a partial body length,
// which pgptls refuses (§4.2.1.4: data packets only); in a signature
// subpacket (§5.2.3.7) there are no partial lengths and 192..254 start a
// two-octet length.
enum class LengthRule : std::uint8_t { packet, subpacket };

// read_length: one new-format length: one octet below 192, two octets
// ((first - 192) << 8) + second + 192, or 255 and four octets. Fails with
// Errc::malformed_packet naming what was truncated, or a partial length.
[[nodiscard]] Result<std::uint32_t> read_length(base::ByteReader& reader, LengthRule rule);

// write_length: the shortest new-format length for `length` (RFC 9580
// §4.2.1.1-3).
void write_length(base::ByteWriter& writer, std::size_t length);

// write_packet: appends a new-format packet (RFC 9580 §4.2.1).
void write_packet(base::ByteWriter& writer, PacketTag tag, ByteView body);
void write_packet(base::ByteWriter& writer, std::uint8_t tag, ByteView body);

}  // namespace pgptls::openpgp
