#include "s2s/link.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "base/encoding.h"
#include "base/rng.h"

namespace pgptls::s2s {

std::string lower_domain(std::string_view domain) {
  std::string out(domain);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

const HostedDomain* find_domain(const std::vector<HostedDomain>& domains, std::string_view name) {
  const std::string wanted = lower_domain(name);
  for (const HostedDomain& domain : domains) {
    if (domain.name == wanted) {
      return &domain;
    }
  }
  return nullptr;
}

std::string tls_version_name(std::string_view protocol) {
  if (protocol.starts_with("TLS") && !protocol.starts_with("TLSv")) {
    return "TLSv" + std::string(protocol.substr(3));
  }
  return std::string(protocol);
}

std::string accepted_text(const tls::SessionInfo& session) {
  std::string text = "cert=";
  text += session.peer ? std::string(tls::certificate_type_name(session.peer->type)) : "none";
  text += " " + tls_version_name(session.protocol);
  if (session.peer) {
    text += " accepted by " + session.peer->accepted_by;
  }
  return text;
}

bool authenticated_as(const tls::SessionInfo& session, std::string_view domain) {
  if (!session.peer) {
    return false;
  }
  const std::string wanted = lower_domain(domain);
  return std::any_of(session.peer->domains.begin(), session.peer->domains.end(),
                     [&](const std::string& verified) { return lower_domain(verified) == wanted; });
}

std::string endpoint_text(const boost::asio::ip::tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  if (address.is_v6()) {
    return "[" + address.to_string() + "]:" + std::to_string(endpoint.port());
  }
  return address.to_string() + ":" + std::to_string(endpoint.port());
}

std::string random_stream_id() {
  std::array<std::uint8_t, 8> bytes{};
  base::SystemRng rng;
  if (!rng.fill(bytes, base::RngLevel::random).ok()) {
    return "pgptls";
  }
  return base::hex_encode(bytes);
}

}  // namespace pgptls::s2s
