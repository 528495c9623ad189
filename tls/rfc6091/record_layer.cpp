#include "tls/rfc6091/record_layer.h"

#include <algorithm>
#include <string>

#include "base/byte_reader.h"
#include "base/encoding.h"

namespace pgptls::tls {
namespace {

std::string type_context(ContentType type) {
  return std::string(content_type_name(type)) + " record";
}

std::string version_text(std::uint16_t version) {
  const std::uint8_t bytes[2] = {static_cast<std::uint8_t>(version >> 8),
                                 static_cast<std::uint8_t>(version & 0xFF)};
  return "0x" + base::hex_encode(bytes);
}

}  // namespace

void RecordLayer::feed(ByteView bytes) {
  // Drop what was already returned, so the buffer holds at most one partial
  // record plus the new bytes. (Views handed out before are invalid now, as
  // the header says.)
  if (input_start_ != 0) {
    input_.erase(input_.begin(), input_.begin() + static_cast<std::ptrdiff_t>(input_start_));
    input_start_ = 0;
  }
  input_.insert(input_.end(), bytes.begin(), bytes.end());
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
  base::ByteReader reader(ByteView(input_).subspan(input_start_));
  if (reader.remaining() < kRecordHeaderLength) {
    return std::optional<RecordView>{};
  }
  // RFC 5246 §6.2.1: type(1) version(2) length(2) fragment. Each header field
  // is judged as soon as it is known, so an oversized or garbage record is
  // refused without waiting for its body.
  PGPTLS_TRY(const std::uint8_t type_byte, reader.u8());
  PGPTLS_TRY(const std::uint16_t version, reader.u16());
  PGPTLS_TRY(const std::uint16_t length, reader.u16());
  if (!is_known_content_type(type_byte)) {
    // RFC 5246 §6: an unexpected record type gets unexpected_message.
    return make_error(Errc::unexpected_message,
                      "record of unknown content type " + std::to_string(type_byte) +
                          " (the peer does not speak TLS, or the stream is out of sync)");
  }
  const auto type = static_cast<ContentType>(type_byte);
  const bool protected_record = read_.has_value();
  // RFC 5246 Appendix E.1: before ServerHello a record may say {03,00} to
  // {03,03}; TLS 1.3 keeps {03,03} in its records, so {03,04} and above are
  // never valid.
  if ((version >> 8) != 3 || (version & 0xFF) > 3 ||
      ((version_locked_ || protected_record) && version != kTls12)) {
    return make_error(Errc::protocol_version, type_context(type) + " with version " +
                                                  version_text(version) +
                                                  " where TLS 1.2 (0x0303) is required");
  }
  const std::size_t limit = protected_record ? kMaxCiphertextLength : kMaxPlaintextLength;
  if (length > limit) {
    return make_error(Errc::record_overflow, type_context(type) + " of " + std::to_string(length) +
                                                 " bytes exceeds the limit of " +
                                                 std::to_string(limit) + " (RFC 5246 §6.2)");
  }
  auto body = reader.bytes(length);
  if (!body.ok()) {
    return std::optional<RecordView>{};  // wait for the rest of the record
  }
  input_start_ += kRecordHeaderLength + length;

  RecordView record{type, version, *body};
  if (protected_record) {
    // Decrypt inside the input buffer: the body is ours until the next feed().
    const std::size_t body_start = input_start_ - length;
    PGPTLS_TRY(record.fragment, read_->open_in_place(type, std::span<std::uint8_t>(input_).subspan(
                                                               body_start, length)));
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

Status RecordLayer::write_one(ContentType type, ByteView fragment) {
  const std::size_t start = output_.size();
  const std::uint16_t version = version_locked_ || write_ ? kTls12 : kTls10;
  const std::size_t wire_length = write_ ? write_->sealed_length(fragment.size()) : fragment.size();
  output_.push_back(static_cast<std::uint8_t>(type));
  output_.push_back(static_cast<std::uint8_t>(version >> 8));
  output_.push_back(static_cast<std::uint8_t>(version & 0xFF));
  output_.push_back(static_cast<std::uint8_t>(wire_length >> 8));
  output_.push_back(static_cast<std::uint8_t>(wire_length & 0xFF));
  if (!write_) {
    output_.insert(output_.end(), fragment.begin(), fragment.end());
    return {};
  }
  auto sealed = write_->seal(type, fragment, output_);
  if (!sealed.ok()) {
    output_.resize(start);
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
    return write_one(type, data);
  }
  const std::size_t start = output_.size();
  if (write_) {
    const std::size_t records = (data.size() + kMaxPlaintextLength - 1) / kMaxPlaintextLength;
    // Refuse the whole write up front rather than send part of it: a
    // sequence number must never wrap (RFC 5246 §6.1).
    if (write_->remaining_records() < records) {
      return make_error(Errc::internal_error,
                        "TLS record sequence numbers exhausted; close the connection and "
                        "reconnect");
    }
    output_.reserve(start + data.size() +
                    records * (kRecordHeaderLength + write_->sealed_length(0)));
  }
  for (std::size_t offset = 0; offset < data.size(); offset += kMaxPlaintextLength) {
    const ByteView fragment =
        data.subspan(offset, std::min(kMaxPlaintextLength, data.size() - offset));
    auto written = write_one(type, fragment);
    if (!written.ok()) {
      // Records already sealed used up sequence numbers; dropping them
      // leaves a gap the peer cannot cross, so the write side is finished.
      output_.resize(start);
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

void RecordLayer::consume_output(std::size_t count) {
  output_start_ += std::min(count, output_.size() - output_start_);
  if (output_start_ == output_.size()) {
    output_.clear();
    output_start_ = 0;
  }
}

}  // namespace pgptls::tls
