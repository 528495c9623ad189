#include "openpgp/signature.h"

#include <algorithm>

#include "base/byte_reader.h"
#include "base/encoding.h"
#include "openpgp/errors.h"
#include "openpgp/packet.h"

namespace pgptls::openpgp {
namespace {

// Embedded signatures nest; bound the depth so hostile input cannot recurse.
constexpr int kMaxNesting = 2;

Error malformed(std::string what) {
  return make_error(Errc::malformed_packet, "signature packet: " + std::move(what));
}

Result<std::uint32_t> be32(ByteView data) {
  if (data.size() != 4) {
    return malformed("time or duration subpacket is not 4 octets");
  }
  return (std::uint32_t{data[0]} << 24) | (std::uint32_t{data[1]} << 16) |
         (std::uint32_t{data[2]} << 8) | data[3];
}

Result<bool> boolean(ByteView data) {
  if (data.size() != 1) {
    return malformed("boolean subpacket is not 1 octet");
  }
  return data[0] != 0;
}

Result<Signature> parse_nested(ByteView body, int depth);

// RFC 9580 §5.2.3.7: subpacket length, type (bit 7 = critical), data.
Status parse_subpackets(ByteView area, bool hashed, Signature& sig, int depth) {
  base::ByteReader reader(area);
  while (!reader.empty()) {
    auto subpacket_length = read_length(reader, LengthRule::subpacket);
    if (!subpacket_length) {
      return malformed("subpacket: " + subpacket_length.error().context);
    }
    const std::uint32_t length = *subpacket_length;
    if (length == 0) {
      return malformed("subpacket without a type octet");
    }
    auto content = reader.bytes(length);
    if (!content) {
      return malformed("subpacket length runs past its area");
    }
    const std::uint8_t type_octet = (*content)[0];
    const bool critical = (type_octet & 0x80) != 0;
    const std::uint8_t type = type_octet & 0x7F;
    const ByteView data = content->subspan(1);
    bool known = true;
    if (!hashed) {
      // Unhashed subpackets are not signed: only self-authenticating ones
      // are used (RFC 9580 §5.2.3.2).
      if (type == 16 && data.size() == 8) {
        if (!sig.issuer_key_id) {
          sig.issuer_key_id = to_bytes(data);
        }
      } else if (type == 33 && data.size() >= 2) {
        if (!sig.issuer_fingerprint) {
          sig.issuer_fingerprint = to_bytes(data.subspan(1));
        }
      } else if (type == 32 && !sig.embedded) {
        if (depth >= kMaxNesting) {
          return malformed("embedded signatures nested too deeply");
        }
        PGPTLS_TRY(auto embedded, parse_nested(data, depth + 1));
        sig.embedded = std::make_shared<const Signature>(std::move(embedded));
      }
      continue;
    }
    switch (type) {
      case 2: {
        PGPTLS_TRY(sig.creation_time, be32(data));
        break;
      }
      case 3: {
        PGPTLS_TRY(sig.expiration, be32(data));
        break;
      }
      case 4: {
        PGPTLS_TRY(sig.exportable, boolean(data));
        break;
      }
      case 5:
        if (data.size() != 2) {
          return malformed("trust signature subpacket is not 2 octets");
        }
        sig.trust_level = data[0];
        sig.trust_amount = data[1];
        break;
      case 6:
        // RFC 9580 §5.2.3.22: a null-terminated regular expression.
        sig.regular_expressions.emplace_back(
            reinterpret_cast<const char*>(data.data()),
            data.empty() || data.back() != 0 ? data.size() : data.size() - 1);
        break;
      case 7: {
        PGPTLS_TRY(sig.revocable, boolean(data));
        break;
      }
      case 9: {
        PGPTLS_TRY(sig.key_expiration, be32(data));
        break;
      }
      case 16:
        if (data.size() != 8) {
          return malformed("issuer key ID subpacket is not 8 octets");
        }
        sig.issuer_key_id = to_bytes(data);
        break;
      case 20:
        // A critical notation is one we cannot interpret (we know none):
        // RFC 9580 §5.2.3.24 makes the signature invalid.
        if (critical) {
          known = false;
        }
        break;
      case 25: {
        PGPTLS_TRY(sig.primary_user_id, boolean(data));
        break;
      }
      case 27:
        sig.key_flags = data.empty() ? std::uint8_t{0} : data[0];
        break;
      case 29:
        if (data.empty()) {
          return malformed("empty reason for revocation");
        }
        sig.revocation_reason = static_cast<RevocationReason>(data[0]);
        sig.revocation_text.assign(reinterpret_cast<const char*>(data.data()) + 1, data.size() - 1);
        break;
      case 30:
        sig.features = data.empty() ? std::uint8_t{0} : data[0];
        break;
      case 32: {
        if (depth >= kMaxNesting) {
          return malformed("embedded signatures nested too deeply");
        }
        PGPTLS_TRY(auto embedded, parse_nested(data, depth + 1));
        sig.embedded = std::make_shared<const Signature>(std::move(embedded));
        break;
      }
      case 33:
        if (data.size() < 2) {
          return malformed("issuer fingerprint subpacket too short");
        }
        if ((data[0] == 4 && data.size() != 21) || (data[0] == 6 && data.size() != 33)) {
          return malformed("issuer fingerprint length does not match its key version");
        }
        sig.issuer_fingerprint = to_bytes(data.subspan(1));
        break;
      // Known subpackets that do not affect validation (RFC 9580 §5.2.3.1).
      case 11:
      case 12:
      case 21:
      case 22:
      case 23:
      case 24:
      case 26:
      case 28:
      case 31:
      case 34:
      case 35:
      case 37:
      case 38:
      case 39:
        break;
      default:
        known = false;
        break;
    }
    if (critical && !known && !sig.has_unknown_critical) {
      sig.has_unknown_critical = true;
      sig.unknown_critical_note = "critical subpacket type " + std::to_string(type);
    }
  }
  return {};
}

Result<Signature> parse_nested(ByteView body, int depth) {
  base::ByteReader reader(body);
  Signature sig;
  auto version = reader.u8();
  if (!version) {
    return malformed("empty body");
  }
  sig.version = *version;
  if (sig.version != 4 && sig.version != 6) {
    return make_error(Errc::unsupported_version, "signature version " +
                                                     std::to_string(sig.version) +
                                                     " (only v4 and v6 signatures are read)");
  }
  auto type = reader.u8();
  auto pk = type ? reader.u8() : Result<std::uint8_t>(type.error());
  auto hash = pk ? reader.u8() : Result<std::uint8_t>(pk.error());
  if (!hash) {
    return malformed("truncated header");
  }
  sig.type = static_cast<SignatureType>(*type);
  sig.public_key_algorithm = *pk;
  sig.hash_algorithm = *hash;
  const auto prefix = sig.version == 6 ? base::LengthPrefix::u32 : base::LengthPrefix::u16;
  auto hashed = reader.prefixed_bytes(prefix);
  if (!hashed) {
    return malformed("hashed subpacket area runs past the packet");
  }
  sig.hashed_area = to_bytes(*hashed);
  auto unhashed = reader.prefixed_bytes(prefix);
  if (!unhashed) {
    return malformed("unhashed subpacket area runs past the packet");
  }
  PGPTLS_CHECK(parse_subpackets(*hashed, true, sig, depth));
  PGPTLS_CHECK(parse_subpackets(*unhashed, false, sig, depth));
  auto left = reader.bytes(2);
  if (!left) {
    return malformed("truncated hash prefix");
  }
  sig.hash_prefix[0] = (*left)[0];
  sig.hash_prefix[1] = (*left)[1];
  if (sig.version == 6) {
    // RFC 9580 §5.2.3: a one-octet salt length and the salt.
    auto salt = reader.prefixed_bytes(base::LengthPrefix::u8);
    if (!salt) {
      return malformed("truncated salt");
    }
    sig.salt = to_bytes(*salt);
  }
  auto mpi = [&]() -> Status {
    const auto value = read_mpi_octets(reader);
    if (!value) {
      return malformed("truncated signature MPI");
    }
    sig.fields.push_back(to_bytes(*value));
    return {};
  };
  auto fixed = [&](std::size_t n) -> Status {
    auto bytes = reader.bytes(n);
    if (!bytes) {
      return malformed("truncated native signature");
    }
    sig.fields.push_back(to_bytes(*bytes));
    return {};
  };
  switch (static_cast<PublicKeyAlgorithm>(sig.public_key_algorithm)) {
    case PublicKeyAlgorithm::rsa:
    case PublicKeyAlgorithm::rsa_sign_only:
      PGPTLS_CHECK(mpi());
      break;
    case PublicKeyAlgorithm::dsa:
    case PublicKeyAlgorithm::ecdsa:
    case PublicKeyAlgorithm::eddsa_legacy:
      PGPTLS_CHECK(mpi());
      PGPTLS_CHECK(mpi());
      break;
    case PublicKeyAlgorithm::ed25519:
      PGPTLS_CHECK(fixed(64));
      break;
    case PublicKeyAlgorithm::ed448:
      PGPTLS_CHECK(fixed(114));
      break;
    default:
      // Unknown algorithms keep their material opaque; verification refuses
      // them later with a precise reason.
      sig.fields.push_back(to_bytes(reader.take_rest()));
      break;
  }
  if (!reader.empty()) {
    return malformed(std::to_string(reader.remaining()) + " trailing octets");
  }
  sig.body = to_bytes(body);
  return sig;
}

}  // namespace

bool Signature::names_issuer(const PublicKey& key) const {
  if (issuer_fingerprint) {
    return *issuer_fingerprint == key.fingerprint;
  }
  if (issuer_key_id) {
    return *issuer_key_id == key.key_id;
  }
  return false;
}

bool Signature::issuer_may_be(const PublicKey& key) const {
  if (!issuer_fingerprint && !issuer_key_id) {
    return true;
  }
  return names_issuer(key);
}

std::string Signature::issuer_text() const {
  if (issuer_fingerprint) {
    return base::hex_encode_upper(*issuer_fingerprint);
  }
  if (issuer_key_id) {
    return base::hex_encode_upper(*issuer_key_id);
  }
  return "unknown";
}

Result<Signature> parse_signature(ByteView body) {
  return parse_nested(body, 0);
}

}  // namespace pgptls::openpgp
