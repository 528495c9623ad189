// record_layer.h: sans-IO TLS 1.2 record framing (RFC 5246 §6.2): network
// bytes in, whole records out; records to send, fragmented at 2^14, into an
// output buffer. Protection switches at ChangeCipherSpec.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "base/byte_queue.h"
#include "base/bytes.h"
#include "base/result.h"
#include "tls/crypto/record_protection.h"
#include "tls/wire/content_type.h"
#include "tls/wire/errors.h"
#include "tls/wire/record_header.h"

namespace pgptls::tls {

// RecordView: one received record, decrypted. `fragment` stays valid until
// the next call of feed() or next_record().
struct RecordView {
  ContentType type = ContentType::handshake;
  std::uint16_t version = 0;
  ByteView fragment;
};

// RecordLayer: the record layer of one connection.
//
// Reading: feed() buffers bytes; next_record() returns the next whole record
// (nullopt: feed more), checked strictly:
//   * unknown content type            -> Errc::unexpected_message
//   * version other than {03,XX} (RFC 5246 Appendix E.1: a server accepts
//     any {03,XX} in the records before the ServerHello; RFC 8446 §5.1:
//     legacy_record_version is ignored), or other than 0x0303 once
//     lock_version() was called or protection is on
//                                    -> Errc::protocol_version
//   * plaintext record > 2^14, protected record > 2^14 + 256, or decrypted
//     plaintext > 2^14                -> Errc::record_overflow (checked on the
//     header, before waiting for the body)
//   * AEAD failure                    -> Errc::bad_record_mac
//   * empty handshake, alert or ChangeCipherSpec fragment, ChangeCipherSpec
//     other than the single byte 1    -> Errc::decode_error
//   * ChangeCipherSpec while no read protection is pending
//                                     -> Errc::unexpected_message
// A ChangeCipherSpec record is returned to the caller *after* the pending
// read protection took effect, so the very next record is decrypted with it.
// The first error poisons the reader: every later next_record() repeats it.
//
// Writing: write() splits data into records of at most 2^14 bytes, protects
// them when write protection is on, and appends them to the output that
// pending_output()/consume_output() hand to the transport.
//
// Usage in a handshake (client side):
//   RecordLayer records;
//   PGPTLS_CHECK(records.write(ContentType::handshake, client_hello));  // record version 0x0301
//   records.feed(bytes_from_network);
//   while (true) { PGPTLS_TRY(auto record, records.next_record()); if (!record) break; ... }
//   records.lock_version();                                   // after ServerHello
//   PGPTLS_CHECK(records.write_change_cipher_spec(std::move(client_write)));
//   records.expect_change_cipher_spec(std::move(server_read));
class RecordLayer {
 public:
  RecordLayer() = default;
  RecordLayer(RecordLayer&&) noexcept = default;
  RecordLayer& operator=(RecordLayer&&) noexcept = default;

  // feed: appends bytes received from the network (no parsing yet).
  void feed(ByteView bytes);

  // next_record: the next whole record, or nullopt when more input is
  // needed. See the class comment for the errors.
  [[nodiscard]] Result<std::optional<RecordView>> next_record();

  // buffered_input: bytes fed but not yet returned as records.
  [[nodiscard]] std::size_t buffered_input() const { return input_.size(); }

  // lock_version: from now on every received record must say 0x0303, and
  // records are sent with 0x0303 (RFC 5246 Appendix E.1: before ServerHello
  // a client may use {03,01} in the ClientHello record).
  void lock_version() { version_locked_ = true; }

  // write: appends `data` as records of `type`, at most 2^14 plaintext bytes
  // each. Empty data makes one empty record for application_data and is
  // refused (Errc::invalid_state) for the other types (RFC 5246 §6.2.1).
  // Fails as RecordProtection::seal; the output is unchanged on failure.
  // A write that needs more sequence numbers than remain is refused whole;
  // any other sealing failure ends the write side (later writes repeat it).
  [[nodiscard]] Status write(ContentType type, ByteView data);

  // write_alert: one alert record (RFC 5246 §7.2).
  [[nodiscard]] Status write_alert(AlertLevel level, AlertDescription description);

  // write_change_cipher_spec: sends ChangeCipherSpec under the current
  // protection, then protects every later record with `next`.
  [[nodiscard]] Status write_change_cipher_spec(RecordProtection next);

  // expect_change_cipher_spec: the read protection that takes effect when the
  // peer's ChangeCipherSpec arrives.
  void expect_change_cipher_spec(RecordProtection next) { pending_read_.emplace(std::move(next)); }

  [[nodiscard]] bool read_protected() const { return read_.has_value(); }
  [[nodiscard]] bool change_cipher_spec_expected() const { return pending_read_.has_value(); }

  // pending_output / consume_output: bytes to send, and how many were sent.
  [[nodiscard]] ByteView pending_output() const { return output_.view(); }
  void consume_output(std::size_t count) { output_.consume(count); }

 private:
  [[nodiscard]] Result<std::optional<RecordView>> parse_next();
  [[nodiscard]] Status write_one(ContentType type, ByteView fragment, Bytes& out);

  base::ByteQueue input_;
  base::ByteQueue output_;
  std::optional<RecordProtection> read_;
  std::optional<RecordProtection> pending_read_;
  std::optional<RecordProtection> write_;
  bool version_locked_ = false;
  std::optional<Error> read_failure_;
  std::optional<Error> write_failure_;
};

}  // namespace pgptls::tls
