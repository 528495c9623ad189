// refusal_engine.h: the engine of a connection refused before a real engine
// was chosen (the ClientHello peek found a malformed or unacceptable first
// flight). RFC 5246 §7.2.2: the error is sent as a fatal alert before the
// connection closes, never a silent close. The engine queues that one alert
// in a plaintext record and reports the error as its failure, so the
// transport sends the alert and then ends the connection as for any failed
// handshake.
//
// Usage (a server's engine factory):
//   if (!decision) return tls::make_refusal_engine(decision.error());
#pragma once

#include <memory>

#include "base/result.h"
#include "tls/engine/engine.h"

namespace pgptls::tls {

// make_refusal_engine: an engine whose output is the fatal alert for
// `error` (tls::alert_for) and whose failure() is `error`.
[[nodiscard]] std::unique_ptr<Engine> make_refusal_engine(Error error);

}  // namespace pgptls::tls
