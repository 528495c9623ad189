// proxy.h: s2s::Proxy, the listeners of `pgptls s2s`: the public inbound
// port(s) and the loopback outbound port, each accepted connection handed
// to an InboundSession or OutboundSession. max-links caps the links of
// both kinds together: at the cap a new connection is closed at once with
// a status line. stop() stops accepting; close_all() ends every link (the
// end of a SIGTERM drain).
//
// Usage:
//   auto context = std::make_shared<s2s::Context>(...);
//   s2s::Proxy proxy(io.get_executor(), context, {inbound endpoints}, outbound endpoint);
//   PGPTLS_CHECK(proxy.start());
//   log("s2s ready " + proxy.ready_text());
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "s2s/context.h"

namespace pgptls::s2s {

class Proxy {
 public:
  Proxy(boost::asio::any_io_executor executor, std::shared_ptr<const Context> context,
        std::vector<boost::asio::ip::tcp::endpoint> inbound,
        std::optional<boost::asio::ip::tcp::endpoint> outbound);
  ~Proxy();
  Proxy(const Proxy&) = delete;
  Proxy& operator=(const Proxy&) = delete;

  // start: binds every listener and starts accepting; fails naming the
  // address that cannot be bound.
  [[nodiscard]] Status start();
  void stop();
  void close_all();
  // live_links: links now (negotiating or relaying).
  [[nodiscard]] std::size_t live_links() const;
  // ready_text: "inbound=127.0.0.1:5269,... outbound=127.0.0.1:15270" with
  // the bound ports.
  [[nodiscard]] std::string ready_text() const;
  [[nodiscard]] std::vector<boost::asio::ip::tcp::endpoint> inbound_endpoints() const;
  [[nodiscard]] std::optional<boost::asio::ip::tcp::endpoint> outbound_endpoint() const;

  struct Listener;

 private:
  // with_outbound_factories: a copy of the context whose hosted domains
  // each hold their outbound client engine factory, made once here.
  static std::shared_ptr<const Context> with_outbound_factories(const Context& context);
  void accept(const std::shared_ptr<Listener>& listener);

  boost::asio::any_io_executor executor_;
  std::shared_ptr<const Context> context_;
  std::vector<boost::asio::ip::tcp::endpoint> inbound_;
  std::optional<boost::asio::ip::tcp::endpoint> outbound_;
  std::vector<std::shared_ptr<Listener>> listeners_;
};

}  // namespace pgptls::s2s
