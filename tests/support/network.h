// network.h: loopback helpers for tests that start servers.
#pragma once

#include <chrono>
#include <cstdint>

namespace pgptls::test {

// free_port: a TCP port on 127.0.0.1 that was free a moment ago (bound to
// port 0 and released). Fails the calling test with an exception if no
// socket can be made.
std::uint16_t free_port();

// wait_for_port: true once a TCP connection to 127.0.0.1:port succeeds,
// false at the timeout.
bool wait_for_port(std::uint16_t port, std::chrono::milliseconds timeout);

}  // namespace pgptls::test
