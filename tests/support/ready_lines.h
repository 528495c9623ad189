// ready_lines.h: the line each server that tests start prints once it
// accepts connections, i.e. after listen(2) (checked with strace), so a
// test waits for that line (ChildProcess::wait_for_log) instead of polling
// connect(2) against the port.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace pgptls::test {

// openssl s_server prints "ACCEPT" after listen(2); not with -quiet.
inline constexpr std::string_view kOpensslServerReady = "ACCEPT";

// gnutls_serv_ready: gnutls-serv prints "... listening on IPv4 0.0.0.0 port
// N..." BEFORE listen(2) and "done" after it, so "listening" alone is early.
inline std::string gnutls_serv_ready(std::uint16_t port) {
  return "IPv4 0.0.0.0 port " + std::to_string(port) + "...done";
}

// `pgptls serve` prints "listening on ADDRESS:PORT" after listen(2); `pgptls
// s2s` prints "s2s ready ..." once every listener is open.
inline constexpr std::string_view kServeReady = "listening on ";
inline constexpr std::string_view kS2sReady = "s2s ready";

}  // namespace pgptls::test
