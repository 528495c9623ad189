#include "keyring/keyring_store_cert.h"

#include <gnutls/crypto.h>

#include <algorithm>
#include <optional>
#include <utility>

#include "base/byte_reader.h"
#include "base/encoding.h"
#include "keyring/errors.h"

namespace pgptls::keyring {
namespace {

// Packet tags (RFC 9580 §5).
constexpr std::uint8_t kSignature = 2;
constexpr std::uint8_t kSecretKey = 5;
constexpr std::uint8_t kPublicKey = 6;
constexpr std::uint8_t kSecretSubkey = 7;
constexpr std::uint8_t kMarker = 10;
constexpr std::uint8_t kTrust = 12;
constexpr std::uint8_t kUserId = 13;
constexpr std::uint8_t kPublicSubkey = 14;
constexpr std::uint8_t kUserAttribute = 17;

std::string at(std::size_t offset) {
  return " at offset " + std::to_string(offset);
}

// ---- ASCII armor (RFC 9580 §6) --------------------------------------------

// crc24: RFC 9580 §6.1.1.
std::uint32_t crc24(ByteView data) {
  std::uint32_t crc = 0xB704CE;
  for (const std::uint8_t byte : data) {
    crc ^= static_cast<std::uint32_t>(byte) << 16;
    for (int bit = 0; bit < 8; ++bit) {
      crc <<= 1;
      if ((crc & 0x1000000) != 0) {
        crc ^= 0x1864CFB;
      }
    }
  }
  return crc & 0xFFFFFF;
}

std::string_view trim_right(std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
    line.remove_suffix(1);
  }
  return line;
}

// ArmorBlock: the decoded bytes of one armor block.
struct ArmorBlock {
  std::string label;
  Bytes data;
};

Result<std::vector<ArmorBlock>> dearmor(std::string_view text) {
  constexpr std::string_view kBegin = "-----BEGIN PGP ";
  constexpr std::string_view kEnd = "-----END PGP ";
  constexpr std::string_view kDashes = "-----";
  std::vector<ArmorBlock> blocks;
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    lines.push_back(trim_right(text.substr(start, end - start)));
    start = end + 1;
  }
  std::size_t i = 0;
  while (i < lines.size()) {
    const std::string_view line = lines[i++];
    if (!line.starts_with(kBegin) || !line.ends_with(kDashes) ||
        line.size() < kBegin.size() + kDashes.size()) {
      continue;  // text around armor blocks is allowed and ignored
    }
    ArmorBlock block;
    block.label =
        std::string(line.substr(kBegin.size(), line.size() - kBegin.size() - kDashes.size()));
    const std::string where =
        "armor block " + std::to_string(blocks.size() + 1) + " (" + block.label + ")";
    // Armor headers ("Key: value") end at a blank line (§6.2).
    std::size_t header_end = i;
    while (header_end < lines.size() && !lines[header_end].empty() &&
           lines[header_end].find(": ") != std::string_view::npos) {
      ++header_end;
    }
    if (header_end < lines.size() && lines[header_end].empty()) {
      ++header_end;
    }
    i = header_end;
    std::string base64;
    std::optional<std::string_view> checksum;
    bool ended = false;
    while (i < lines.size()) {
      const std::string_view data_line = lines[i++];
      if (data_line.starts_with(kEnd)) {
        if (data_line != std::string(kEnd) + block.label + std::string(kDashes)) {
          return make_error(Errc::bad_armor, where + ": ends with '" + std::string(data_line) +
                                                 "' instead of its own END line");
        }
        ended = true;
        break;
      }
      if (data_line.starts_with('=') && data_line.size() == 5) {
        checksum = data_line.substr(1);
        continue;
      }
      if (data_line.empty()) {
        continue;
      }
      base64.append(data_line);
    }
    if (!ended) {
      return make_error(Errc::bad_armor, where + ": no END line (the file is truncated?)");
    }
    auto decoded = base::base64_decode(base64);
    if (!decoded.ok()) {
      return make_error(Errc::bad_armor, where + ": the body is not valid base64");
    }
    block.data = std::move(decoded).value();
    if (checksum) {
      // RFC 9580 §6.1: the checksum is optional; when present it must match.
      auto crc_bytes = base::base64_decode(*checksum);
      if (!crc_bytes.ok() || crc_bytes->size() != 3) {
        return make_error(Errc::bad_armor, where + ": malformed checksum line");
      }
      const std::uint32_t expected = (std::uint32_t{(*crc_bytes)[0]} << 16) |
                                     (std::uint32_t{(*crc_bytes)[1]} << 8) | (*crc_bytes)[2];
      if (crc24(block.data) != expected) {
        return make_error(Errc::bad_armor,
                          where + ": CRC24 checksum mismatch (the file is damaged)");
      }
    }
    blocks.push_back(std::move(block));
  }
  if (blocks.empty()) {
    return make_error(Errc::bad_armor,
                      "no OpenPGP data: neither binary packets nor a '-----BEGIN PGP PUBLIC "
                      "KEY BLOCK-----' armor block");
  }
  return blocks;
}

// ---- Packets (RFC 9580 §4.2) ----------------------------------------------

Error refuse_secret(std::size_t offset) {
  return make_error(Errc::invalid_argument,
                    "secret key packet" + at(offset) +
                        ": a keyring holds certificates only; export the public certificate "
                        "(gpg --export) and import that");
}

Result<StoredPacket> read_packet(base::ByteReader& reader, const StoreParseLimits& limits) {
  const std::size_t offset = reader.offset();
  const ByteView start = reader.rest();
  auto first = reader.u8();
  if (!first.ok()) {
    return make_error(Errc::malformed_packet, "missing packet header" + at(offset));
  }
  const std::uint8_t ctb = *first;
  if ((ctb & 0x80) == 0) {
    return make_error(Errc::malformed_packet,
                      "byte " + std::to_string(ctb) + at(offset) + " is no packet header");
  }
  std::uint8_t tag = 0;
  std::size_t length = 0;
  const auto truncated = [&] {
    return make_error(Errc::malformed_packet, "packet header truncated" + at(offset));
  };
  if ((ctb & 0x40) != 0) {
    // New format (§4.2.1).
    tag = ctb & 0x3F;
    auto o1 = reader.u8();
    if (!o1.ok()) {
      return truncated();
    }
    if (*o1 < 192) {
      length = *o1;
    } else if (*o1 < 224) {
      auto o2 = reader.u8();
      if (!o2.ok()) {
        return truncated();
      }
      length = ((std::size_t{*o1} - 192) << 8) + *o2 + 192;
    } else if (*o1 == 255) {
      auto four = reader.u32();
      if (!four.ok()) {
        return truncated();
      }
      length = *four;
    } else {
      // §10.1: partial body lengths belong to data packets, never to the
      // packets of a certificate.
      return make_error(Errc::malformed_packet,
                        "partial body length in a certificate packet" + at(offset));
    }
  } else {
    // Legacy format (§4.2.2).
    tag = (ctb >> 2) & 0x0F;
    const int length_type = ctb & 0x03;
    Result<std::uint64_t> value = std::uint64_t{0};
    if (length_type == 0) {
      auto v = reader.u8();
      value = v.ok() ? Result<std::uint64_t>(*v) : Result<std::uint64_t>(v.error());
    } else if (length_type == 1) {
      auto v = reader.u16();
      value = v.ok() ? Result<std::uint64_t>(*v) : Result<std::uint64_t>(v.error());
    } else if (length_type == 2) {
      auto v = reader.u32();
      value = v.ok() ? Result<std::uint64_t>(*v) : Result<std::uint64_t>(v.error());
    } else {
      return make_error(Errc::malformed_packet,
                        "indeterminate length in a certificate packet" + at(offset));
    }
    if (!value.ok()) {
      return truncated();
    }
    length = static_cast<std::size_t>(*value);
  }
  if (length > limits.max_packet_size) {
    return make_error(Errc::malformed_packet,
                      "packet" + at(offset) + " is " + std::to_string(length) +
                          " bytes, over the limit of " + std::to_string(limits.max_packet_size));
  }
  const std::size_t header = reader.offset() - offset;
  if (reader.remaining() < length) {
    return make_error(Errc::malformed_packet, "packet" + at(offset) + " needs " +
                                                  std::to_string(length) + " bytes, only " +
                                                  std::to_string(reader.remaining()) + " left");
  }
  PGPTLS_CHECK(reader.skip(length));
  StoredPacket packet;
  packet.tag = tag;
  packet.raw = to_bytes(start.first(header + length));
  packet.header = header;
  return packet;
}

// key_identity: fingerprint and key ID of a key packet body (§5.5.4).
Result<StoredKey> key_identity(ByteView body, std::size_t offset) {
  if (body.empty()) {
    return make_error(Errc::malformed_packet, "empty key packet" + at(offset));
  }
  StoredKey key;
  key.version = body[0];
  // v4 and v6 bodies both start: version, four-octet creation time,
  // algorithm (RFC 9580 §5.5.2).
  base::ByteReader fields(body, offset);
  if (!fields.skip(1).ok()) {
    return make_error(Errc::malformed_packet, "empty key packet" + at(offset));
  }
  auto created = fields.u32();
  auto algorithm = fields.u8();
  if (!created.ok() || !algorithm.ok()) {
    return make_error(Errc::malformed_packet, "key packet too short" + at(offset));
  }
  key.created = *created;
  key.algorithm = *algorithm;
  if (key.version == 4) {
    // §5.5.4.2: SHA-1 over 0x99, a two-octet length and the body.
    if (body.size() > 0xFFFF) {
      return make_error(Errc::malformed_packet, "v4 key packet too long" + at(offset));
    }
    Bytes framed{0x99, static_cast<std::uint8_t>(body.size() >> 8),
                 static_cast<std::uint8_t>(body.size())};
    framed.insert(framed.end(), body.begin(), body.end());
    key.fingerprint.resize(20);
    gnutls_hash_fast(GNUTLS_DIG_SHA1, framed.data(), framed.size(), key.fingerprint.data());
    key.key_id.assign(key.fingerprint.end() - 8, key.fingerprint.end());
  } else if (key.version == 6) {
    // §5.5.4.3: SHA-256 over 0x9B, a four-octet length and the body.
    const auto size = static_cast<std::uint32_t>(body.size());
    Bytes framed{0x9B, static_cast<std::uint8_t>(size >> 24), static_cast<std::uint8_t>(size >> 16),
                 static_cast<std::uint8_t>(size >> 8), static_cast<std::uint8_t>(size)};
    framed.insert(framed.end(), body.begin(), body.end());
    key.fingerprint.resize(32);
    gnutls_hash_fast(GNUTLS_DIG_SHA256, framed.data(), framed.size(), key.fingerprint.data());
    key.key_id.assign(key.fingerprint.begin(), key.fingerprint.begin() + 8);
  } else {
    return make_error(Errc::unsupported_version, "version " + std::to_string(key.version) +
                                                     " key packet" + at(offset) +
                                                     " (only v4 and v6 are supported)");
  }
  return key;
}

bool same_packet(const StoredPacket& a, const StoredPacket& b) {
  return a.tag == b.tag &&
         std::equal(a.body().begin(), a.body().end(), b.body().begin(), b.body().end());
}

void merge_signatures(StoredComponent& into, const StoredComponent& from) {
  for (const StoredPacket& signature : from.signatures) {
    const bool known =
        std::any_of(into.signatures.begin(), into.signatures.end(),
                    [&](const StoredPacket& s) { return same_packet(s, signature); });
    if (!known) {
      into.signatures.push_back(signature);
    }
  }
}

void merge_components(std::vector<StoredComponent>& into,
                      const std::vector<StoredComponent>& from) {
  for (const StoredComponent& component : from) {
    const auto found = std::find_if(into.begin(), into.end(), [&](const StoredComponent& c) {
      return same_packet(c.packet, component.packet);
    });
    if (found == into.end()) {
      into.push_back(component);
    } else {
      merge_signatures(*found, component);
    }
  }
}

void append(Bytes& out, const StoredComponent& component) {
  out.insert(out.end(), component.packet.raw.begin(), component.packet.raw.end());
  for (const StoredPacket& signature : component.signatures) {
    out.insert(out.end(), signature.raw.begin(), signature.raw.end());
  }
}

}  // namespace

std::vector<StoredKey> StoredCert::component_keys() const {
  std::vector<StoredKey> keys;
  keys.reserve(1 + subkey_keys_.size());
  keys.push_back(primary_key_);
  keys.insert(keys.end(), subkey_keys_.begin(), subkey_keys_.end());
  return keys;
}

std::vector<std::string> StoredCert::user_ids() const {
  std::vector<std::string> ids;
  for (const StoredComponent& item : user_items_) {
    if (item.packet.tag == kUserId) {
      const ByteView body = item.packet.body();
      ids.emplace_back(body.begin(), body.end());
    }
  }
  return ids;
}

Bytes StoredCert::serialize() const {
  Bytes out;
  append(out, primary_);
  for (const StoredComponent& item : user_items_) {
    append(out, item);
  }
  for (const StoredComponent& subkey : subkeys_) {
    append(out, subkey);
  }
  return out;
}

std::size_t StoredCert::packet_count() const {
  std::size_t count = 1 + primary_.signatures.size();
  for (const auto& list : {&user_items_, &subkeys_}) {
    for (const StoredComponent& component : *list) {
      count += 1 + component.signatures.size();
    }
  }
  return count;
}

Result<StoredCert> StoredCert::merge(const StoredCert& base, const StoredCert& other) {
  if (base.primary_key_.fingerprint != other.primary_key_.fingerprint) {
    return make_error(Errc::invalid_argument,
                      "cannot merge certificate " +
                          base::hex_encode_upper(other.primary_key_.fingerprint) + " into " +
                          base::hex_encode_upper(base.primary_key_.fingerprint));
  }
  StoredCert merged = base;
  merge_signatures(merged.primary_, other.primary_);
  merge_components(merged.user_items_, other.user_items_);
  const std::size_t before = merged.subkeys_.size();
  merge_components(merged.subkeys_, other.subkeys_);
  for (std::size_t i = before; i < merged.subkeys_.size(); ++i) {
    // Appended subkeys come from `other`, whose identities are known.
    const auto found = std::find_if(
        other.subkeys_.begin(), other.subkeys_.end(),
        [&](const StoredComponent& c) { return same_packet(c.packet, merged.subkeys_[i].packet); });
    merged.subkey_keys_.push_back(
        other.subkey_keys_[static_cast<std::size_t>(found - other.subkeys_.begin())]);
  }
  return merged;
}

Result<std::vector<StoredCert>> parse_stored_certs(ByteView data, const StoreParseLimits& limits) {
  std::vector<StoredCert> certs;
  // Each binary run is parsed on its own; `source` names it in errors.
  const auto parse_run = [&](ByteView run, const std::string& source) -> Status {
    base::ByteReader reader(run);
    StoredCert* cert = nullptr;
    StoredComponent* current = nullptr;
    std::size_t cert_size = 0;
    std::size_t cert_packets = 0;
    while (!reader.empty()) {
      const std::size_t offset = reader.offset();
      auto packet = read_packet(reader, limits);
      if (!packet.ok()) {
        return std::move(packet).error().wrap(source);
      }
      switch (packet->tag) {
        case kMarker:
        case kTrust:
          // §5.8, §5.10: marker packets are ignored; trust packets are
          // local to the implementation that wrote them.
          continue;
        case kSecretKey:
        case kSecretSubkey:
          return refuse_secret(offset).wrap(source);
        case kPublicKey: {
          auto identity = key_identity(packet->body(), offset);
          if (!identity.ok()) {
            return std::move(identity).error().wrap(source);
          }
          certs.emplace_back();
          cert = &certs.back();
          cert->primary_.packet = std::move(packet).value();
          cert->primary_key_ = std::move(identity).value();
          current = &cert->primary_;
          cert_size = 0;
          cert_packets = 0;
          break;
        }
        case kPublicSubkey:
        case kUserId:
        case kUserAttribute:
        case kSignature: {
          if (cert == nullptr) {
            return make_error(Errc::malformed_certificate,
                              "packet with tag " + std::to_string(packet->tag) + at(offset) +
                                  " before any primary key")
                .wrap(source);
          }
          if (packet->tag == kSignature) {
            current->signatures.push_back(std::move(packet).value());
          } else if (packet->tag == kPublicSubkey) {
            auto identity = key_identity(packet->body(), offset);
            if (!identity.ok()) {
              return std::move(identity).error().wrap(source);
            }
            cert->subkeys_.push_back({std::move(packet).value(), {}});
            cert->subkey_keys_.push_back(std::move(identity).value());
            current = &cert->subkeys_.back();
          } else {
            // §10.1: user IDs and attributes come before the subkeys.
            if (!cert->subkeys_.empty()) {
              return make_error(Errc::malformed_certificate,
                                "user ID or attribute" + at(offset) + " after a subkey")
                  .wrap(source);
            }
            cert->user_items_.push_back({std::move(packet).value(), {}});
            current = &cert->user_items_.back();
          }
          break;
        }
        default:
          return make_error(Errc::malformed_certificate,
                            "packet with tag " + std::to_string(packet->tag) + at(offset) +
                                " does not belong in a certificate")
              .wrap(source);
      }
      cert_size += reader.offset() - offset;
      ++cert_packets;
      if (cert_size > limits.max_certificate_size ||
          cert_packets > limits.max_packets_per_certificate) {
        return make_error(Errc::malformed_certificate,
                          "certificate " + base::hex_encode_upper(cert->fingerprint()) +
                              " is larger than the limit of " +
                              std::to_string(limits.max_certificate_size) + " bytes or " +
                              std::to_string(limits.max_packets_per_certificate) + " packets")
            .wrap(source);
      }
    }
    return {};
  };

  if (!data.empty() && (data[0] & 0x80) != 0) {
    PGPTLS_CHECK(parse_run(data, "binary data"));
    return certs;
  }
  const std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
  PGPTLS_TRY(const std::vector<ArmorBlock> blocks, dearmor(text));
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const std::string source = "armor block " + std::to_string(i + 1);
    if (blocks[i].label == "PRIVATE KEY BLOCK") {
      return refuse_secret(0).wrap(source);
    }
    if (blocks[i].label != "PUBLIC KEY BLOCK") {
      return make_error(Errc::bad_armor, source + " is a '" + blocks[i].label +
                                             "', not a 'PUBLIC KEY BLOCK' (a certificate)");
    }
    PGPTLS_CHECK(parse_run(blocks[i].data, source));
  }
  return certs;
}

}  // namespace pgptls::keyring
