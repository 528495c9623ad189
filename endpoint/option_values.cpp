#include "endpoint/option_values.h"

#include <charconv>

#include "base/errors.h"

namespace pgptls::endpoint {
namespace {

Error bad_value(std::string what) {
  return make_error(base::Errc::invalid_value, std::move(what));
}

}  // namespace

Result<HostPort> parse_host_port(std::string_view text) {
  const std::string shown = "'" + std::string(text) + "'";
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return bad_value(shown + " needs a port: HOST:PORT");
  }
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return bad_value(shown + ": write an IPv6 address in brackets, [ADDRESS]:PORT");
  }
  if (host.empty()) {
    return bad_value(shown + " has no host: HOST:PORT");
  }
  unsigned port = 0;
  const auto [end, error] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || error != std::errc() || end != port_text.data() + port_text.size() ||
      port == 0 || port > 65535) {
    return bad_value(shown + ": the port must be a number from 1 to 65535");
  }
  return HostPort{std::string(host), static_cast<std::uint16_t>(port)};
}

Result<AuthoritySpec> parse_authority_spec(std::string_view text) {
  AuthoritySpec spec;
  std::size_t comma = text.find(',');
  spec.file = std::string(text.substr(0, comma));
  if (spec.file.empty()) {
    return bad_value("'" + std::string(text) + "': the authority needs a certificate file");
  }
  while (comma != std::string_view::npos) {
    const std::size_t start = comma + 1;
    comma = text.find(',', start);
    const std::string_view item = text.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    constexpr std::string_view kScope = "scope=";
    if (item.substr(0, kScope.size()) != kScope) {
      return bad_value("unknown part '" + std::string(item) +
                       "' in --authority: only scope=PATTERN may follow the file");
    }
    if (item.size() == kScope.size()) {
      return bad_value("'" + std::string(text) + "': scope= needs a pattern such as *.example.org");
    }
    spec.scopes.emplace_back(item.substr(kScope.size()));
  }
  return spec;
}

}  // namespace pgptls::endpoint
