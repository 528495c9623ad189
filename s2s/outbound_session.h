// outbound_session.h: one stream from the local XMPP server to a remote
// server (README "XMPP server-to-server proxy"). The local server connects to the
// outbound listener on loopback and opens a plain stream; we
//  1. read its header: `from` must be hosted (else invalid-from), `to` is
//     the remote domain (missing: improper-addressing);
//  2. resolve `to` (resolver.h: static override, SRV Direct TLS and
//     STARTTLS in RFC 2782 order, else the domain on 5269) and try each
//     target and address in turn;
//  3. per attempt: connect; STARTTLS (our header, features offering
//     <starttls/>, <starttls/>, <proceed/>; RFC 6120 §5.4.2) or Direct TLS;
//     the TLS client handshake with `from`'s credentials, expecting the
//     peer to be `to` (the engine's verifier checks it);
//  4. write the local server's own header into the TLS stream and relay.
// If every attempt fails, the local server gets our header and
// <remote-connection-failed/> (RFC 6120 §4.9.3.15) with the reasons, so it
// bounces its queued stanzas. Each attempt has limits.handshake_timeout.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <optional>
#include <string>

#include "s2s/session.h"
#include "transport/server.h"

namespace pgptls::s2s {

class OutboundSession final : public Session {
 public:
  using Session::Session;

 private:
  boost::asio::awaitable<void> run() override;
  void close_others() override;
  // close_attempt: closes the connection of the attempt in progress.
  void close_attempt();
  // Established: a verified TLS stream to the remote server that has
  // answered the local server's header with its own (in TLS 1.3 a server
  // refuses our certificate only after our handshake completed, so only
  // its answer proves acceptance).
  struct Established {
    std::unique_ptr<transport::TcpStream> tls;
    std::unique_ptr<xmpp::StreamReader> reader;  // the remote's stream, header read
    std::string remote_bytes;                    // its bytes so far, for the local server
  };
  // attempt: one target address, or the reason it failed.
  boost::asio::awaitable<Result<Established>> attempt(
      const boost::asio::ip::tcp::endpoint& endpoint, const Target& target,
      const HostedDomain& from, const std::string& to, const std::string& local_bytes);
  boost::asio::awaitable<Result<std::vector<Target>>> resolve_targets(const std::string& domain);
  boost::asio::awaitable<Result<std::vector<boost::asio::ip::tcp::endpoint>>> resolve_addresses(
      const Target& target);
  // fail: the status line, then `reply` to the local server and close
  // (not awaited: see Session::reply_and_close).
  void fail(std::string reply, const std::string& reason);

  // socket_ is the local server's connection.
  std::string name_;  // "s2s out a.example -> b.example"
  // The attempt in progress, so the deadline can close it.
  boost::asio::ip::tcp::socket* attempt_socket_ = nullptr;
  transport::TcpStream* attempt_tls_ = nullptr;
};

}  // namespace pgptls::s2s
