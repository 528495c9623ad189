#include "base/encoding.h"

#include <nettle/base16.h>
#include <nettle/base64.h>
#include <nettle/nettle-meta.h>

#include <cctype>

#include "base/errors.h"

namespace pgptls::base {
namespace {

// armor_decode: all of `text` through Nettle's decoder of `armor`
// (nettle_base16 or nettle_base64); input the decoder refuses fails with
// `error`.
Result<Bytes> armor_decode(const nettle_armor& armor, std::string_view text, Errc error) {
  union {
    base16_decode_ctx base16;
    base64_decode_ctx base64;
  } ctx;
  Bytes out(armor.decode_length(text.size()));
  armor.decode_init(&ctx);
  std::size_t written = out.size();
  if (armor.decode_update(&ctx, &written, out.data(), text.size(), text.data()) == 0 ||
      armor.decode_final(&ctx) == 0) {
    return make_error(error);
  }
  out.resize(written);
  return out;
}

}  // namespace

std::string hex_encode(ByteView data) {
  std::string out(BASE16_ENCODE_LENGTH(data.size()), '\0');
  base16_encode_update(out.data(), data.size(), data.data());
  return out;
}

std::string hex_encode_upper(ByteView data) {
  std::string out = hex_encode(data);
  for (char& c : out) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

Result<Bytes> hex_decode(std::string_view text) {
  // Nettle's decoder skips whitespace; pgptls wants exact input.
  for (const char c : text) {
    if (std::isxdigit(static_cast<unsigned char>(c)) == 0) {
      return make_error(Errc::bad_hex, "unexpected character in hex string");
    }
  }
  if (text.size() % 2 != 0) {
    return make_error(Errc::bad_hex, "hex string has an odd number of digits");
  }
  return armor_decode(nettle_base16, text, Errc::bad_hex);
}

std::string base64_encode(ByteView data) {
  std::string out(BASE64_ENCODE_RAW_LENGTH(data.size()), '\0');
  base64_encode_raw(out.data(), data.size(), data.data());
  return out;
}

Result<Bytes> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) {
    return make_error(Errc::bad_base64, "length is not a multiple of 4");
  }
  // Padding only at the end, at most two characters; no whitespace.
  const std::size_t padding_start = text.find('=');
  if (padding_start != std::string_view::npos &&
      (text.size() - padding_start > 2 ||
       text.substr(padding_start).find_first_not_of('=') != std::string_view::npos)) {
    return make_error(Errc::bad_base64, "misplaced padding");
  }
  for (const char c : text.substr(0, padding_start)) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '+' && c != '/') {
      return make_error(Errc::bad_base64, "unexpected character");
    }
  }
  PGPTLS_TRY(Bytes out, armor_decode(nettle_base64, text, Errc::bad_base64));
  // Reject non-canonical encodings (stray bits in the last character).
  if (base64_encode(out) != text) {
    return make_error(Errc::bad_base64, "non-canonical encoding");
  }
  return out;
}

}  // namespace pgptls::base
