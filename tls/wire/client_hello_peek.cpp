#include "tls/wire/client_hello_peek.h"

#include <algorithm>
#include <string>

#include "base/byte_reader.h"
#include "tls/wire/errors.h"

namespace pgptls::tls {
namespace {

// RFC 5246 §6.2.1 / RFC 8446 §5.1: record header and plaintext limit.
constexpr std::size_t kRecordHeaderSize = 5;
constexpr std::size_t kMaxPlaintext = std::size_t{1} << 14;
constexpr std::uint8_t kContentHandshake = 22;
constexpr std::uint8_t kHandshakeClientHello = 1;
constexpr std::uint16_t kExtensionCertType = 9;            // RFC 6091 §2
constexpr std::uint16_t kExtensionSupportedVersions = 43;  // RFC 8446 §4.2.1
constexpr std::uint8_t kCertTypeOpenPgp = 1;
constexpr std::uint16_t kTls13 = 0x0304;

Error hello_error(Errc code, const std::string& what) {
  return make_error(code, "ClientHello: " + what);
}

// ClientHello (RFC 5246 §7.4.1.2, RFC 8446 §4.1.2).
Result<ClientHelloSummary> parse_body(ByteView body) {
  base::ByteReader reader(body);
  ClientHelloSummary summary;
  PGPTLS_TRY(summary.legacy_version, reader.u16());
  PGPTLS_CHECK(reader.skip(32));  // random
  PGPTLS_TRY(const auto session_id, reader.prefixed_bytes(base::LengthPrefix::u8, 0, 32));
  PGPTLS_TRY(const auto suites, reader.prefixed_bytes(base::LengthPrefix::u16, 2, 0xFFFE));
  if (suites.size() % 2 != 0) {
    return hello_error(Errc::decode_error, "cipher_suites has an odd length");
  }
  PGPTLS_TRY(const auto compression, reader.prefixed_bytes(base::LengthPrefix::u8, 1, 255));
  (void)session_id;
  (void)compression;
  if (reader.empty()) {
    return summary;  // RFC 5246 §7.4.1.2: extensions may be absent
  }
  PGPTLS_TRY(auto extensions, reader.prefixed(base::LengthPrefix::u16));
  PGPTLS_CHECK(reader.expect_empty());
  std::vector<std::uint16_t> seen;
  while (!extensions.empty()) {
    PGPTLS_TRY(const std::uint16_t type, extensions.u16());
    PGPTLS_TRY(auto data, extensions.prefixed(base::LengthPrefix::u16));
    if (std::find(seen.begin(), seen.end(), type) != seen.end()) {
      return hello_error(Errc::illegal_parameter,
                         "extension " + std::to_string(type) + " appears twice");
    }
    seen.push_back(type);
    if (type == kExtensionCertType) {
      // RFC 6091 §2: CertificateType certificate_types<1..2^8-1> (client).
      PGPTLS_TRY(const auto types, data.prefixed_bytes(base::LengthPrefix::u8, 1, 255));
      PGPTLS_CHECK(data.expect_empty());
      summary.certificate_types.assign(types.begin(), types.end());
      summary.offers_openpgp =
          std::find(types.begin(), types.end(), kCertTypeOpenPgp) != types.end();
    } else if (type == kExtensionSupportedVersions) {
      // RFC 8446 §4.2.1: ProtocolVersion versions<2..254>.
      PGPTLS_TRY(auto versions, data.prefixed(base::LengthPrefix::u8, 2, 254));
      PGPTLS_CHECK(data.expect_empty());
      while (!versions.empty()) {
        PGPTLS_TRY(const std::uint16_t version, versions.u16());
        summary.offers_tls13 = summary.offers_tls13 || version == kTls13;
      }
    }
  }
  return summary;
}

}  // namespace

Result<ClientHelloSummary> parse_client_hello(ByteView body) {
  auto summary = parse_body(body);
  if (!summary.ok() && summary.error().context.rfind("ClientHello", 0) != 0) {
    return std::move(summary).error().wrap("ClientHello");
  }
  return summary;
}

ClientHelloPeek::ClientHelloPeek(const base::Clock& clock, bool server_has_openpgp,
                                 PeekLimits limits)
    : clock_(clock),
      server_has_openpgp_(server_has_openpgp),
      limits_(limits),
      deadline_(clock.now() + limits.timeout) {}

Status ClientHelloPeek::check_deadline() const {
  if (clock_.now() >= deadline_) {
    return make_error(Errc::timeout, "no complete ClientHello within " +
                                         std::to_string(limits_.timeout.count()) +
                                         " ms; the client is too slow or not speaking TLS");
  }
  return {};
}

Result<std::optional<DispatchDecision>> ClientHelloPeek::feed(ByteView bytes) {
  if (failure_) {
    return *failure_;
  }
  if (decided_) {
    return make_error(Errc::invalid_state,
                      "the ClientHello was already handed on; feed the chosen engine");
  }
  if (auto deadline = check_deadline(); !deadline.ok()) {
    failure_ = deadline.error();
    return *failure_;
  }
  buffered_.insert(buffered_.end(), bytes.begin(), bytes.end());
  auto result = process();
  if (!result.ok()) {
    failure_ = result.error();
  }
  return result;
}

Result<std::optional<DispatchDecision>> ClientHelloPeek::process() {
  // Reassemble the handshake stream record by record (RFC 5246 §6.2.1: a
  // handshake message may span records of any size). Only records not seen
  // before are read, so many tiny feeds cost linear time.
  while (buffered_.size() - record_offset_ >= kRecordHeaderSize) {
    base::ByteReader record(ByteView(buffered_).subspan(record_offset_));
    PGPTLS_TRY(const std::uint8_t content_type, record.u8());
    PGPTLS_TRY(const std::uint16_t version, record.u16());
    PGPTLS_TRY(const std::uint16_t length, record.u16());
    if (record_offset_ == 0 && (content_type & 0x80) != 0) {
      return hello_error(Errc::protocol_version,
                         "an SSL 2 style hello; the client must speak TLS 1.2 or 1.3");
    }
    if (content_type != kContentHandshake) {
      return hello_error(Errc::unexpected_message, "record of content type " +
                                                       std::to_string(content_type) +
                                                       " before the ClientHello was complete");
    }
    if ((version >> 8) != 3 || (version & 0xFF) == 0) {
      return hello_error(Errc::protocol_version, "record version " + std::to_string(version >> 8) +
                                                     "." + std::to_string(version & 0xFF) +
                                                     "; the client must speak TLS 1.2 or 1.3");
    }
    if (length == 0 || length > kMaxPlaintext) {
      // RFC 8446 §5.1: no empty handshake fragments; RFC 5246 §6.2.1: 2^14.
      return hello_error(length == 0 ? Errc::decode_error : Errc::record_overflow,
                         "record of " + std::to_string(length) + " bytes");
    }
    if (record.remaining() < length) {
      break;  // the rest of this record has not arrived
    }
    PGPTLS_TRY(const ByteView fragment, record.bytes(length));
    handshake_.insert(handshake_.end(), fragment.begin(), fragment.end());
    record_offset_ += kRecordHeaderSize + length;

    if (handshake_.size() < 4) {
      continue;
    }
    base::ByteReader header(handshake_);
    PGPTLS_TRY(const std::uint8_t type, header.u8());
    PGPTLS_TRY(const std::uint32_t message_length, header.u24());
    if (type != kHandshakeClientHello) {
      return hello_error(Errc::unexpected_message, "the first handshake message has type " +
                                                       std::to_string(type) + ", not client_hello");
    }
    if (message_length > limits_.max_client_hello_size) {
      return hello_error(Errc::record_overflow, "announces " + std::to_string(message_length) +
                                                    " bytes, over the cap of " +
                                                    std::to_string(limits_.max_client_hello_size));
    }
    const std::size_t total = 4 + std::size_t{message_length};
    if (handshake_.size() < total) {
      continue;
    }
    if (handshake_.size() > total) {
      // RFC 8446 §5.1: the ClientHello must end at a record boundary (the
      // client sends nothing else before the ServerHello).
      return hello_error(Errc::unexpected_message,
                         "handshake data after the ClientHello in the same record");
    }
    PGPTLS_TRY(ClientHelloSummary summary,
               parse_client_hello(ByteView(handshake_).subspan(4, message_length)));
    DispatchDecision decision;
    decision.engine = summary.offers_openpgp && server_has_openpgp_ ? EngineChoice::rfc6091
                                                                    : EngineChoice::gnutls;
    decision.hello = std::move(summary);
    decision.buffered = std::move(buffered_);
    buffered_.clear();
    decided_ = true;
    return std::optional<DispatchDecision>(std::move(decision));
  }
  // Not complete yet: cap what an unauthenticated peer may make us hold
  // (room for the hello in small records, not more).
  const std::size_t max_buffered = 2 * limits_.max_client_hello_size + 4096;
  if (buffered_.size() > max_buffered) {
    return hello_error(Errc::record_overflow,
                       std::to_string(buffered_.size()) +
                           " bytes read without a complete ClientHello (cap " +
                           std::to_string(max_buffered) + ")");
  }
  return std::optional<DispatchDecision>();
}

}  // namespace pgptls::tls
