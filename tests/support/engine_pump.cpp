#include "tests/support/engine_pump.h"

namespace pgptls::test {
namespace {

std::string side(const char* name, const tls::Engine& engine) {
  std::string text = std::string(name) + " in " + std::string(engine.state_name());
  if (engine.failure()) {
    text += " failed: " + engine.failure()->message();
  }
  return text;
}

}  // namespace

std::string PumpResult::describe(const tls::Engine& client, const tls::Engine& server) const {
  return side("client", client) + "; " + side("server", server) + "; after " +
         std::to_string(rounds) + " rounds";
}

std::size_t transfer(tls::Engine& from, tls::Engine& to) {
  std::size_t moved = 0;
  while (!from.pending_output().empty()) {
    const Bytes chunk = to_bytes(from.pending_output());
    from.consume_output(chunk.size());
    moved += chunk.size();
    if (to.failure()) {
      continue;  // a failed engine takes no input; drain the sender anyway
    }
    (void)to.feed(chunk);
  }
  return moved;
}

PumpResult pump_engines_in_memory(tls::Engine& client, tls::Engine& server,
                                  std::size_t max_rounds) {
  PumpResult result;
  (void)client.start();
  (void)server.start();
  // Nothing moving means nothing can change any more: both sides wait for
  // input (done or stalled) or one has failed and its alert was delivered.
  for (; result.rounds < max_rounds; ++result.rounds) {
    if (transfer(client, server) + transfer(server, client) == 0) {
      break;
    }
  }
  result.client_established = client.status() == tls::EngineStatus::established;
  result.server_established = server.status() == tls::EngineStatus::established;
  result.client_failed = client.failure().has_value();
  result.server_failed = server.failure().has_value();
  return result;
}

Status settle_blocking(tls::Engine& engine) {
  while (engine.session().peer && engine.session().peer->pending) {
    const std::shared_ptr<tls::PendingVerdict> pending = engine.session().peer->pending;
    const Status ready = pending->ready->wait();
    PGPTLS_CHECK(engine.settle_peer(pending->settle(ready)));
  }
  return {};
}

}  // namespace pgptls::test
