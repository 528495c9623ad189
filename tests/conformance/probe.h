// probe.h: sends one corpus case to a server on 127.0.0.1 and reads what the
// server answers until it closes: the ServerHello (its extensions and
// cert_type) and the fatal alert, if any. Every wait is bounded.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"

namespace pgptls::conformance {

struct Observation {
  bool server_hello = false;
  std::vector<std::uint16_t> extensions;  // of the ServerHello, in order
  std::optional<std::uint8_t> cert_type;  // the ServerHello's cert_type value
  std::optional<std::uint8_t> alert;      // the first alert's description
  bool closed = false;                    // the server closed (EOF or reset)
  std::string problem;                    // a socket error or timeout

  // outcome: "ServerHello", "ServerHello, then decode_error",
  // "decode_error", "closed", or the problem.
  [[nodiscard]] std::string outcome() const;
};

// probe: connects, sends `wire`, half-closes, and reads until the server
// closes (at most `timeout`).
[[nodiscard]] Observation probe(std::uint16_t port, const Bytes& wire,
                                std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace pgptls::conformance
