// fuzz_require.h: how a fuzz target states an invariant. A broken
// invariant traps, which libFuzzer (and the seed replay in the normal
// build) reports as a crash with the input that caused it.
#pragma once

namespace pgptls::fuzz {

inline void require(bool condition) {
  if (!condition) {
    __builtin_trap();
  }
}

}  // namespace pgptls::fuzz
