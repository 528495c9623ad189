#include "openpgp/armor.h"

#include <cctype>
#include <optional>

#include "base/encoding.h"
#include "openpgp/errors.h"

namespace pgptls::openpgp {
namespace {

constexpr std::string_view kBegin = "-----BEGIN ";
constexpr std::string_view kEnd = "-----END ";
constexpr std::string_view kDashes = "-----";

std::string_view trim(std::string_view line) {
  while (!line.empty() && std::isspace(static_cast<unsigned char>(line.front())) != 0) {
    line.remove_prefix(1);
  }
  while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back())) != 0) {
    line.remove_suffix(1);
  }
  return line;
}

// Splits on LF; a CR before it is removed by trim().
std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const auto end = text.find('\n');
    if (end == std::string_view::npos) {
      lines.push_back(text);
      break;
    }
    lines.push_back(text.substr(0, end));
    text.remove_prefix(end + 1);
  }
  return lines;
}

Error armor_error(std::size_t line, std::string_view what) {
  return make_error(Errc::bad_armor,
                    "ASCII armor line " + std::to_string(line + 1) + ": " + std::string(what));
}

}  // namespace

std::uint32_t crc24(ByteView data) {
  // RFC 9580 §6.1.1: CRC-24 with generator 0x864CFB, initialised to 0xB704CE.
  std::uint32_t crc = 0xB704CE;
  for (const std::uint8_t byte : data) {
    crc ^= static_cast<std::uint32_t>(byte) << 16;
    for (int bit = 0; bit < 8; ++bit) {
      crc <<= 1;
      if ((crc & 0x1000000) != 0) {
        crc ^= 0x864CFB;
      }
    }
  }
  return crc & 0xFFFFFF;
}

bool looks_armored(ByteView input) {
  for (const std::uint8_t byte : input) {
    if (byte == ' ' || byte == '\t' || byte == '\r' || byte == '\n') {
      continue;
    }
    return (byte & 0x80) == 0;
  }
  return false;
}

Result<std::vector<ArmorBlock>> decode_armor(std::string_view text) {
  const auto lines = split_lines(text);
  std::vector<ArmorBlock> blocks;
  std::size_t i = 0;
  while (i < lines.size()) {
    const auto line = trim(lines[i]);
    if (!line.starts_with(kBegin) || !line.ends_with(kDashes) ||
        line.size() < kBegin.size() + kDashes.size()) {
      ++i;  // text outside blocks is ignored (RFC 9580 §6.2 allows it)
      continue;
    }
    ArmorBlock block;
    block.label =
        std::string(line.substr(kBegin.size(), line.size() - kBegin.size() - kDashes.size()));
    const std::size_t begin_line = i;
    ++i;
    // Armor headers: "Key: Value" lines up to the first blank line. Some
    // writers omit the blank line when there are no headers.
    std::size_t header_scan = i;
    bool has_headers = false;
    while (header_scan < lines.size()) {
      const auto h = trim(lines[header_scan]);
      if (h.empty()) {
        has_headers = true;
        break;
      }
      if (h.find(": ") == std::string_view::npos) {
        break;
      }
      ++header_scan;
    }
    if (has_headers) {
      for (; i < header_scan; ++i) {
        const auto h = trim(lines[i]);
        const auto colon = h.find(": ");
        block.headers.emplace_back(std::string(h.substr(0, colon)),
                                   std::string(h.substr(colon + 2)));
      }
      ++i;  // the blank line
    }
    std::string base64;
    std::optional<std::string> crc_text;
    bool ended = false;
    const std::string end_line = std::string(kEnd) + block.label + std::string(kDashes);
    for (; i < lines.size(); ++i) {
      const auto body = trim(lines[i]);
      if (body.empty()) {
        continue;
      }
      if (body.starts_with(kEnd)) {
        if (body != end_line) {
          return armor_error(i, "END line does not match \"" + std::string(kBegin) + block.label +
                                    "-----\"; the block is damaged or truncated");
        }
        ended = true;
        ++i;
        break;
      }
      if (crc_text) {
        return armor_error(i, "data after the CRC24 line; the block is damaged");
      }
      if (body.front() == '=' && body.size() == 5) {
        crc_text = std::string(body.substr(1));
        continue;
      }
      base64.append(body);
    }
    if (!ended) {
      return armor_error(begin_line,
                         "block \"" + block.label + "\" has no END line; the file is truncated");
    }
    auto data = base::base64_decode(base64);
    if (!data) {
      return armor_error(begin_line, "block \"" + block.label + "\" is not valid base64");
    }
    block.data = std::move(*data);
    if (crc_text) {
      auto crc_bytes = base::base64_decode(*crc_text);
      if (!crc_bytes || crc_bytes->size() != 3) {
        return armor_error(begin_line, "block \"" + block.label + "\" has a malformed CRC24 line");
      }
      const std::uint32_t expected = (std::uint32_t{(*crc_bytes)[0]} << 16) |
                                     (std::uint32_t{(*crc_bytes)[1]} << 8) | (*crc_bytes)[2];
      if (crc24(block.data) != expected) {
        return armor_error(begin_line, "block \"" + block.label +
                                           "\" fails its CRC24 check; the file was altered in "
                                           "transit, fetch it again");
      }
    }
    blocks.push_back(std::move(block));
  }
  if (blocks.empty()) {
    return make_error(Errc::bad_armor,
                      "no \"-----BEGIN PGP ...-----\" line found; the input is neither armored "
                      "OpenPGP nor binary OpenPGP");
  }
  return blocks;
}

Result<std::vector<ArmorBlock>> decode_armor_or_binary(ByteView input) {
  if (!looks_armored(input)) {
    if (input.empty()) {
      return make_error(Errc::bad_armor, "empty input; expected OpenPGP data");
    }
    std::vector<ArmorBlock> blocks(1);
    blocks[0].data = to_bytes(input);
    return blocks;
  }
  return decode_armor(std::string_view(reinterpret_cast<const char*>(input.data()), input.size()));
}

std::string encode_armor(std::string_view label, ByteView data, bool with_crc) {
  std::string out = std::string(kBegin) + std::string(label) + std::string(kDashes) + "\n\n";
  const std::string base64 = base::base64_encode(data);
  for (std::size_t pos = 0; pos < base64.size(); pos += 64) {
    out.append(base64.substr(pos, 64));
    out.push_back('\n');
  }
  if (with_crc) {
    const std::uint32_t crc = crc24(data);
    const std::uint8_t crc_bytes[3] = {static_cast<std::uint8_t>(crc >> 16),
                                       static_cast<std::uint8_t>(crc >> 8),
                                       static_cast<std::uint8_t>(crc)};
    out.push_back('=');
    out.append(base::base64_encode(crc_bytes));
    out.push_back('\n');
  }
  out.append(std::string(kEnd) + std::string(label) + std::string(kDashes) + "\n");
  return out;
}

}  // namespace pgptls::openpgp
