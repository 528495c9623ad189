// rng.h: the injected random number generator.
#pragma once

#include <cstdint>
#include <span>

#include "base/bytes.h"
#include "base/result.h"

namespace pgptls::base {

// RngLevel: how unpredictable the bytes must be (GnuTLS's levels).
enum class RngLevel : std::uint8_t {
  nonce,   // public values that must not repeat (explicit nonces)
  random,  // public values that must be unpredictable (hello randoms)
  key,     // secret keys
};

// Rng: fills buffers with random bytes; fails with Errc::rng_failure.
class Rng {
 public:
  virtual ~Rng() = default;
  [[nodiscard]] virtual Status fill(std::span<std::uint8_t> out, RngLevel level) = 0;
};

// SystemRng: gnutls_rnd, the production generator.
class SystemRng final : public Rng {
 public:
  [[nodiscard]] Status fill(std::span<std::uint8_t> out, RngLevel level) override;
};

// DeterministicRng: SHA-256 in counter mode over a seed. For tests and fuzzing
// only: equal seeds give equal streams, which makes handshakes reproducible.
class DeterministicRng final : public Rng {
 public:
  explicit DeterministicRng(std::uint64_t seed) : seed_(seed) {}
  [[nodiscard]] Status fill(std::span<std::uint8_t> out, RngLevel level) override;

 private:
  std::uint64_t seed_;
  std::uint64_t counter_ = 0;
};

}  // namespace pgptls::base
