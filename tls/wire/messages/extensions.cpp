#include "tls/wire/messages/extensions.h"

#include <algorithm>
#include <limits>
#include <string>

#include "tls/wire/errors.h"
#include "tls/wire/messages/parse_support.h"

namespace pgptls::tls::messages {

namespace {

// finished: the writer's bytes; the encoders below only write values that
// fit their fields, so an error here is a programming error.
Bytes finished(ByteWriter&& writer) {
  auto bytes = std::move(writer).finish();
  return bytes.ok() ? std::move(bytes).value() : Bytes{};
}

Error malformed_extension(std::string_view extension, const Error& cause) {
  return malformed(std::string(extension) + " extension", cause);
}

// extension_vector: the one vector that is all of an extension's data.
Result<ByteReader> extension_vector(ByteView data, std::string_view extension, LengthPrefix prefix,
                                    std::size_t min = 0,
                                    std::size_t max = std::numeric_limits<std::size_t>::max()) {
  return sole_vector(data, std::string(extension) + " extension", prefix, min, max);
}

// extension_u16s: the uint16s of the one vector <min..max> that is all of an
// extension's data.
Result<std::vector<std::uint16_t>> extension_u16s(ByteView data, std::string_view extension,
                                                  LengthPrefix prefix, std::size_t min,
                                                  std::size_t max) {
  PGPTLS_TRY(auto list, extension_vector(data, extension, prefix, min, max));
  return read_u16s(list, std::string(extension) + " extension");
}

// u8_vector: `contents` behind a one-byte length.
Bytes u8_vector(ByteView contents) {
  ByteWriter writer;
  {
    auto vector = writer.prefixed(LengthPrefix::u8);
    writer.bytes(contents);
  }
  return finished(std::move(writer));
}

}  // namespace

Result<std::vector<Extension>> parse_extensions(ByteReader& reader) {
  PGPTLS_TRY(auto block, reader.prefixed(LengthPrefix::u16));
  std::vector<Extension> extensions;
  while (!block.empty()) {
    PGPTLS_TRY(const std::uint16_t type, block.u16());
    PGPTLS_TRY(const ByteView data, block.prefixed_bytes(LengthPrefix::u16));
    const bool duplicate = std::any_of(extensions.begin(), extensions.end(),
                                       [type](const Extension& e) { return e.type == type; });
    if (duplicate) {
      return make_error(Errc::illegal_parameter,
                        "extension " + std::to_string(type) +
                            " appears twice in one hello (RFC 5246 §7.4.1.4 forbids duplicates)");
    }
    extensions.push_back(Extension{type, to_bytes(data)});
  }
  return extensions;
}

void write_extensions(ByteWriter& writer, std::span<const Extension> extensions) {
  auto block = writer.prefixed(LengthPrefix::u16);
  for (const Extension& extension : extensions) {
    writer.u16(extension.type);
    auto data = writer.prefixed(LengthPrefix::u16);
    writer.bytes(extension.data);
  }
}

const Extension* find_extension(std::span<const Extension> extensions,
                                ExtensionType type) noexcept {
  for (const Extension& extension : extensions) {
    if (extension.type == static_cast<std::uint16_t>(type)) {
      return &extension;
    }
  }
  return nullptr;
}

Result<std::vector<CertificateType>> parse_client_cert_types(ByteView data) {
  PGPTLS_TRY(auto list, extension_vector(data, "cert_type", LengthPrefix::u8, 1));
  std::vector<CertificateType> types;
  while (!list.empty()) {
    PGPTLS_TRY(const std::uint8_t value, list.u8());
    types.push_back(static_cast<CertificateType>(value));
  }
  return types;
}

Bytes encode_client_cert_types(std::span<const CertificateType> types) {
  ByteWriter writer;
  {
    auto list = writer.prefixed(LengthPrefix::u8);
    for (const CertificateType type : types) {
      writer.u8(static_cast<std::uint8_t>(type));
    }
  }
  return finished(std::move(writer));
}

Result<CertificateType> parse_server_cert_type(ByteView data) {
  // RFC 6091 §2: the server's extension_data is a single CertificateType.
  if (data.size() != 1) {
    return make_error(Errc::decode_error, "malformed cert_type extension in ServerHello: " +
                                              std::to_string(data.size()) +
                                              " bytes, RFC 6091 §2 requires exactly one");
  }
  return static_cast<CertificateType>(data[0]);
}

Bytes encode_server_cert_type(CertificateType type) {
  return Bytes{static_cast<std::uint8_t>(type)};
}

Status check_host_name(std::string_view name) {
  // RFC 6066 §3: HostName is a fully qualified DNS host name in ASCII,
  // without a trailing dot; RFC 1123 §2.1 / RFC 952: labels of 1..63
  // letters, digits and hyphens, 253 characters in all. A NUL or any other
  // byte would let one name pass for another in later string handling.
  const auto refuse = [&](const std::string& why) {
    return make_error(Errc::illegal_parameter,
                      "server_name host_name is not a valid DNS name (RFC 6066 §3): " + why);
  };
  if (name.empty() || name.size() > 253) {
    return refuse(std::to_string(name.size()) + " characters (1..253 allowed)");
  }
  std::size_t label = 0;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const auto c = static_cast<unsigned char>(name[i]);
    if (c == '.') {
      if (label == 0) {
        return refuse("an empty label");
      }
      label = 0;
      continue;
    }
    const bool letter_digit_hyphen = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                     (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!letter_digit_hyphen) {
      return refuse("byte 0x" + std::string(1, "0123456789abcdef"[c >> 4]) +
                    std::string(1, "0123456789abcdef"[c & 15]) + " at offset " + std::to_string(i));
    }
    if (++label > 63) {
      return refuse("a label longer than 63 characters");
    }
  }
  if (label == 0) {
    return refuse("a trailing dot or an empty label");
  }
  return {};
}

Result<std::optional<std::string>> parse_server_name(ByteView data) {
  PGPTLS_TRY(auto list, extension_vector(data, "server_name", LengthPrefix::u16, 1));
  std::optional<std::string> host_name;
  while (!list.empty()) {
    auto type = list.u8();
    if (!type.ok()) {
      return malformed_extension("server_name", type.error());
    }
    auto name = list.prefixed_bytes(LengthPrefix::u16, 1);
    if (!name.ok()) {
      return malformed_extension("server_name", name.error());
    }
    if (*type != 0) {
      continue;  // RFC 6066 §3: other name types may be defined later.
    }
    if (host_name.has_value()) {
      return make_error(Errc::illegal_parameter,
                        "server_name lists two host names (RFC 6066 §3 allows one)");
    }
    std::string candidate(name->begin(), name->end());
    PGPTLS_CHECK(check_host_name(candidate));
    host_name = std::move(candidate);
  }
  return host_name;
}

Result<Bytes> encode_server_name(std::string_view host_name) {
  ByteWriter writer;
  {
    auto list = writer.prefixed(LengthPrefix::u16);
    writer.u8(0);  // host_name
    auto name = writer.prefixed(LengthPrefix::u16);
    writer.bytes(as_bytes_view(host_name));
  }
  return std::move(writer).finish();
}

Result<std::vector<std::uint16_t>> parse_u16_list(ByteView data) {
  return extension_u16s(data, "uint16 list", LengthPrefix::u16, 2, 0xFFFE);
}

Bytes encode_u16_list(std::span<const std::uint16_t> values) {
  ByteWriter writer;
  {
    auto list = writer.prefixed(LengthPrefix::u16);
    for (const std::uint16_t value : values) {
      writer.u16(value);
    }
  }
  return finished(std::move(writer));
}

Result<std::vector<std::uint8_t>> parse_point_formats(ByteView data) {
  PGPTLS_TRY(auto list, extension_vector(data, "ec_point_formats", LengthPrefix::u8, 1));
  const ByteView formats = list.take_rest();
  return std::vector<std::uint8_t>(formats.begin(), formats.end());
}

Bytes encode_point_formats(std::span<const std::uint8_t> formats) {
  return u8_vector(formats);
}

Result<Bytes> parse_renegotiation_info(ByteView data) {
  PGPTLS_TRY(auto connection, extension_vector(data, "renegotiation_info", LengthPrefix::u8));
  return to_bytes(connection.take_rest());
}

Bytes encode_renegotiation_info(ByteView renegotiated_connection) {
  return u8_vector(renegotiated_connection);
}

Result<std::vector<std::string>> parse_alpn(ByteView data) {
  PGPTLS_TRY(auto list, extension_vector(data, "application_layer_protocol_negotiation",
                                         LengthPrefix::u16, 2));
  std::vector<std::string> protocols;
  while (!list.empty()) {
    auto name = list.prefixed_bytes(LengthPrefix::u8, 1);
    if (!name.ok()) {
      return malformed_extension("application_layer_protocol_negotiation", name.error());
    }
    protocols.emplace_back(name->begin(), name->end());
  }
  return protocols;
}

Result<Bytes> encode_alpn(std::span<const std::string> protocols) {
  ByteWriter writer;
  {
    auto list = writer.prefixed(LengthPrefix::u16);
    for (const std::string& protocol : protocols) {
      if (protocol.empty()) {
        return make_error(Errc::illegal_parameter, "empty ALPN protocol name");
      }
      auto name = writer.prefixed(LengthPrefix::u8);
      writer.bytes(as_bytes_view(protocol));
    }
  }
  return std::move(writer).finish();
}

Result<std::vector<std::uint16_t>> parse_client_supported_versions(ByteView data) {
  return extension_u16s(data, "supported_versions", LengthPrefix::u8, 2, 254);
}

Status expect_empty_extension(ByteView data, std::string_view name) {
  if (!data.empty()) {
    return make_error(Errc::decode_error, "malformed " + std::string(name) +
                                              " extension: it carries no data, got " +
                                              std::to_string(data.size()) + " bytes");
  }
  return {};
}

}  // namespace pgptls::tls::messages
