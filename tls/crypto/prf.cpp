#include "tls/crypto/prf.h"

#include <gnutls/crypto.h>

#include <algorithm>
#include <array>
#include <memory>
#include <string>
#include <type_traits>

#include "tls/wire/errors.h"

namespace pgptls::tls {
namespace {

gnutls_mac_algorithm_t hmac_for(HashAlgorithm hash) {
  return hash == HashAlgorithm::sha384 ? GNUTLS_MAC_SHA384 : GNUTLS_MAC_SHA256;
}

struct HmacDeleter {
  void operator()(gnutls_hmac_hd_t handle) const noexcept { gnutls_hmac_deinit(handle, nullptr); }
};
using HmacHandle = std::unique_ptr<std::remove_pointer_t<gnutls_hmac_hd_t>, HmacDeleter>;

// Hmac: one HMAC key used for many messages (P_hash computes 2 HMACs per
// output block under the same secret). copy() gives a fresh keyed state, so
// the key schedule of HMAC is done once.
class Hmac {
 public:
  static Result<Hmac> create(HashAlgorithm hash, ByteView key) {
    gnutls_hmac_hd_t raw = nullptr;
    if (gnutls_hmac_init(&raw, hmac_for(hash), key.data(), key.size()) != 0) {
      return make_error(Errc::internal_error, "HMAC key setup for the TLS PRF");
    }
    return Hmac(HmacHandle(raw), hash_length(hash));
  }

  // mac: HMAC(key, a ‖ b) into `out` (hash length bytes).
  Status mac(ByteView a, ByteView b, std::uint8_t* out) const {
    HmacHandle copy(gnutls_hmac_copy(keyed_.get()));
    if (!copy) {
      return make_error(Errc::internal_error, "HMAC copy for the TLS PRF");
    }
    if (gnutls_hmac(copy.get(), a.data(), a.size()) != 0 ||
        gnutls_hmac(copy.get(), b.data(), b.size()) != 0) {
      return make_error(Errc::internal_error, "HMAC for the TLS PRF");
    }
    gnutls_hmac_output(copy.get(), out);
    return {};
  }

  std::size_t length() const { return length_; }

 private:
  Hmac(HmacHandle keyed, std::size_t length) : keyed_(std::move(keyed)), length_(length) {}
  HmacHandle keyed_;
  std::size_t length_;
};

}  // namespace

Result<base::SecretBytes> prf(HashAlgorithm hash, ByteView secret, std::string_view label,
                              ByteView seed, std::size_t length) {
  PGPTLS_TRY(const Hmac hmac, Hmac::create(hash, secret));
  // RFC 5246 §5: P_hash(secret, seed) = HMAC(secret, A(1) + seed) ‖
  // HMAC(secret, A(2) + seed) ‖ ..., A(0) = seed, A(i) = HMAC(secret, A(i-1)),
  // with seed = label ‖ seed for PRF.
  const base::SecretBytes label_seed = [&] {
    base::SecretBytes joined(label.begin(), label.end());
    joined.insert(joined.end(), seed.begin(), seed.end());
    return joined;
  }();
  const std::size_t block = hmac.length();
  std::array<std::uint8_t, 64> a{};  // A(i)
  std::array<std::uint8_t, 64> output_block{};
  PGPTLS_CHECK(hmac.mac(label_seed, {}, a.data()));
  base::SecretBytes out;
  out.reserve(length + block);
  while (out.size() < length) {
    PGPTLS_CHECK(hmac.mac(ByteView(a.data(), block), label_seed, output_block.data()));
    const std::size_t take = std::min(block, length - out.size());
    out.insert(out.end(), output_block.begin(),
               output_block.begin() + static_cast<std::ptrdiff_t>(take));
    PGPTLS_CHECK(hmac.mac(ByteView(a.data(), block), {}, a.data()));
  }
  base::secure_wipe(a);
  base::secure_wipe(output_block);
  return out;
}

Result<base::SecretBytes> extended_master_secret(HashAlgorithm hash, ByteView pre_master_secret,
                                                 ByteView session_hash) {
  return prf(hash, pre_master_secret, "extended master secret", session_hash, kMasterSecretLength);
}

Result<KeyBlock> derive_key_block(const CipherSuite& suite, ByteView master_secret,
                                  ByteView client_random, ByteView server_random) {
  if (client_random.size() != kRandomLength || server_random.size() != kRandomLength) {
    return make_error(Errc::illegal_parameter, "hello randoms must be 32 bytes");
  }
  if (master_secret.size() != kMasterSecretLength) {
    return make_error(Errc::illegal_parameter, "master secret must be 48 bytes");
  }
  // RFC 5246 §6.3: the seed is server_random + client_random (the reverse of
  // the master secret's order), and the block is cut into
  // client_write_key, server_write_key, client_write_IV, server_write_IV.
  Bytes seed(server_random.begin(), server_random.end());
  seed.insert(seed.end(), client_random.begin(), client_random.end());
  const std::size_t total = 2 * suite.key_length + 2 * suite.fixed_iv_length;
  PGPTLS_TRY(const base::SecretBytes block,
             prf(suite.prf_hash, master_secret, "key expansion", seed, total));
  auto take = [&block, position = std::size_t{0}](std::size_t count) mutable {
    const auto begin = block.begin() + static_cast<std::ptrdiff_t>(position);
    position += count;
    return base::SecretBytes(begin, begin + static_cast<std::ptrdiff_t>(count));
  };
  KeyBlock keys;
  keys.client_write_key = take(suite.key_length);
  keys.server_write_key = take(suite.key_length);
  keys.client_write_iv = take(suite.fixed_iv_length);
  keys.server_write_iv = take(suite.fixed_iv_length);
  return keys;
}

Result<Bytes> finished_verify_data(HashAlgorithm hash, ByteView master_secret, Role sender,
                                   ByteView transcript_hash) {
  const std::string_view label = sender == Role::client ? "client finished" : "server finished";
  PGPTLS_TRY(const base::SecretBytes data,
             prf(hash, master_secret, label, transcript_hash, kVerifyDataLength));
  // verify_data is public once sent; it leaves the secret type here.
  return Bytes(data.begin(), data.end());
}

Status check_finished(HashAlgorithm hash, ByteView master_secret, Role sender,
                      ByteView transcript_hash, ByteView received_verify_data) {
  PGPTLS_TRY(const Bytes expected,
             finished_verify_data(hash, master_secret, sender, transcript_hash));
  // RFC 5246 §7.4.9: the length is fixed for every suite pgptls has; compare
  // in constant time so a forger learns nothing from the timing.
  if (!base::constant_time_equal(expected, received_verify_data)) {
    return make_error(Errc::decrypt_error,
                      std::string("the peer's ") + (sender == Role::client ? "client" : "server") +
                          " Finished does not match the handshake (tampered handshake or a "
                          "different master secret)");
  }
  return {};
}

}  // namespace pgptls::tls
