#include "openpgp/signature_writer.h"

#include <gnutls/crypto.h>

#include <chrono>

#include "base/byte_writer.h"
#include "base/errors.h"
#include "base/gnutls_datum.h"
#include "openpgp/errors.h"
#include "openpgp/hash.h"

namespace pgptls::openpgp {
namespace {

constexpr std::uint8_t kVersion4 = 4;
constexpr std::uint8_t kBinaryDocument = 0x00;
constexpr std::size_t kV4FingerprintBytes = 20;
// RFC 9580 §5.2.3.7: subpacket types.
constexpr std::uint8_t kCreationTime = 2;
constexpr std::uint8_t kIssuerKeyId = 16;
constexpr std::uint8_t kIssuerFingerprint = 33;
struct HashChoice {
  HashAlgorithm algorithm;
  gnutls_sign_algorithm_t ecdsa_or_rsa;
};

Result<HashChoice> choose_hash(const DetachedSigner& signer) {
  if (signer.algorithm == SigningAlgorithm::ecdsa) {
    // Match the hash to the curve (RFC 9580 §5.2.3: the digest must not
    // be shorter than the curve), as GnuPG does.
    unsigned int bits = 0;
    gnutls_privkey_get_pk_algorithm(signer.key, &bits);
    if (bits <= 256) {
      return HashChoice{HashAlgorithm::sha256, GNUTLS_SIGN_ECDSA_SHA256};
    }
    if (bits <= 384) {
      return HashChoice{HashAlgorithm::sha384, GNUTLS_SIGN_ECDSA_SHA384};
    }
    return HashChoice{HashAlgorithm::sha512, GNUTLS_SIGN_ECDSA_SHA512};
  }
  return HashChoice{HashAlgorithm::sha512, GNUTLS_SIGN_RSA_SHA512};
}

// write_mpi: RFC 9580 §3.2: a bit count, then the big-endian value
// without leading zero octets.
void write_mpi(base::ByteWriter& out, ByteView value) {
  while (!value.empty() && value.front() == 0) {
    value = value.subspan(1);
  }
  std::uint16_t bits = static_cast<std::uint16_t>(value.size() * 8);
  if (!value.empty()) {
    for (std::uint8_t top = value.front(); (top & 0x80) == 0; top <<= 1) {
      --bits;
    }
  }
  out.u16(bits);
  out.bytes(value);
}

Error signing_failed(int code) {
  return make_error(Errc::bad_signature,
                    std::string("GnuTLS could not make the signature: ") + gnutls_strerror(code));
}

// write_signature_fields: the algorithm-specific part (RFC 9580 §5.2.3).
Status write_signature_fields(base::ByteWriter& out, const DetachedSigner& signer,
                              const HashChoice& hash, ByteView digest) {
  const gnutls_datum_t digest_datum = base::datum_of(digest);
  base::OwnedDatum signature;
  switch (signer.algorithm) {
    case SigningAlgorithm::rsa: {
      const int code = gnutls_privkey_sign_hash2(signer.key, hash.ecdsa_or_rsa, 0, &digest_datum,
                                                 &signature.datum);
      if (code < 0) {
        return signing_failed(code);
      }
      write_mpi(out, signature.view());
      return {};
    }
    case SigningAlgorithm::ecdsa: {
      const int code = gnutls_privkey_sign_hash2(signer.key, hash.ecdsa_or_rsa, 0, &digest_datum,
                                                 &signature.datum);
      if (code < 0) {
        return signing_failed(code);
      }
      base::OwnedDatum r;
      base::OwnedDatum s;
      if (const int decoded = gnutls_decode_rs_value(&signature.datum, &r.datum, &s.datum);
          decoded < 0) {
        return signing_failed(decoded);
      }
      write_mpi(out, r.view());
      write_mpi(out, s.view());
      return {};
    }
    case SigningAlgorithm::eddsa_legacy:
    case SigningAlgorithm::ed25519: {
      // EdDSA signs the digest itself as its message (RFC 9580 §5.2.4).
      const int code = gnutls_privkey_sign_data2(signer.key, GNUTLS_SIGN_EDDSA_ED25519, 0,
                                                 &digest_datum, &signature.datum);
      if (code < 0) {
        return signing_failed(code);
      }
      if (signature.datum.size != 64) {
        return make_error(Errc::bad_signature, "Ed25519 signature is not 64 bytes");
      }
      if (signer.algorithm == SigningAlgorithm::ed25519) {
        out.bytes(signature.view());  // RFC 9580 §5.2.3.4: native 64 octets
      } else {
        write_mpi(out, signature.view().first(32));  // RFC 9580 §5.2.3.3: R and S
        write_mpi(out, signature.view().subspan(32));
      }
      return {};
    }
  }
  return make_error(Errc::unsupported_algorithm, "cannot sign with this algorithm");
}

}  // namespace

Result<Bytes> make_detached_signature(ByteView document, const DetachedSigner& signer,
                                      base::TimePoint created) {
  if (signer.fingerprint.size() != kV4FingerprintBytes) {
    return make_error(Errc::unsupported_version,
                      "signing needs a version 4 key (20-byte fingerprint)");
  }
  if (signer.key == nullptr) {
    return make_error(Errc::invalid_argument, "no private key to sign with");
  }
  PGPTLS_TRY(const HashChoice hash, choose_hash(signer));
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(created.time_since_epoch());
  if (seconds.count() < 0 || seconds.count() > 0xFFFFFFFF) {
    return make_error(Errc::invalid_argument, "signature time outside the OpenPGP range");
  }

  // The hashed part: version through the hashed subpackets (§5.2.4).
  base::ByteWriter hashed;
  hashed.u8(kVersion4);
  hashed.u8(kBinaryDocument);
  hashed.u8(static_cast<std::uint8_t>(signer.algorithm));
  hashed.u8(static_cast<std::uint8_t>(hash.algorithm));
  {
    auto subpackets = hashed.prefixed(base::LengthPrefix::u16);
    hashed.u8(5);  // subpacket length: type + 4 octets
    hashed.u8(kCreationTime);
    hashed.u32(static_cast<std::uint32_t>(seconds.count()));
    hashed.u8(22);  // type + version + 20 octets
    hashed.u8(kIssuerFingerprint);
    hashed.u8(kVersion4);
    hashed.bytes(signer.fingerprint);
  }
  PGPTLS_TRY(const Bytes hashed_part, std::move(hashed).finish());

  // Digest = H(document || hashed part || 0x04 0xFF || len(hashed part)).
  PGPTLS_TRY(auto hasher, Hasher::create(static_cast<std::uint8_t>(hash.algorithm)));
  hasher.update(document);
  hasher.update(hashed_part);
  hasher.update_u8(kVersion4);
  hasher.update_u8(0xFF);
  hasher.update_u32(static_cast<std::uint32_t>(hashed_part.size()));
  const Bytes digest = hasher.finish();

  base::ByteWriter body;
  body.bytes(hashed_part);
  {
    auto unhashed = body.prefixed(base::LengthPrefix::u16);
    body.u8(9);  // type + 8 octets
    body.u8(kIssuerKeyId);
    body.bytes(ByteView(signer.fingerprint).last(8));  // v4 key ID: low 64 bits
  }
  body.bytes(ByteView(digest).first(2));
  PGPTLS_CHECK(write_signature_fields(body, signer, hash, digest));
  PGPTLS_TRY(const Bytes body_bytes, std::move(body).finish());

  // RFC 9580 §4.2.1: OpenPGP packet header, tag 2, with a five-octet length.
  base::ByteWriter packet;
  packet.u8(0xC0 | 2);
  packet.u8(0xFF);
  packet.u32(static_cast<std::uint32_t>(body_bytes.size()));
  packet.bytes(body_bytes);
  return std::move(packet).finish();
}

}  // namespace pgptls::openpgp
