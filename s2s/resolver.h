// resolver.h: s2s::Resolver, the DNS side of outbound routing, on c-ares
// driven by the Asio event loop (its sockets are watched with
// posix::stream_descriptor and its timeouts with a steady_timer), so no
// lookup ever blocks the loop (no getaddrinfo).
//
//  * targets(domain): a static override (DOMAIN=HOST:PORT) if configured;
//    else _xmpps-server._tcp (Direct TLS, XEP-0368) and _xmpp-server._tcp
//    (STARTTLS) SRV records merged and ordered by RFC 2782 (srv_order.h);
//    else the domain itself on 5269 (RFC 6120 §3.2.2 fallback). A single
//    SRV record with target "." means no service (RFC 2782, RFC 6120
//    §3.2.1).
//  * addresses(host, port): an IP literal as is, else A and AAAA.
//
// Usage (one io_context thread; the resolver lives on it):
//   PGPTLS_TRY(auto resolver, s2s::Resolver::create(io.get_executor(), config));
//   resolver->targets("b.example", [](Result<std::vector<s2s::Target>> targets) { ... });
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "s2s/srv_order.h"

namespace pgptls::s2s {

struct ResolverConfig {
  // "IP:PORT" or "IP" of the DNS server; empty: /etc/resolv.conf.
  std::string server;
  // Static overrides, by lower-case domain.
  std::map<std::string, Target> static_targets;
  // The weighted choice within one SRV priority (default: system RNG).
  RandomUpTo random;
  // Per query (c-ares retries within it).
  std::chrono::milliseconds timeout{5000};
};

// parse_static_target: "DOMAIN=HOST:PORT" (STARTTLS) or
// "DOMAIN=HOST:PORT,direct-tls" (XEP-0368 Direct TLS); HOST may be an IPv6
// literal in brackets. Returns the domain (lower case) and the target.
[[nodiscard]] Result<std::pair<std::string, Target>> parse_static_target(std::string_view text);

class Resolver {
 public:
  using TargetsHandler = std::function<void(Result<std::vector<Target>>)>;
  using AddressesHandler = std::function<void(Result<std::vector<boost::asio::ip::tcp::endpoint>>)>;

  [[nodiscard]] static Result<std::shared_ptr<Resolver>> create(
      boost::asio::any_io_executor executor, ResolverConfig config);
  ~Resolver();
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  // targets / addresses: the handler runs later on the executor, once.
  void targets(const std::string& domain, TargetsHandler handler);
  void addresses(const std::string& host, std::uint16_t port, AddressesHandler handler);

  struct State;

 private:
  explicit Resolver(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
};

}  // namespace pgptls::s2s
