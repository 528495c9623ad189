#include "openpgp/verify.h"

#include <gnutls/abstract.h>

#include <optional>

#include "base/ed25519.h"
#include "base/encoding.h"
#include "openpgp/armor.h"
#include "openpgp/errors.h"
#include "openpgp/hash.h"
#include "openpgp/packet.h"

namespace pgptls::openpgp {
namespace {

Status hash_key(Hasher& hasher, const PublicKey& key) {
  PGPTLS_TRY(const Bytes prefix, key_hash_prefix(key));
  hasher.update(prefix);
  hasher.update(key.body);
  return {};
}

// RFC 9580 §9.5: the salt size of v6 signatures depends on the hash.
std::size_t v6_salt_size(std::uint8_t hash) {
  switch (static_cast<HashAlgorithm>(hash)) {
    case HashAlgorithm::sha256:
    case HashAlgorithm::sha224:
    case HashAlgorithm::sha3_256:
      return 16;
    case HashAlgorithm::sha384:
      return 24;
    case HashAlgorithm::sha512:
    case HashAlgorithm::sha3_512:
      return 32;
    default:
      return 0;
  }
}

Bytes left_pad(const Bytes& value, std::size_t size) {
  if (value.size() >= size) {
    return value;
  }
  Bytes out(size - value.size(), 0);
  out.insert(out.end(), value.begin(), value.end());
  return out;
}

Error bad(const Signature& sig, const PublicKey& signer, const std::string& why) {
  return make_error(Errc::bad_signature, "signature by " + signer.fingerprint_hex() + " (type 0x" +
                                             std::to_string(static_cast<int>(sig.type)) +
                                             "): " + why);
}

// eddsa_signature_value: the signature as EdDSA defines it (RFC 8032
// §5.1.6: R || S). RFC 9580 §5.2.3.4: legacy EdDSA stores R and S as two
// MPIs (leading zeros dropped), Ed25519 and Ed448 (§5.2.3.3, §5.2.3.5) the
// native octets as one field.
Result<Bytes> eddsa_signature_value(const Signature& sig, const PublicKey& signer) {
  if (signer.algorithm == PublicKeyAlgorithm::eddsa_legacy) {
    if (sig.fields.size() != 2 || sig.fields[0].size() > 32 || sig.fields[1].size() > 32) {
      return bad(sig, signer, "legacy EdDSA r or s longer than 32 octets");
    }
    Bytes value = left_pad(sig.fields[0], 32);
    const Bytes s = left_pad(sig.fields[1], 32);
    value.insert(value.end(), s.begin(), s.end());
    return value;
  }
  if (sig.fields.empty()) {
    return bad(sig, signer, "EdDSA signature without a value");
  }
  return sig.fields[0];
}

// start_hash: a hasher for the signature, fed with the v6 salt (RFC 9580
// §5.2.4: a v6 signature hashes its salt first).
Result<Hasher> start_hash(const Signature& sig) {
  PGPTLS_TRY(auto hasher, Hasher::create(sig.hash_algorithm));
  if (sig.version == 6) {
    if (sig.salt.size() != v6_salt_size(sig.hash_algorithm)) {
      return make_error(Errc::malformed_packet,
                        "v6 signature salt of " + std::to_string(sig.salt.size()) +
                            " octets does not match " + hash_name(sig.hash_algorithm));
    }
    hasher.update(sig.salt);
  }
  return hasher;
}

// finish_hash: RFC 9580 §5.2.4's trailer, then the digest.
Bytes finish_hash(Hasher& hasher, const Signature& sig) {
  const auto type = static_cast<std::uint8_t>(sig.type);
  hasher.update_u8(sig.version);
  hasher.update_u8(type);
  hasher.update_u8(sig.public_key_algorithm);
  hasher.update_u8(sig.hash_algorithm);
  if (sig.version == 6) {
    hasher.update_u32(static_cast<std::uint32_t>(sig.hashed_area.size()));
  } else {
    hasher.update_u16(static_cast<std::uint16_t>(sig.hashed_area.size()));
  }
  hasher.update(sig.hashed_area);
  hasher.update_u8(sig.version);
  hasher.update_u8(0xFF);
  const std::size_t header = sig.version == 6 ? 8 : 6;
  hasher.update_u32(static_cast<std::uint32_t>(header + sig.hashed_area.size()));
  return hasher.finish();
}

}  // namespace

Result<Bytes> signature_digest(const Signature& sig, const SignedComponents& over) {
  if (over.primary == nullptr) {
    return make_error(Errc::invalid_argument, "signature digest without a primary key");
  }
  PGPTLS_TRY(auto hasher, start_hash(sig));
  const auto type = static_cast<std::uint8_t>(sig.type);
  switch (sig.type) {
    case SignatureType::direct_key:
    case SignatureType::key_revocation:
      PGPTLS_CHECK(hash_key(hasher, *over.primary));
      break;
    case SignatureType::subkey_binding:
    case SignatureType::primary_key_binding:
    case SignatureType::subkey_revocation:
      if (over.subkey == nullptr) {
        return make_error(Errc::invalid_argument, "subkey signature without a subkey");
      }
      PGPTLS_CHECK(hash_key(hasher, *over.primary));
      PGPTLS_CHECK(hash_key(hasher, *over.subkey));
      break;
    default:
      if (!is_certification(sig.type) && sig.type != SignatureType::certification_revocation) {
        return make_error(Errc::invalid_argument,
                          "signature type " + std::to_string(type) + " is not over a certificate");
      }
      if (over.user_id == nullptr) {
        return make_error(Errc::invalid_argument, "certification without a user ID");
      }
      PGPTLS_CHECK(hash_key(hasher, *over.primary));
      // RFC 9580 §5.2.4: 0xB4 (user ID) or 0xD1 (attribute), 4-octet length.
      hasher.update_u8(over.user_id->is_attribute ? 0xD1 : 0xB4);
      hasher.update_u32(static_cast<std::uint32_t>(over.user_id->value.size()));
      hasher.update(over.user_id->value);
      break;
  }
  return finish_hash(hasher, sig);
}

Status verify_digest(const Signature& sig, const PublicKey& signer, ByteView digest_value) {
  if (sig.version != signer.version) {
    // RFC 9580 §5.2.3: v6 keys make v6 signatures, v4 keys v4 signatures.
    return bad(sig, signer,
               "v" + std::to_string(sig.version) + " signature from a v" +
                   std::to_string(signer.version) + " key");
  }
  if (sig.public_key_algorithm != static_cast<std::uint8_t>(signer.algorithm)) {
    return bad(sig, signer,
               "made with algorithm " + algorithm_name(sig.public_key_algorithm) +
                   " but the key is " +
                   algorithm_name(static_cast<std::uint8_t>(signer.algorithm)));
  }
  if (digest_value.size() < 2 || digest_value[0] != sig.hash_prefix[0] ||
      digest_value[1] != sig.hash_prefix[1]) {
    return bad(sig, signer, "digest does not match the signature's hash prefix");
  }
  if (signer.algorithm == PublicKeyAlgorithm::eddsa_legacy ||
      signer.algorithm == PublicKeyAlgorithm::ed25519) {
    // RFC 9580 §5.2.3.3-5: EdDSA signs the digest itself as its message.
    PGPTLS_TRY(const Bytes point, ed25519_point(signer));
    PGPTLS_TRY(const Bytes value, eddsa_signature_value(sig, signer));
    if (!base::ed25519_verify(point, digest_value, value)) {
      return bad(sig, signer, "does not verify (Ed25519)");
    }
    return {};
  }
  PGPTLS_TRY(auto key, to_gnutls_pubkey(signer));
  const auto digest_algorithm = gnutls_digest(sig.hash_algorithm);
  if (!digest_algorithm) {
    return make_error(Errc::unsupported_algorithm, hash_name(sig.hash_algorithm));
  }
  const gnutls_datum_t hash{const_cast<unsigned char*>(digest_value.data()),
                            static_cast<unsigned int>(digest_value.size())};
  int rc = GNUTLS_E_PK_SIG_VERIFY_FAILED;
  switch (signer.algorithm) {
    case PublicKeyAlgorithm::rsa:
    case PublicKeyAlgorithm::rsa_sign_only: {
      // The MPI drops leading zeros; PKCS#1 wants the modulus length.
      const Bytes value = left_pad(sig.fields.at(0), (signer.bits() + 7) / 8);
      const gnutls_datum_t s{const_cast<unsigned char*>(value.data()),
                             static_cast<unsigned int>(value.size())};
      rc =
          gnutls_pubkey_verify_hash2(key.get(), gnutls_pk_to_sign(GNUTLS_PK_RSA, *digest_algorithm),
                                     GNUTLS_VERIFY_ALLOW_BROKEN, &hash, &s);
      break;
    }
    case PublicKeyAlgorithm::dsa:
    case PublicKeyAlgorithm::ecdsa: {
      const gnutls_datum_t r{const_cast<unsigned char*>(sig.fields.at(0).data()),
                             static_cast<unsigned int>(sig.fields.at(0).size())};
      const gnutls_datum_t s{const_cast<unsigned char*>(sig.fields.at(1).data()),
                             static_cast<unsigned int>(sig.fields.at(1).size())};
      gnutls_datum_t der{nullptr, 0};
      if (gnutls_encode_rs_value(&der, &r, &s) < 0) {
        return bad(sig, signer, "could not encode r and s");
      }
      const auto pk = signer.algorithm == PublicKeyAlgorithm::dsa ? GNUTLS_PK_DSA : GNUTLS_PK_ECDSA;
      rc = gnutls_pubkey_verify_hash2(key.get(), gnutls_pk_to_sign(pk, *digest_algorithm),
                                      GNUTLS_VERIFY_ALLOW_BROKEN, &hash, &der);
      gnutls_free(der.data);
      break;
    }
    case PublicKeyAlgorithm::ed448: {
      // RFC 9580 §5.2.3.3-5: EdDSA signs the digest itself as its message.
      PGPTLS_TRY(Bytes value, eddsa_signature_value(sig, signer));
      const gnutls_datum_t s{value.data(), static_cast<unsigned int>(value.size())};
      rc = gnutls_pubkey_verify_data2(key.get(), GNUTLS_SIGN_EDDSA_ED448,
                                      GNUTLS_VERIFY_ALLOW_BROKEN, &hash, &s);
      break;
    }
    default:
      return make_error(
          Errc::unsupported_algorithm,
          algorithm_name(static_cast<std::uint8_t>(signer.algorithm)) + " cannot make signatures");
  }
  if (rc < 0) {
    return bad(sig, signer, std::string("does not verify (") + gnutls_strerror(rc) + ")");
  }
  return {};
}

Status verify_signature(const Signature& sig, const PublicKey& signer,
                        const SignedComponents& over) {
  PGPTLS_TRY(const auto digest_value, signature_digest(sig, over));
  return verify_digest(sig, signer, digest_value);
}

Bytes canonical_text(ByteView document) {
  Bytes out;
  out.reserve(document.size() + document.size() / 16);
  for (std::size_t i = 0; i < document.size(); ++i) {
    const std::uint8_t byte = document[i];
    if (byte == '\r') {
      // CR LF stays; a lone CR is a line end of its own.
      if (i + 1 < document.size() && document[i + 1] == '\n') {
        ++i;
      }
      out.push_back('\r');
      out.push_back('\n');
    } else if (byte == '\n') {
      out.push_back('\r');
      out.push_back('\n');
    } else {
      out.push_back(byte);
    }
  }
  return out;
}

Result<Bytes> document_digest(const Signature& sig, ByteView document) {
  if (sig.type != SignatureType::binary && sig.type != SignatureType::text) {
    return make_error(Errc::invalid_argument,
                      "signature type 0x" +
                          base::hex_encode_upper(Bytes{static_cast<std::uint8_t>(sig.type)}) +
                          " is not a document signature (0x00 binary or 0x01 text)");
  }
  PGPTLS_TRY(auto hasher, start_hash(sig));
  if (sig.type == SignatureType::text) {
    hasher.update(canonical_text(document));
  } else {
    hasher.update(document);
  }
  return finish_hash(hasher, sig);
}

Status verify_document_signature(const Signature& sig, const PublicKey& signer, ByteView document) {
  PGPTLS_TRY(const auto digest_value, document_digest(sig, document));
  return verify_digest(sig, signer, digest_value);
}

Result<std::vector<Signature>> parse_detached_signatures(ByteView input) {
  if (input.size() > kMaxDetachedSignatureBytes) {
    return make_error(Errc::invalid_argument, "signature file of " + std::to_string(input.size()) +
                                                  " bytes exceeds the cap of " +
                                                  std::to_string(kMaxDetachedSignatureBytes) +
                                                  "; a detached signature is a few hundred bytes");
  }
  PGPTLS_TRY(const auto blocks, decode_armor_or_binary(input));
  std::vector<Signature> signatures;
  std::optional<Error> skipped;
  for (const ArmorBlock& block : blocks) {
    if (!block.label.empty() && block.label != "PGP SIGNATURE") {
      return make_error(Errc::invalid_argument, "armored block '" + block.label +
                                                    "' is not a detached signature (expected "
                                                    "'PGP SIGNATURE')");
    }
    PGPTLS_TRY(const auto packets, split_packets(block.data, kMaxDetachedSignatureBytes));
    for (const RawPacket& packet : packets) {
      const auto tag = static_cast<PacketTag>(packet.tag);
      if (tag == PacketTag::marker || tag == PacketTag::padding) {
        continue;  // RFC 9580 §5.8, §5.14: ignored on reading
      }
      if (tag != PacketTag::signature) {
        return make_error(Errc::invalid_argument,
                          "packet of tag " + std::to_string(packet.tag) + " at offset " +
                              std::to_string(packet.offset) +
                              " in a detached signature file; it must hold only signatures "
                              "(gpg --detach-sign)");
      }
      auto sig = parse_signature(packet.body);
      if (!sig.ok()) {
        if (sig.error().code != Errc::unsupported_version) {
          return std::move(sig).error().wrap("signature at offset " +
                                             std::to_string(packet.offset));
        }
        skipped = std::move(sig).error();
        continue;
      }
      if (sig->type != SignatureType::binary && sig->type != SignatureType::text) {
        return make_error(Errc::invalid_argument,
                          "signature at offset " + std::to_string(packet.offset) +
                              " is of type 0x" +
                              base::hex_encode_upper(Bytes{static_cast<std::uint8_t>(sig->type)}) +
                              ", not a document signature (0x00 binary or 0x01 text)");
      }
      if (signatures.size() == kMaxDetachedSignatures) {
        return make_error(Errc::invalid_argument, "signature file holds more than " +
                                                      std::to_string(kMaxDetachedSignatures) +
                                                      " signatures");
      }
      signatures.push_back(std::move(sig).value());
    }
  }
  if (signatures.empty()) {
    if (skipped) {
      return skipped->wrap("no usable signature in the signature file");
    }
    return make_error(Errc::invalid_argument, "the signature file holds no signature");
  }
  return signatures;
}

}  // namespace pgptls::openpgp
