// tls_record_fuzz.cpp: drives the sans-IO record layer with fuzz input.
//
// Input: [mode][rest...]
//   mode bit 0 clear: plaintext layer. `rest` = [chunk size][wire bytes], fed
//     in chunks of (chunk size + 1) bytes to exercise reassembly; bit 1 locks
//     the version as after ServerHello.
//   mode bit 0 set: protected layer with a fixed key of suite (mode >> 1) % 6.
//     `rest` is a list of operations [op][op >> 2 bytes]: op bit 0 set seals
//     the bytes as a record of type 20 + (op >> 1) % 4 with the peer's
//     matching writer and feeds the record; clear feeds the bytes raw.
// Invariants: no returned fragment exceeds 2^14 bytes; once next_record()
// fails it fails again with the same error; records sealed by the matching
// writer, fed to an unpoisoned reader before any raw byte, decrypt to what
// was sealed.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>

#include "base/byte_reader.h"
#include "fuzz/fuzz_require.h"
#include "tls/rfc6091/record_layer.h"
#include "tls/wire/cipher_suite.h"

namespace {

using pgptls::fuzz::require;

using pgptls::Bytes;
using pgptls::ByteView;
using pgptls::tls::ContentType;
using pgptls::tls::RecordLayer;
using pgptls::tls::RecordProtection;

// drain: reads every available record; returns false once the layer failed.
bool drain(RecordLayer& layer, std::deque<Bytes>* expected) {
  while (true) {
    auto record = layer.next_record();
    if (!record.ok()) {
      auto again = layer.next_record();
      require(!again.ok() && again.error().code == record.error().code);
      return false;
    }
    if (!record->has_value()) {
      return true;
    }
    require((*record)->fragment.size() <= pgptls::tls::kMaxPlaintextLength);
    if (expected != nullptr && (*record)->type != ContentType::change_cipher_spec) {
      require(!expected->empty());
      const Bytes& want = expected->front();
      require(want.size() == (*record)->fragment.size());
      for (std::size_t i = 0; i < want.size(); ++i) {
        require(want[i] == (*record)->fragment[i]);
      }
      expected->pop_front();
    }
  }
}

void fuzz_plaintext(std::uint8_t mode, pgptls::base::ByteReader& input) {
  RecordLayer layer;
  if ((mode & 2) != 0) {
    layer.lock_version();
  }
  auto chunk = input.u8();
  const std::size_t chunk_size = chunk.ok() ? std::size_t{*chunk} + 1 : 1;
  const ByteView wire = input.take_rest();
  for (std::size_t offset = 0; offset < wire.size(); offset += chunk_size) {
    layer.feed(wire.subspan(offset, std::min(chunk_size, wire.size() - offset)));
    if (!drain(layer, nullptr)) {
      return;
    }
  }
}

void fuzz_protected(std::uint8_t mode, pgptls::base::ByteReader& input) {
  const auto suites = pgptls::tls::supported_cipher_suites();
  const auto& suite = suites[(mode >> 1) % suites.size()];
  const Bytes key(suite.key_length, 0x5A);
  const Bytes iv(suite.fixed_iv_length, 0xA5);
  auto write = RecordProtection::create(suite, key, iv);
  auto read = RecordProtection::create(suite, key, iv);
  require(write.ok() && read.ok());

  RecordLayer writer;
  RecordLayer reader;
  writer.lock_version();
  reader.lock_version();
  reader.expect_change_cipher_spec(std::move(read).value());
  require(writer.write_change_cipher_spec(std::move(write).value()).ok());
  reader.feed(writer.pending_output());
  writer.consume_output(writer.pending_output().size());
  require(drain(reader, nullptr));

  std::deque<Bytes> expected;
  bool in_sync = true;
  while (!input.empty()) {
    const std::uint8_t op = input.u8().value();
    auto bytes = input.bytes(std::min<std::size_t>(op >> 2, input.remaining()));
    require(bytes.ok());
    if ((op & 1) != 0) {
      const ContentType record_type =
          ((op >> 1) & 1) != 0 ? ContentType::application_data : ContentType::handshake;
      if (bytes->empty() && record_type != ContentType::application_data) {
        continue;
      }
      require(writer.write(record_type, *bytes).ok());
      reader.feed(writer.pending_output());
      writer.consume_output(writer.pending_output().size());
      if (in_sync) {
        expected.emplace_back(bytes->begin(), bytes->end());
      }
    } else {
      reader.feed(*bytes);
      in_sync = in_sync && bytes->empty();
    }
    if (!drain(reader, in_sync ? &expected : nullptr)) {
      require(!in_sync);  // our own records never fail
      return;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  pgptls::base::ByteReader input(ByteView(data, size));
  auto mode = input.u8();
  if (!mode.ok()) {
    return 0;
  }
  if ((*mode & 1) == 0) {
    fuzz_plaintext(*mode, input);
  } else {
    fuzz_protected(*mode, input);
  }
  return 0;
}
