// option_values.h: parsing of the option values the programs share, so
// that `serve`, `connect`, `verify-cert` and config files agree on syntax
// and on error messages.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace pgptls::endpoint {

// HostPort: "HOST:PORT", "[IPv6]:PORT".
struct HostPort {
  std::string host;
  std::uint16_t port = 0;
};

// parse_host_port: reads HOST:PORT (an IPv6 address in brackets); fails
// with a message naming the value when the port is missing, not a number
// or outside 1..65535, or the host is empty.
[[nodiscard]] Result<HostPort> parse_host_port(std::string_view text);

// AuthoritySpec: "FILE[,scope=PATTERN]...", one --authority value.
struct AuthoritySpec {
  std::string file;
  std::vector<std::string> scopes;  // empty: every domain
};

// parse_authority_spec: reads FILE followed by any number of
// ",scope=PATTERN"; fails on an empty file name, an unknown key, or an
// empty pattern.
[[nodiscard]] Result<AuthoritySpec> parse_authority_spec(std::string_view text);

}  // namespace pgptls::endpoint
