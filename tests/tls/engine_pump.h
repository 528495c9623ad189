// engine_pump.h: shuttles bytes between two Engines in memory, the way a
// transport would over a socket pair, optionally through a tamperer that
// sees (and may rewrite) each side's output before the other gets it.
#pragma once

#include <functional>

#include "base/bytes.h"
#include "tls/engine/engine.h"

namespace pgptls::tls::test {

// Tamper: rewrites the bytes one side sends; `from_client` names the sender.
using Tamper = std::function<void(bool from_client, Bytes& bytes)>;

// PumpLog: everything each side sent, for byte-for-byte comparisons.
struct PumpLog {
  Bytes client_sent;
  Bytes server_sent;
};

// pump: moves output client -> server and server -> client until neither
// has any left (at most `max_rounds` exchanges). Feed errors are kept in
// the engines (failure()); the pump goes on delivering their alerts.
inline PumpLog pump(Engine& client, Engine& server, const Tamper& tamper = {},
                    int max_rounds = 64) {
  PumpLog log;
  const auto move = [&](Engine& from, Engine& to, bool from_client) {
    const ByteView pending = from.pending_output();
    if (pending.empty()) {
      return false;
    }
    Bytes bytes(pending.begin(), pending.end());
    from.consume_output(pending.size());
    if (tamper) {
      tamper(from_client, bytes);
    }
    Bytes& sent = from_client ? log.client_sent : log.server_sent;
    sent.insert(sent.end(), bytes.begin(), bytes.end());
    if (!to.failure().has_value()) {
      (void)to.feed(bytes);
    }
    return true;
  };
  for (int round = 0; round < max_rounds; ++round) {
    const bool a = move(client, server, true);
    const bool b = move(server, client, false);
    if (!a && !b) {
      break;
    }
  }
  return log;
}

}  // namespace pgptls::tls::test
