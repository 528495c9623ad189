#include "tls/wire/messages/extensions.h"

#include <algorithm>
#include <string>

#include "tls/wire/errors.h"

namespace pgptls::tls::messages {

namespace {

using base::ByteReader;
using base::ByteWriter;
using base::LengthPrefix;

// finished: the writer's bytes; the encoders below only write values that
// fit their fields, so an error here is a programming error.
Bytes finished(ByteWriter&& writer) {
  auto bytes = std::move(writer).finish();
  return bytes.ok() ? std::move(bytes).value() : Bytes{};
}

Error malformed(std::string_view extension, const Error& cause) {
  return make_error(Errc::decode_error,
                    "malformed " + std::string(extension) + " extension (" + cause.message() + ")");
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
  ByteReader reader(data);
  auto list = reader.prefixed(LengthPrefix::u8, 1);
  if (!list.ok()) {
    return malformed("cert_type", list.error());
  }
  if (auto end = reader.expect_empty(); !end.ok()) {
    return malformed("cert_type", end.error());
  }
  std::vector<CertificateType> types;
  while (!list->empty()) {
    PGPTLS_TRY(const std::uint8_t value, list->u8());
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

Result<std::optional<std::string>> parse_server_name(ByteView data) {
  ByteReader reader(data);
  auto list = reader.prefixed(LengthPrefix::u16, 1);
  if (!list.ok()) {
    return malformed("server_name", list.error());
  }
  if (auto end = reader.expect_empty(); !end.ok()) {
    return malformed("server_name", end.error());
  }
  std::optional<std::string> host_name;
  while (!list->empty()) {
    auto type = list->u8();
    if (!type.ok()) {
      return malformed("server_name", type.error());
    }
    auto name = list->prefixed_bytes(LengthPrefix::u16, 1);
    if (!name.ok()) {
      return malformed("server_name", name.error());
    }
    if (*type != 0) {
      continue;  // RFC 6066 §3: other name types may be defined later.
    }
    if (host_name.has_value()) {
      return make_error(Errc::illegal_parameter,
                        "server_name lists two host names (RFC 6066 §3 allows one)");
    }
    host_name.emplace(name->begin(), name->end());
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
  ByteReader reader(data);
  auto list = reader.prefixed(LengthPrefix::u16, 2, 0xFFFE);
  if (!list.ok()) {
    return malformed("uint16 list", list.error());
  }
  if (auto end = reader.expect_empty(); !end.ok()) {
    return malformed("uint16 list", end.error());
  }
  if (list->remaining() % 2 != 0) {
    return make_error(Errc::decode_error, "uint16 list extension with an odd length");
  }
  std::vector<std::uint16_t> values;
  while (!list->empty()) {
    PGPTLS_TRY(const std::uint16_t value, list->u16());
    values.push_back(value);
  }
  return values;
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
  ByteReader reader(data);
  auto list = reader.prefixed_bytes(LengthPrefix::u8, 1);
  if (!list.ok()) {
    return malformed("ec_point_formats", list.error());
  }
  if (auto end = reader.expect_empty(); !end.ok()) {
    return malformed("ec_point_formats", end.error());
  }
  return std::vector<std::uint8_t>(list->begin(), list->end());
}

Bytes encode_point_formats(std::span<const std::uint8_t> formats) {
  ByteWriter writer;
  {
    auto list = writer.prefixed(LengthPrefix::u8);
    writer.bytes(formats);
  }
  return finished(std::move(writer));
}

Result<Bytes> parse_renegotiation_info(ByteView data) {
  ByteReader reader(data);
  auto connection = reader.prefixed_bytes(LengthPrefix::u8);
  if (!connection.ok()) {
    return malformed("renegotiation_info", connection.error());
  }
  if (auto end = reader.expect_empty(); !end.ok()) {
    return malformed("renegotiation_info", end.error());
  }
  return to_bytes(*connection);
}

Bytes encode_renegotiation_info(ByteView renegotiated_connection) {
  ByteWriter writer;
  {
    auto field = writer.prefixed(LengthPrefix::u8);
    writer.bytes(renegotiated_connection);
  }
  return finished(std::move(writer));
}

Result<std::vector<std::string>> parse_alpn(ByteView data) {
  ByteReader reader(data);
  auto list = reader.prefixed(LengthPrefix::u16, 2);
  if (!list.ok()) {
    return malformed("application_layer_protocol_negotiation", list.error());
  }
  if (auto end = reader.expect_empty(); !end.ok()) {
    return malformed("application_layer_protocol_negotiation", end.error());
  }
  std::vector<std::string> protocols;
  while (!list->empty()) {
    auto name = list->prefixed_bytes(LengthPrefix::u8, 1);
    if (!name.ok()) {
      return malformed("application_layer_protocol_negotiation", name.error());
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
  ByteReader reader(data);
  auto list = reader.prefixed(LengthPrefix::u8, 2, 254);
  if (!list.ok()) {
    return malformed("supported_versions", list.error());
  }
  if (auto end = reader.expect_empty(); !end.ok()) {
    return malformed("supported_versions", end.error());
  }
  if (list->remaining() % 2 != 0) {
    return make_error(Errc::decode_error, "supported_versions extension with an odd length");
  }
  std::vector<std::uint16_t> versions;
  while (!list->empty()) {
    PGPTLS_TRY(const std::uint16_t version, list->u16());
    versions.push_back(version);
  }
  return versions;
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
