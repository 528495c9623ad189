// engine_tamper.h: rewriting the plaintext handshake records of one flight
// (a man in the middle before ChangeCipherSpec), for negative handshakes.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "base/byte_reader.h"
#include "base/byte_writer.h"
#include "tests/tls/engine_pump.h"
#include "tls/wire/messages/handshake.h"

namespace pgptls::tls::test {

using Messages = std::vector<messages::HandshakeMessage>;

// rewrite_handshake_records: reassembles the handshake records at the start
// of `bytes` (up to the first record of another type), lets `edit` change
// the messages, and writes them back as records of at most 2^14 bytes with
// the first record's version; later records are kept as they were.
// `record_size` below 2^14 splits messages across many small records.
inline void rewrite_handshake_records(Bytes& bytes, const std::function<void(Messages&)>& edit,
                                      std::size_t record_size = std::size_t{1} << 14) {
  base::ByteReader reader(bytes);
  messages::HandshakeReassembler reassembler(1 << 24);
  std::uint16_t version = 0x0303;
  bool first = true;
  std::size_t rest_offset = 0;
  while (!reader.empty()) {
    const std::size_t start = reader.offset();
    auto type = reader.u8();
    auto record_version = reader.u16();
    auto payload = reader.prefixed_bytes(base::LengthPrefix::u16);
    if (!type.ok() || !record_version.ok() || !payload.ok() || *type != 22) {
      rest_offset = start;
      break;
    }
    if (first) {
      version = *record_version;
      first = false;
    }
    (void)reassembler.add(*payload);
    rest_offset = reader.offset();
  }
  Messages list;
  while (auto message = reassembler.next()) {
    list.push_back(std::move(*message));
  }
  edit(list);
  Bytes stream;
  for (const auto& message : list) {
    const Bytes encoded = message.encoded();
    stream.insert(stream.end(), encoded.begin(), encoded.end());
  }
  base::ByteWriter writer;
  for (std::size_t offset = 0; offset < stream.size(); offset += record_size) {
    const std::size_t length = std::min(record_size, stream.size() - offset);
    writer.u8(22);
    writer.u16(version);
    writer.u16(static_cast<std::uint16_t>(length));
    writer.bytes(ByteView(stream).subspan(offset, length));
  }
  writer.bytes(ByteView(bytes).subspan(rest_offset));
  bytes = std::move(writer).finish().value();
}

// Sender: which side's flights a tamper rewrites.
enum class Sender { client, server };

// tamper_flight: a Tamper that rewrites the handshake messages of the
// `flight`-th flight (0 = first) that `sender` sends, and nothing else.
inline Tamper tamper_flight(Sender sender, int flight, std::function<void(Messages&)> edit,
                            std::size_t record_size = std::size_t{1} << 14) {
  auto seen = std::make_shared<int>(0);
  return [=](bool from_client, Bytes& bytes) {
    if (from_client != (sender == Sender::client) || (*seen)++ != flight) {
      return;
    }
    rewrite_handshake_records(bytes, edit, record_size);
  };
}

// record: one plaintext record.
inline Bytes record(std::uint8_t type, ByteView payload, std::uint16_t version = 0x0303) {
  base::ByteWriter writer;
  writer.u8(type);
  writer.u16(version);
  writer.u16(static_cast<std::uint16_t>(payload.size()));
  writer.bytes(payload);
  return std::move(writer).finish().value();
}

}  // namespace pgptls::tls::test
