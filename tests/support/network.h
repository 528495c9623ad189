// network.h: loopback helpers for tests that start servers. A test knows a
// server it started accepts connections from the line the server prints
// after listen(2) (ready_lines.h), never by polling connect(2).
#pragma once

#include <cstdint>

namespace pgptls::test {

// free_port: a TCP port on 127.0.0.1 that was free a moment ago (bound to
// port 0 and released). Fails the calling test with an exception if no
// socket can be made.
std::uint16_t free_port();

}  // namespace pgptls::test
