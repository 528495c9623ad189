// engine_pump.h: runs two tls::Engines against each other in memory, for
// tests of either engine (or one of each) without sockets.
#pragma once

#include <cstddef>
#include <string>

#include "base/result.h"
#include "tls/engine/engine.h"

namespace pgptls::test {

// PumpResult: how a pumped handshake ended.
struct PumpResult {
  bool client_established = false;
  bool server_established = false;
  bool client_failed = false;
  bool server_failed = false;
  std::size_t rounds = 0;
  // both_established: the handshake succeeded on both sides.
  [[nodiscard]] bool both_established() const { return client_established && server_established; }
  // describe: "client failed: ...; server ..." for assertion messages.
  std::string describe(const tls::Engine& client, const tls::Engine& server) const;
};

// pump_engines_in_memory: calls client.start() and server.start(), then
// moves each side's pending output into the other until both are
// established, one has failed (its alert is still delivered to the other),
// or max_rounds rounds pass without that. Never loops forever.
PumpResult pump_engines_in_memory(tls::Engine& client, tls::Engine& server,
                                  std::size_t max_rounds = 64);

// settle_blocking: what the transport does once an engine is established
// with a provisional peer (tls::PendingVerdict), done by blocking (tests
// only, off any event loop): waits for each pending verdict and settles
// it. Returns the refusal (the engine then failed and queued its alert).
Status settle_blocking(tls::Engine& engine);

// transfer: moves all pending output of `from` into `to` (feed errors are
// left in to.failure()); returns the number of bytes moved.
std::size_t transfer(tls::Engine& from, tls::Engine& to);

}  // namespace pgptls::test
