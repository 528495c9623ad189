#include "tls/rfc6091/record_layer.h"

#include <algorithm>
#include <string>

#include "base/byte_reader.h"
#include "base/byte_writer.h"

namespace pgptls::tls {
namespace {

std::string type_context(ContentType type) {
  return std::string(content_type_name(type)) + " record";
}

}  // namespace

void RecordLayer::feed(ByteView bytes) {
  // Records already returned may move now (views handed out before are
  // invalid, as the header says).
  input_.append(bytes);
}

Result<std::optional<RecordView>> RecordLayer::next_record() {
  if (read_failure_) {
    return *read_failure_;
  }
  auto result = parse_next();
  if (!result.ok()) {
    read_failure_ = result.error();
  }
  return result;
}

Result<std::optional<RecordView>> RecordLayer::parse_next() {
  const ByteView input = input_.view();
  const bool protected_record = read_.has_value();
  const auto rule = version_locked_ || protected_record ? RecordVersionRule::tls12_only
                                                        : RecordVersionRule::any_tls;
  PGPTLS_TRY(const auto header,
             read_record_header(input, rule,
                                protected_record ? kMaxCiphertextLength : kMaxPlaintextLength));
  if (!header) {
    return std::optional<RecordView>{};
  }
  const ContentType type = header->type;
  const std::uint16_t version = header->version;
  const std::uint16_t length = header->length;
  base::ByteReader reader(input.subspan(kRecordHeaderLength));
  auto body = reader.bytes(length);
  if (!body.ok()) {
    return std::optional<RecordView>{};  // wait for the rest of the record
  }
  // Decrypt inside the input buffer: the body is ours until the next feed().
  const std::span<std::uint8_t> in_place =
      input_.mutable_view().subspan(kRecordHeaderLength, length);
  input_.consume(kRecordHeaderLength + length);

  RecordView record{type, version, *body};
  if (protected_record) {
    PGPTLS_TRY(record.fragment, read_->open_in_place(type, in_place));
  }
  // RFC 5246 §6.2.1: zero-length fragments are only allowed for
  // application data.
  if (record.fragment.empty() && type != ContentType::application_data) {
    return make_error(Errc::decode_error, "empty " + type_context(type));
  }
  if (type == ContentType::change_cipher_spec) {
    // RFC 5246 §7.1: the message is the single byte 1.
    if (record.fragment.size() != 1 || record.fragment[0] != 1) {
      return make_error(Errc::decode_error, "ChangeCipherSpec must be the single byte 1");
    }
    if (!pending_read_) {
      return make_error(Errc::unexpected_message, "ChangeCipherSpec before the keys are agreed");
    }
    read_ = std::move(pending_read_);
    pending_read_.reset();
  }
  return std::optional<RecordView>{record};
}

Status RecordLayer::write_one(ContentType type, ByteView fragment, Bytes& out) {
  const std::size_t start = out.size();
  const std::uint16_t version = version_locked_ || write_ ? kTls12 : kTls10;
  const std::size_t wire_length = write_ ? write_->sealed_length(fragment.size()) : fragment.size();
  // RFC 5246 §6.2.1: type(1) version(2) length(2); the length is at most
  // 2^14 + 256 (write() splits at 2^14).
  base::ByteWriter header;
  header.u8(static_cast<std::uint8_t>(type));
  header.u16(version);
  header.u16(static_cast<std::uint16_t>(wire_length));
  PGPTLS_TRY(const Bytes encoded, std::move(header).finish());
  out.insert(out.end(), encoded.begin(), encoded.end());
  if (!write_) {
    out.insert(out.end(), fragment.begin(), fragment.end());
    return {};
  }
  auto sealed = write_->seal(type, fragment, out);
  if (!sealed.ok()) {
    out.resize(start);
    return sealed;
  }
  return {};
}

Status RecordLayer::write(ContentType type, ByteView data) {
  if (write_failure_) {
    return *write_failure_;
  }
  if (data.empty()) {
    if (type != ContentType::application_data) {
      return make_error(Errc::invalid_state, "empty " + type_context(type) + " may not be sent");
    }
    return write_one(type, data, output_.back_buffer());
  }
  // Records are sealed straight into the output queue.
  Bytes& out = output_.back_buffer();
  const std::size_t start = out.size();
  if (write_) {
    const std::size_t records = (data.size() + kMaxPlaintextLength - 1) / kMaxPlaintextLength;
    // Refuse the whole write up front rather than send part of it: a
    // sequence number must never wrap (RFC 5246 §6.1).
    if (write_->remaining_records() < records) {
      return make_error(Errc::internal_error,
                        "TLS record sequence numbers exhausted; close the connection and "
                        "reconnect");
    }
    out.reserve(start + data.size() + records * (kRecordHeaderLength + write_->sealed_length(0)));
  }
  for (std::size_t offset = 0; offset < data.size(); offset += kMaxPlaintextLength) {
    const ByteView fragment =
        data.subspan(offset, std::min(kMaxPlaintextLength, data.size() - offset));
    auto written = write_one(type, fragment, out);
    if (!written.ok()) {
      // Records already sealed used up sequence numbers; dropping them
      // leaves a gap the peer cannot cross, so the write side is finished.
      out.resize(start);
      if (write_) {
        write_failure_ = written.error();
      }
      return written;
    }
  }
  return {};
}

Status RecordLayer::write_alert(AlertLevel level, AlertDescription description) {
  const std::uint8_t alert[2] = {static_cast<std::uint8_t>(level),
                                 static_cast<std::uint8_t>(description)};
  return write(ContentType::alert, alert);
}

Status RecordLayer::write_change_cipher_spec(RecordProtection next) {
  const std::uint8_t message[1] = {1};
  PGPTLS_CHECK(write(ContentType::change_cipher_spec, message));
  write_.emplace(std::move(next));
  return {};
}

}  // namespace pgptls::tls
