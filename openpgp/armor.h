// armor.h: OpenPGP ASCII armor (RFC 9580 §6), read and written.
//
// Usage:
//   PGPTLS_TRY(auto blocks, openpgp::decode_armor_or_binary(file_bytes));
//   for (const auto& block : blocks) { ... block.data is binary OpenPGP ... }
//   std::string text = openpgp::encode_armor("PGP PUBLIC KEY BLOCK", binary);
//
// Reading tolerates CRLF line ends, blank or stray whitespace around lines,
// text before, between and after blocks, and several blocks in one input. The
// CRC24 line is optional (RFC 9580 §6.1) but checked when present.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"

namespace pgptls::openpgp {

// ArmorBlock: one "-----BEGIN PGP <label>-----" block, decoded.
struct ArmorBlock {
  std::string label;  // e.g. "PGP PUBLIC KEY BLOCK"
  std::vector<std::pair<std::string, std::string>> headers;
  Bytes data;
};

// crc24: the RFC 9580 §6.1.1 checksum.
[[nodiscard]] std::uint32_t crc24(ByteView data);

// looks_armored: whether the input starts (after whitespace) like text rather
// than a binary OpenPGP packet (whose first octet always has bit 7 set).
[[nodiscard]] bool looks_armored(ByteView input);

// decode_armor: every armored block of the text. Fails with Errc::bad_armor
// (naming the line) on a missing END line, bad base64, or a CRC mismatch, and
// when the text holds no block at all.
[[nodiscard]] Result<std::vector<ArmorBlock>> decode_armor(std::string_view text);

// decode_armor_or_binary: binary input is returned as one block with an
// empty label; text input is decoded with decode_armor.
[[nodiscard]] Result<std::vector<ArmorBlock>> decode_armor_or_binary(ByteView input);

// encode_armor: "-----BEGIN <label>-----", base64 lines of 64 characters, a
// CRC24 line when with_crc is set, "-----END <label>-----", with LF line ends.
[[nodiscard]] std::string encode_armor(std::string_view label, ByteView data, bool with_crc = true);

}  // namespace pgptls::openpgp
