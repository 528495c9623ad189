// endpoint_session.h: what `pgptls serve` does with an established
// connection: --echo sends every byte back, --forward relays both ways to a
// plain TCP server (a TLS-terminating gateway). Both end with close_notify
// (RFC 5246 §7.2.1) when the peer or the plain side finishes.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <memory>

#include "transport/server.h"

namespace pgptls::cli {

// start_echo: echoes until the peer closes; the session keeps the
// connection alive until then.
void start_echo(std::shared_ptr<transport::Connection> connection);

// start_forward: connects to `target` and relays in both directions; a
// failed connection to the target closes the TLS connection (and says why
// on stderr).
void start_forward(std::shared_ptr<transport::Connection> connection,
                   boost::asio::ip::tcp::resolver::results_type target);

}  // namespace pgptls::cli
