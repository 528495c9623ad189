#include "openpgp/hash.h"

#include "openpgp/errors.h"

namespace pgptls::keyring {

std::string hash_name(std::uint8_t id) {
  switch (static_cast<HashAlgorithm>(id)) {
    case HashAlgorithm::md5:
      return "MD5";
    case HashAlgorithm::sha1:
      return "SHA1";
    case HashAlgorithm::ripemd160:
      return "RIPEMD160";
    case HashAlgorithm::sha256:
      return "SHA256";
    case HashAlgorithm::sha384:
      return "SHA384";
    case HashAlgorithm::sha512:
      return "SHA512";
    case HashAlgorithm::sha224:
      return "SHA224";
    case HashAlgorithm::sha3_256:
      return "SHA3-256";
    case HashAlgorithm::sha3_512:
      return "SHA3-512";
  }
  return "hash " + std::to_string(id);
}

std::optional<gnutls_digest_algorithm_t> gnutls_digest(std::uint8_t id) {
  switch (static_cast<HashAlgorithm>(id)) {
    case HashAlgorithm::md5:
      return GNUTLS_DIG_MD5;
    case HashAlgorithm::sha1:
      return GNUTLS_DIG_SHA1;
    case HashAlgorithm::ripemd160:
      return GNUTLS_DIG_RMD160;
    case HashAlgorithm::sha256:
      return GNUTLS_DIG_SHA256;
    case HashAlgorithm::sha384:
      return GNUTLS_DIG_SHA384;
    case HashAlgorithm::sha512:
      return GNUTLS_DIG_SHA512;
    case HashAlgorithm::sha224:
      return GNUTLS_DIG_SHA224;
    case HashAlgorithm::sha3_256:
      return GNUTLS_DIG_SHA3_256;
    case HashAlgorithm::sha3_512:
      return GNUTLS_DIG_SHA3_512;
  }
  return std::nullopt;
}

Result<Hasher> Hasher::create(std::uint8_t id) {
  const auto algorithm = gnutls_digest(id);
  if (!algorithm) {
    return make_error(Errc::unsupported_algorithm, "OpenPGP hash algorithm " + std::to_string(id));
  }
  // Probe first: GnuTLS 3.7's gnutls_hash_init allocates the handle, then
  // fails for a digest without a backend (RIPEMD-160 here) and does not
  // free it; gnutls_hash_fast fails the same way without allocating.
  std::uint8_t probe[64];
  if (gnutls_hash_get_len(*algorithm) > sizeof(probe) ||
      gnutls_hash_fast(*algorithm, nullptr, 0, probe) < 0) {
    return make_error(Errc::unsupported_algorithm,
                      "GnuTLS cannot compute " + hash_name(id) + " on this system");
  }
  gnutls_hash_hd_t handle = nullptr;
  if (gnutls_hash_init(&handle, *algorithm) < 0) {
    return make_error(Errc::unsupported_algorithm,
                      "GnuTLS cannot compute " + hash_name(id) + " on this system");
  }
  return Hasher(handle, gnutls_hash_get_len(*algorithm));
}

Hasher::~Hasher() {
  if (handle_ != nullptr) {
    gnutls_hash_deinit(handle_, nullptr);
  }
}

void Hasher::update(ByteView data) {
  if (!data.empty()) {
    gnutls_hash(handle_, data.data(), data.size());
  }
}

void Hasher::update_u8(std::uint8_t value) {
  gnutls_hash(handle_, &value, 1);
}

void Hasher::update_u16(std::uint16_t value) {
  const std::uint8_t bytes[2] = {static_cast<std::uint8_t>(value >> 8),
                                 static_cast<std::uint8_t>(value)};
  gnutls_hash(handle_, bytes, 2);
}

void Hasher::update_u32(std::uint32_t value) {
  const std::uint8_t bytes[4] = {
      static_cast<std::uint8_t>(value >> 24), static_cast<std::uint8_t>(value >> 16),
      static_cast<std::uint8_t>(value >> 8), static_cast<std::uint8_t>(value)};
  gnutls_hash(handle_, bytes, 4);
}

Bytes Hasher::finish() {
  Bytes out(length_);
  gnutls_hash_deinit(handle_, out.data());
  handle_ = nullptr;
  return out;
}

Result<Bytes> digest(std::uint8_t id, ByteView data) {
  PGPTLS_TRY(auto hasher, Hasher::create(id));
  hasher.update(data);
  return hasher.finish();
}

}  // namespace pgptls::keyring
