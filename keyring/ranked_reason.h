// ranked_reason.h: when several candidates (certifications, signatures,
// signers) are tried and all fail, the caller should hear about the one that
// came closest, not the last one tried. Each failure is offered with a rank
// of how far it got; the highest rank's error is kept.
#pragma once

#include <optional>
#include <utility>

#include "base/result.h"

namespace pgptls::keyring {

struct RankedReason {
  int rank = -1;
  std::optional<Error> error;
  // offer: keeps `e` when it got further than every earlier failure (ties
  // keep the first).
  void offer(int r, Error e) {
    if (r > rank) {
      rank = r;
      error = std::move(e);
    }
  }
};

}  // namespace pgptls::keyring
