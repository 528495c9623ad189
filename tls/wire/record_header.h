// record_header.h: the TLS record header (RFC 5246 §6.2.1) and its limits,
// the one rule every record pgptls reads obeys: the RFC 6091 engine's record
// layer and the server's ClientHello peek both read records through it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "base/bytes.h"
#include "base/result.h"
#include "tls/wire/content_type.h"

namespace pgptls::tls {

// The largest plaintext and protected fragments (RFC 5246 §6.2.1, §6.2.3).
inline constexpr std::size_t kMaxPlaintextLength = std::size_t{1} << 14;
inline constexpr std::size_t kMaxCiphertextLength = kMaxPlaintextLength + 256;

inline constexpr std::size_t kRecordHeaderLength = 5;

// RecordHeader: type(1) version(2) length(2) of one record (RFC 5246 §6.2.1).
struct RecordHeader {
  ContentType type = ContentType::handshake;
  std::uint16_t version = 0;
  std::uint16_t length = 0;
};

// RecordVersionRule: which record versions are acceptable. Before the
// ServerHello fixed the version (RFC 5246 Appendix E.1) any {03,XX} is; after
// it only {03,03}.
enum class RecordVersionRule : std::uint8_t { any_tls, tls12_only };

// read_record_header: the header at the start of `input` (nullopt when fewer
// than 5 bytes are there), judged by the rules every record of pgptls obeys,
// field by field, so a bad record is refused before its body arrives:
//   * unknown content type                  -> Errc::unexpected_message
//   * version not {03,XX} (any_tls) or not {03,03} (tls12_only)
//                                           -> Errc::protocol_version
//   * length over `max_length`              -> Errc::record_overflow
// The dispatcher's ClientHello peek and RecordLayer both read records
// through it.
[[nodiscard]] Result<std::optional<RecordHeader>> read_record_header(ByteView input,
                                                                     RecordVersionRule rule,
                                                                     std::size_t max_length);

}  // namespace pgptls::tls
