// dnsmasq.h: a real DNS server for the resolver tests (Debian
// dnsmasq-base), on 127.0.0.1 and a free port, answering only from its
// command line (--srv-host, --host-record), stopped by PID.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace pgptls::test {

struct Dnsmasq {
  std::optional<ChildProcess> process;
  std::uint16_t port = 0;
};

// start_dnsmasq: runs dnsmasq with `records` (e.g.
// "--srv-host=_xmpp-server._tcp.a.example,live.a.example,5269,0,0") and
// waits until it says it started. Fails the calling test otherwise.
Dnsmasq start_dnsmasq(const TempDir& dir, const std::vector<std::string>& records);

}  // namespace pgptls::test
