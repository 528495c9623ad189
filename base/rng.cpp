#include "base/rng.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include <algorithm>
#include <array>

#include "base/errors.h"

namespace pgptls::base {

Status SystemRng::fill(std::span<std::uint8_t> out, RngLevel level) {
  gnutls_rnd_level_t gnutls_level = GNUTLS_RND_RANDOM;
  switch (level) {
    case RngLevel::nonce:
      gnutls_level = GNUTLS_RND_NONCE;
      break;
    case RngLevel::random:
      gnutls_level = GNUTLS_RND_RANDOM;
      break;
    case RngLevel::key:
      gnutls_level = GNUTLS_RND_KEY;
      break;
  }
  if (gnutls_rnd(gnutls_level, out.data(), out.size()) != 0) {
    return make_error(Errc::rng_failure, "gnutls_rnd");
  }
  return {};
}

Status DeterministicRng::fill(std::span<std::uint8_t> out, RngLevel /*level*/) {
  std::size_t done = 0;
  while (done < out.size()) {
    std::array<std::uint8_t, 16> input{};
    for (std::size_t i = 0; i < 8; ++i) {
      input[i] = static_cast<std::uint8_t>(seed_ >> (56 - 8 * i));
      input[8 + i] = static_cast<std::uint8_t>(counter_ >> (56 - 8 * i));
    }
    ++counter_;
    std::array<std::uint8_t, 32> block{};
    if (gnutls_hash_fast(GNUTLS_DIG_SHA256, input.data(), input.size(), block.data()) != 0) {
      return make_error(Errc::rng_failure, "SHA-256 for the deterministic generator");
    }
    const std::size_t take = std::min(block.size(), out.size() - done);
    std::copy_n(block.begin(), take, out.begin() + static_cast<std::ptrdiff_t>(done));
    done += take;
  }
  return {};
}

}  // namespace pgptls::base
