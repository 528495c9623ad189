// extensions.h: the hello extension block (RFC 5246 §7.4.1.4) and typed
// codecs for the extensions pgptls speaks. Each parse_* function reads one
// extension's data and fails with decode_error on malformed data; each
// encode_* function writes the data pgptls sends.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/byte_reader.h"
#include "base/byte_writer.h"
#include "base/bytes.h"
#include "base/result.h"
#include "tls/wire/certificate_type.h"
#include "tls/wire/messages/types.h"

namespace pgptls::tls::messages {

// parse_extensions: reads the extensions<0..2^16-1> vector. An extension
// type that appears twice is refused (RFC 5246 §7.4.1.4: "There MUST NOT be
// more than one extension of the same type"), with illegal_parameter.
[[nodiscard]] Result<std::vector<Extension>> parse_extensions(base::ByteReader& reader);

// write_extensions: the extensions vector with its uint16 length.
void write_extensions(base::ByteWriter& writer, std::span<const Extension> extensions);

// find_extension: the extension of that type, or nullptr.
[[nodiscard]] const Extension* find_extension(std::span<const Extension> extensions,
                                              ExtensionType type) noexcept;

// cert_type (RFC 6091 §2): the client lists the types it can use in
// preference order (a one-byte-length vector); the server answers with one.
[[nodiscard]] Result<std::vector<CertificateType>> parse_client_cert_types(ByteView data);
[[nodiscard]] Bytes encode_client_cert_types(std::span<const CertificateType> types);
[[nodiscard]] Result<CertificateType> parse_server_cert_type(ByteView data);
[[nodiscard]] Bytes encode_server_cert_type(CertificateType type);

// server_name (RFC 6066 §3): the client sends one host_name; the server
// answers with empty data. Names of unknown types are skipped; a second
// host_name is refused.
[[nodiscard]] Result<std::optional<std::string>> parse_server_name(ByteView data);
[[nodiscard]] Result<Bytes> encode_server_name(std::string_view host_name);

// supported_groups (RFC 8422 §5.1.1) and signature_algorithms
// (RFC 5246 §7.4.1.4.1): a uint16 list <2..2^16-2>.
[[nodiscard]] Result<std::vector<std::uint16_t>> parse_u16_list(ByteView data);
[[nodiscard]] Bytes encode_u16_list(std::span<const std::uint16_t> values);

// ec_point_formats (RFC 8422 §5.1.2): a uint8 list <1..2^8-1>.
[[nodiscard]] Result<std::vector<std::uint8_t>> parse_point_formats(ByteView data);
[[nodiscard]] Bytes encode_point_formats(std::span<const std::uint8_t> formats);
inline constexpr std::uint8_t kPointFormatUncompressed = 0;

// renegotiation_info (RFC 5746 §3.2): renegotiated_connection<0..255>.
// Returns the renegotiated_connection field (empty on an initial handshake).
[[nodiscard]] Result<Bytes> parse_renegotiation_info(ByteView data);
[[nodiscard]] Bytes encode_renegotiation_info(ByteView renegotiated_connection);

// ALPN (RFC 7301 §3.1): ProtocolNameList<2..2^16-1> of names <1..2^8-1>.
// The server's answer must hold exactly one name.
[[nodiscard]] Result<std::vector<std::string>> parse_alpn(ByteView data);
[[nodiscard]] Result<Bytes> encode_alpn(std::span<const std::string> protocols);

// supported_versions in a ClientHello (RFC 8446 §4.2.1):
// versions<2..254> of uint16.
[[nodiscard]] Result<std::vector<std::uint16_t>> parse_client_supported_versions(ByteView data);

// expect_empty_extension: extended_master_secret (RFC 7627 §5.1) and the
// server's server_name carry no data.
[[nodiscard]] Status expect_empty_extension(ByteView data, std::string_view name);

}  // namespace pgptls::tls::messages
