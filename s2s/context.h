// context.h: the settings every session of one proxy shares.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <optional>
#include <vector>

#include "s2s/link.h"
#include "s2s/resolver.h"
#include "transport/engine_factory.h"
#include "transport/engine_selection.h"

namespace pgptls::s2s {

struct Context {
  std::vector<HostedDomain> domains;  // at least one
  // Inbound: the local XMPP server's plain s2s port (PROXY v2 first).
  boost::asio::ip::tcp::endpoint backend;
  // Outbound: the engine mode per remote domain and, for auto, whether
  // the keyring knows it as OpenPGP-capable.
  transport::ClientMode mode = transport::ClientMode::automatic;
  transport::KnowsOpenPgp knows_openpgp;
  std::shared_ptr<Resolver> resolver;
  Limits limits;
  LogLine log;
  std::shared_ptr<LinkCounter> links = std::make_shared<LinkCounter>();
};

}  // namespace pgptls::s2s
