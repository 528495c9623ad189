// hash.h: OpenPGP hash algorithm IDs (RFC 9580 §9.5) and incremental
// hashing through GnuTLS's hash API.
//
// Usage:
//   PGPTLS_TRY(auto h, openpgp::Hasher::create(HashAlgorithm::sha256));
//   h.update(bytes); Bytes digest = h.finish();
#pragma once

#include <gnutls/crypto.h>

#include <cstdint>
#include <optional>
#include <string>

#include "base/bytes.h"
#include "base/result.h"

namespace pgptls::openpgp {

enum class HashAlgorithm : std::uint8_t {
  md5 = 1,
  sha1 = 2,
  ripemd160 = 3,
  sha256 = 8,
  sha384 = 9,
  sha512 = 10,
  sha224 = 11,
  sha3_256 = 12,
  sha3_512 = 14,
};

// hash_name: "SHA256", "SHA1", ... or "hash <n>" for unknown IDs.
[[nodiscard]] std::string hash_name(std::uint8_t id);

// gnutls_digest: the GnuTLS digest for an OpenPGP hash ID, if known.
[[nodiscard]] std::optional<gnutls_digest_algorithm_t> gnutls_digest(std::uint8_t id);

// Hasher: one running hash. Move-only.
class Hasher {
 public:
  // create: fails with Errc::unsupported_algorithm for an unknown hash ID.
  [[nodiscard]] static Result<Hasher> create(std::uint8_t id);
  Hasher(Hasher&& other) noexcept : handle_(other.handle_), length_(other.length_) {
    other.handle_ = nullptr;
  }
  Hasher& operator=(Hasher&&) = delete;
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;
  ~Hasher();

  void update(ByteView data);
  void update_u8(std::uint8_t value);
  void update_u16(std::uint16_t value);
  void update_u32(std::uint32_t value);
  // finish: the digest; the hasher must not be used afterwards.
  [[nodiscard]] Bytes finish();

 private:
  Hasher(gnutls_hash_hd_t handle, std::size_t length) : handle_(handle), length_(length) {}
  gnutls_hash_hd_t handle_;
  std::size_t length_ = 0;
};

// digest: the one-shot hash of data (an unknown ID gives an error).
[[nodiscard]] Result<Bytes> digest(std::uint8_t id, ByteView data);

}  // namespace pgptls::openpgp
