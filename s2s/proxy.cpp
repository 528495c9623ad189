#include "s2s/proxy.h"

#include <boost/asio/socket_base.hpp>
#include <utility>

#include "base/errors.h"
#include "s2s/inbound_session.h"
#include "s2s/outbound_session.h"

namespace pgptls::s2s {

namespace asio = boost::asio;
using asio::ip::tcp;

struct Proxy::Listener {
  Listener(const asio::any_io_executor& executor, bool inbound_in)
      : acceptor(executor), inbound(inbound_in) {}
  tcp::acceptor acceptor;
  bool inbound;
  bool stopped = false;
};

Proxy::Proxy(asio::any_io_executor executor, std::shared_ptr<const Context> context,
             std::vector<tcp::endpoint> inbound, std::optional<tcp::endpoint> outbound)
    : executor_(std::move(executor)),
      context_(with_outbound_factories(*context)),
      inbound_(std::move(inbound)),
      outbound_(std::move(outbound)) {}

std::shared_ptr<const Context> Proxy::with_outbound_factories(const Context& context) {
  auto prepared = std::make_shared<Context>(context);
  for (HostedDomain& domain : prepared->domains) {
    domain.outbound = transport::make_client_engine_factory(domain.settings, prepared->mode,
                                                            prepared->knows_openpgp);
  }
  return prepared;
}

Proxy::~Proxy() {
  stop();
}

Status Proxy::start() {
  auto open = [&](const tcp::endpoint& endpoint, bool inbound) -> Status {
    auto listener = std::make_shared<Listener>(executor_, inbound);
    boost::system::error_code error;
    listener->acceptor.open(endpoint.protocol(), error);
    if (!error) {
      listener->acceptor.set_option(asio::socket_base::reuse_address(true), error);
    }
    if (!error) {
      listener->acceptor.bind(endpoint, error);
    }
    if (!error) {
      listener->acceptor.listen(asio::socket_base::max_listen_connections, error);
    }
    if (error) {
      return make_error(base::Errc::io_error, std::string(inbound ? "[inbound]" : "[outbound]") +
                                                  " listen " + endpoint_text(endpoint) + ": " +
                                                  error.message());
    }
    listeners_.push_back(listener);
    return {};
  };
  for (const tcp::endpoint& endpoint : inbound_) {
    PGPTLS_CHECK(open(endpoint, true));
  }
  if (outbound_) {
    PGPTLS_CHECK(open(*outbound_, false));
  }
  for (const auto& listener : listeners_) {
    accept(listener);
  }
  return {};
}

void Proxy::accept(const std::shared_ptr<Listener>& listener) {
  listener->acceptor.async_accept(
      [this, listener](boost::system::error_code error, tcp::socket socket) {
        if (listener->stopped) {
          return;
        }
        if (error) {
          if (error != asio::error::operation_aborted) {
            accept(listener);
          }
          return;
        }
        auto& links = *context_->links;
        if (links.live >= context_->limits.max_links) {
          boost::system::error_code ignored;
          const auto peer = socket.remote_endpoint(ignored);
          if (context_->log) {
            context_->log(std::string(listener->inbound ? "s2s in " : "s2s out ") +
                          endpoint_text(peer) + ": refused: max-links (" +
                          std::to_string(context_->limits.max_links) +
                          ") links are open; raise [limits] max-links if this is expected load");
          }
          socket.close(ignored);
          accept(listener);
          return;
        }
        boost::system::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        auto slot = std::make_shared<LinkSlot>(context_->links);
        std::shared_ptr<Session> session;
        if (listener->inbound) {
          session = std::make_shared<InboundSession>(std::move(socket), context_, slot);
        } else {
          session = std::make_shared<OutboundSession>(std::move(socket), context_, slot);
        }
        links.remember(session);
        session->start();
        accept(listener);
      });
}

void Proxy::stop() {
  for (const auto& listener : listeners_) {
    listener->stopped = true;
    boost::system::error_code ignored;
    listener->acceptor.close(ignored);
  }
}

void Proxy::close_all() {
  for (const auto& weak : context_->links->links) {
    if (auto link = weak.lock()) {
      link->close();
    }
  }
}

std::size_t Proxy::live_links() const {
  return context_->links->live;
}

std::vector<tcp::endpoint> Proxy::inbound_endpoints() const {
  std::vector<tcp::endpoint> endpoints;
  for (const auto& listener : listeners_) {
    boost::system::error_code ignored;
    if (listener->inbound) {
      endpoints.push_back(listener->acceptor.local_endpoint(ignored));
    }
  }
  return endpoints;
}

std::optional<tcp::endpoint> Proxy::outbound_endpoint() const {
  for (const auto& listener : listeners_) {
    boost::system::error_code ignored;
    if (!listener->inbound) {
      return listener->acceptor.local_endpoint(ignored);
    }
  }
  return std::nullopt;
}

std::string Proxy::ready_text() const {
  std::string text = "inbound=";
  bool first = true;
  for (const tcp::endpoint& endpoint : inbound_endpoints()) {
    text += (first ? "" : ",") + endpoint_text(endpoint);
    first = false;
  }
  if (first) {
    text += "-";
  }
  const auto outbound = outbound_endpoint();
  text += " outbound=" + (outbound ? endpoint_text(*outbound) : std::string("-"));
  return text;
}

}  // namespace pgptls::s2s
