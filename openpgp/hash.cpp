#include "openpgp/hash.h"

#include <array>
#include <string_view>

#include "openpgp/errors.h"

namespace pgptls::openpgp {

namespace {

// HashFacts: an OpenPGP hash ID (RFC 9580 §9.5), its name and the GnuTLS
// digest that computes it.
struct HashFacts {
  HashAlgorithm id;
  std::string_view name;
  gnutls_digest_algorithm_t digest;
};
constexpr std::array<HashFacts, 9> kHashes{{
    {HashAlgorithm::md5, "MD5", GNUTLS_DIG_MD5},
    {HashAlgorithm::sha1, "SHA1", GNUTLS_DIG_SHA1},
    {HashAlgorithm::ripemd160, "RIPEMD160", GNUTLS_DIG_RMD160},
    {HashAlgorithm::sha256, "SHA256", GNUTLS_DIG_SHA256},
    {HashAlgorithm::sha384, "SHA384", GNUTLS_DIG_SHA384},
    {HashAlgorithm::sha512, "SHA512", GNUTLS_DIG_SHA512},
    {HashAlgorithm::sha224, "SHA224", GNUTLS_DIG_SHA224},
    {HashAlgorithm::sha3_256, "SHA3-256", GNUTLS_DIG_SHA3_256},
    {HashAlgorithm::sha3_512, "SHA3-512", GNUTLS_DIG_SHA3_512},
}};

const HashFacts* facts(std::uint8_t id) {
  for (const HashFacts& row : kHashes) {
    if (static_cast<std::uint8_t>(row.id) == id) {
      return &row;
    }
  }
  return nullptr;
}

}  // namespace

std::string hash_name(std::uint8_t id) {
  const HashFacts* row = facts(id);
  return row != nullptr ? std::string(row->name) : "hash " + std::to_string(id);
}

std::optional<gnutls_digest_algorithm_t> gnutls_digest(std::uint8_t id) {
  const HashFacts* row = facts(id);
  if (row == nullptr) {
    return std::nullopt;
  }
  return row->digest;
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
  gnutls_hash_hd_t handle = nullptr;
  if (gnutls_hash_get_len(*algorithm) > sizeof(probe) ||
      gnutls_hash_fast(*algorithm, nullptr, 0, probe) < 0 ||
      gnutls_hash_init(&handle, *algorithm) < 0) {
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

}  // namespace pgptls::openpgp
