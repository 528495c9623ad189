#include "openpgp/cert.h"

#include <algorithm>

#include "base/byte_writer.h"
#include "openpgp/armor.h"
#include "openpgp/errors.h"

namespace pgptls::openpgp {
namespace {

Error structure_error(std::size_t offset, const std::string& what) {
  return make_error(Errc::malformed_certificate,
                    "certificate packet at offset " + std::to_string(offset) + ": " + what);
}

bool is_primary_tag(std::uint8_t tag) {
  return tag == static_cast<std::uint8_t>(PacketTag::public_key) ||
         tag == static_cast<std::uint8_t>(PacketTag::secret_key);
}

// Reads the public part of a key packet; for secret key packets the secret
// material after it is ignored here (secret keys are imported elsewhere).
Result<PublicKey> key_from_packet(const RawPacket& packet) {
  const bool secret = packet.tag == static_cast<std::uint8_t>(PacketTag::secret_key) ||
                      packet.tag == static_cast<std::uint8_t>(PacketTag::secret_subkey);
  if (!secret) {
    return parse_public_key(packet.body);
  }
  base::ByteReader reader(packet.body);
  return read_public_key(reader);
}

// Builds certificates from the packets of one block; each certificate
// starts at a primary key packet (RFC 9580 §10.1).
void build(const std::vector<RawPacket>& packets, const CertLimits& limits,
           std::vector<Cert>& certs, std::vector<Error>& errors, std::size_t block_base) {
  std::size_t i = 0;
  while (i < packets.size()) {
    const RawPacket& first = packets[i];
    if (!is_primary_tag(first.tag)) {
      if (first.tag == static_cast<std::uint8_t>(PacketTag::marker) ||
          first.tag == static_cast<std::uint8_t>(PacketTag::trust) ||
          first.tag == static_cast<std::uint8_t>(PacketTag::padding)) {
        ++i;
        continue;
      }
      errors.push_back(structure_error(block_base + first.offset,
                                       "packet type " + std::to_string(first.tag) +
                                           " where a primary key must start a certificate"));
      // Resynchronise at the next primary key.
      ++i;
      while (i < packets.size() && !is_primary_tag(packets[i].tag)) {
        ++i;
      }
      continue;
    }
    std::size_t end = i + 1;
    while (end < packets.size() && !is_primary_tag(packets[end].tag)) {
      ++end;
    }
    const std::size_t cert_size =
        (end < packets.size() ? packets[end].offset
                              : packets.back().offset + packets.back().body.size() + 6) -
        first.offset;
    if (cert_size > limits.max_certificate_size) {
      errors.push_back(structure_error(block_base + first.offset,
                                       "certificate of about " + std::to_string(cert_size) +
                                           " octets exceeds the policy cap of " +
                                           std::to_string(limits.max_certificate_size)));
      i = end;
      continue;
    }
    Cert cert;
    auto primary = key_from_packet(first);
    if (!primary) {
      errors.push_back(primary.error().wrap("primary key at offset " +
                                            std::to_string(block_base + first.offset)));
      i = end;
      continue;
    }
    cert.primary = std::move(*primary);
    // Where the next signature goes: 0 = direct, 1 = last user ID,
    // 2 = last subkey, 3 = the unknown component (dropped into unknown).
    int target = 0;
    bool failed = false;
    for (std::size_t j = i + 1; j < end && !failed; ++j) {
      const RawPacket& p = packets[j];
      const std::size_t offset = block_base + p.offset;
      switch (static_cast<PacketTag>(p.tag)) {
        case PacketTag::signature: {
          auto sig = parse_signature(p.body);
          if (!sig || target == 3) {
            cert.unknown.push_back(UnknownPacket{
                p.tag, offset, to_bytes(p.body),
                sig ? make_error(Errc::malformed_certificate,
                                 "signature over a component that could not be read")
                    : sig.error().wrap("signature at offset " + std::to_string(offset))});
            break;
          }
          if (target == 0) {
            cert.direct_signatures.push_back(std::move(*sig));
          } else if (target == 1) {
            cert.user_ids.back().signatures.push_back(std::move(*sig));
          } else {
            cert.subkeys.back().signatures.push_back(std::move(*sig));
          }
          break;
        }
        case PacketTag::user_id:
        case PacketTag::user_attribute:
          if (target == 2 || (target == 3 && !cert.subkeys.empty())) {
            // RFC 9580 §10.1: user IDs come before subkeys.
            errors.push_back(structure_error(offset, "user ID after a subkey"));
            failed = true;
            break;
          }
          cert.user_ids.push_back(UserId{
              to_bytes(p.body), p.tag == static_cast<std::uint8_t>(PacketTag::user_attribute), {}});
          target = 1;
          break;
        case PacketTag::public_subkey:
        case PacketTag::secret_subkey: {
          auto key = key_from_packet(p);
          if (!key) {
            cert.unknown.push_back(
                UnknownPacket{p.tag, offset, to_bytes(p.body),
                              key.error().wrap("subkey at offset " + std::to_string(offset))});
            target = 3;
            break;
          }
          cert.subkeys.push_back(Subkey{std::move(*key), {}});
          target = 2;
          break;
        }
        case PacketTag::trust:
        case PacketTag::marker:
        case PacketTag::padding:
          break;
        default:
          cert.unknown.push_back(UnknownPacket{
              p.tag, offset, to_bytes(p.body),
              make_error(Errc::malformed_certificate, "packet type " + std::to_string(p.tag) +
                                                          " does not belong in a "
                                                          "certificate")});
          break;
      }
    }
    if (!failed) {
      if (certs.size() >= limits.max_certificates) {
        errors.push_back(structure_error(
            block_base + first.offset,
            "more certificates than the policy cap of " + std::to_string(limits.max_certificates)));
        return;
      }
      certs.push_back(std::move(cert));
    }
    i = end;
  }
}

void read_all(ByteView input, const CertLimits& limits, bool stop_at_error, KeyringParse& out) {
  auto blocks = decode_armor_or_binary(input);
  if (!blocks) {
    out.errors.push_back(blocks.error());
    return;
  }
  for (const auto& block : *blocks) {
    auto packets = split_packets(block.data, limits.max_packet_size);
    if (!packets) {
      out.errors.push_back(packets.error());
      if (stop_at_error) {
        return;
      }
      continue;
    }
    build(*packets, limits, out.certs, out.errors, 0);
    if (stop_at_error && !out.errors.empty()) {
      return;
    }
  }
}

void write_signatures(base::ByteWriter& writer, const std::vector<Signature>& sigs) {
  for (const auto& sig : sigs) {
    write_packet(writer, PacketTag::signature, sig.body);
  }
}

void merge_signatures(std::vector<Signature>& into, const std::vector<Signature>& from) {
  for (const auto& sig : from) {
    const bool present = std::any_of(into.begin(), into.end(),
                                     [&](const Signature& s) { return s.body == sig.body; });
    if (!present) {
      into.push_back(sig);
    }
  }
}

}  // namespace

std::string UserId::text() const {
  if (is_attribute) {
    return "[user attribute]";
  }
  return {reinterpret_cast<const char*>(value.data()), value.size()};
}

Result<Bytes> Cert::serialize() const {
  base::ByteWriter writer;
  write_packet(writer, PacketTag::public_key, primary.body);
  write_signatures(writer, direct_signatures);
  for (const auto& uid : user_ids) {
    write_packet(writer, uid.is_attribute ? PacketTag::user_attribute : PacketTag::user_id,
                 uid.value);
    write_signatures(writer, uid.signatures);
  }
  for (const auto& sub : subkeys) {
    write_packet(writer, PacketTag::public_subkey, sub.key.body);
    write_signatures(writer, sub.signatures);
  }
  return std::move(writer).finish();
}

const PublicKey* Cert::find_key(ByteView id) const {
  auto matches = [&](const PublicKey& key) {
    const Bytes& ref = id.size() == 8 ? key.key_id : key.fingerprint;
    return std::equal(id.begin(), id.end(), ref.begin(), ref.end());
  };
  if (matches(primary)) {
    return &primary;
  }
  for (const auto& sub : subkeys) {
    if (matches(sub.key)) {
      return &sub.key;
    }
  }
  return nullptr;
}

Result<std::vector<Cert>> parse_certificates(ByteView input, const CertLimits& limits) {
  KeyringParse out;
  read_all(input, limits, true, out);
  if (!out.errors.empty()) {
    return out.errors.front();
  }
  if (out.certs.empty()) {
    return make_error(Errc::malformed_certificate,
                      "the input holds no certificate (no public key packet)");
  }
  return std::move(out.certs);
}

Result<Cert> parse_certificate(ByteView input, const CertLimits& limits) {
  PGPTLS_TRY(auto certs, parse_certificates(input, limits));
  if (certs.size() != 1) {
    return make_error(Errc::malformed_certificate,
                      "expected one certificate, found " + std::to_string(certs.size()));
  }
  return std::move(certs.front());
}

KeyringParse parse_keyring(ByteView input, const CertLimits& limits) {
  KeyringParse out;
  read_all(input, limits, false, out);
  return out;
}

Result<Cert> merge(const Cert& a, const Cert& b) {
  if (a.fingerprint() != b.fingerprint()) {
    return make_error(Errc::invalid_argument, "cannot merge certificates " + a.fingerprint_hex() +
                                                  " and " + b.fingerprint_hex() +
                                                  ": different primary keys");
  }
  Cert out = a;
  merge_signatures(out.direct_signatures, b.direct_signatures);
  for (const auto& uid : b.user_ids) {
    auto it = std::find_if(out.user_ids.begin(), out.user_ids.end(), [&](const UserId& u) {
      return u.value == uid.value && u.is_attribute == uid.is_attribute;
    });
    if (it == out.user_ids.end()) {
      out.user_ids.push_back(uid);
    } else {
      merge_signatures(it->signatures, uid.signatures);
    }
  }
  for (const auto& sub : b.subkeys) {
    auto it = std::find_if(out.subkeys.begin(), out.subkeys.end(), [&](const Subkey& s) {
      return s.key.fingerprint == sub.key.fingerprint;
    });
    if (it == out.subkeys.end()) {
      out.subkeys.push_back(sub);
    } else {
      merge_signatures(it->signatures, sub.signatures);
    }
  }
  return out;
}

}  // namespace pgptls::openpgp
