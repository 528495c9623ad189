// inbound_session.h: one connection from a remote server to our public s2s
// port (README "XMPP server-to-server proxy"):
//  1. The first byte tells Direct TLS (XEP-0368: a TLS handshake record,
//     0x16) from a plain XML stream.
//  2. Plain: read the peer's stream header (its `to` must be hosted, else
//     host-unknown), answer with our header and mandatory STARTTLS
//     (RFC 6120 §5.4.1), accept <starttls/> with <proceed/> (§5.4.2.3);
//     anything else is policy-violation.
//  3. TLS as server through the engine factory of the hosted domain (RFC
//     6091 OpenPGP or GnuTLS X.509 by ClientHello), client certificate
//     required; the verifier returns the domains it authenticated.
//  4. The restarted stream header (§5.4.3.3): `to` hosted (host-unknown),
//     `from` one of the authenticated domains (invalid-from;
//     not-authorized without a certificate).
//  5. Connect to the backend, send PROXY v2 (TLVs 0xE0 domain, 0xE1 how,
//     0x20 SSL) and the restarted header, then relay (relay.h).
// Steps 1-5 run under limits.handshake_timeout. Every refusal is one
// status line "s2s in ADDR:PORT: refused: <reason>" and, where the stream
// allows it, the matching stream error to the peer.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <optional>
#include <string>

#include "s2s/session.h"
#include "transport/server.h"

namespace pgptls::s2s {

class InboundSession final : public Session {
 public:
  InboundSession(boost::asio::ip::tcp::socket socket, std::shared_ptr<const Context> context,
                 std::shared_ptr<LinkSlot> slot);

 private:
  boost::asio::awaitable<void> run() override;
  void close_others() override;
  // negotiate_starttls: steps 2; returns the hosted domain and the bytes
  // after <starttls/>, or nullopt once refused.
  struct Negotiated {
    const HostedDomain* domain = nullptr;
    std::string tls_bytes;
    std::string claimed_from;  // the plain header's `from` (may be empty)
  };
  boost::asio::awaitable<std::optional<Negotiated>> negotiate_starttls(std::string_view first);
  // refuse: the status line, then `reply` (may be empty) to the peer on
  // the stream it speaks now (TLS once started, with close_notify after
  // the reply), and close. Not awaited: see Session::reply_and_close.
  void refuse(std::string reply, const std::string& reason);
  // refuse_read: refuse after a failed read of the peer's stream: the
  // stream error it earned, after `opening` (our stream header when none
  // was sent on this stream yet), or for an I/O failure only the status
  // line.
  void refuse_read(const Error& error, const std::string& opening);
  boost::asio::awaitable<void> send_over_tls_and_close(std::string reply);
  void log_refused(const std::string& reason);
  [[nodiscard]] std::string io_reason(const Error& error) const;

  boost::asio::ip::tcp::endpoint peer_;
  boost::asio::ip::tcp::endpoint local_;
  std::unique_ptr<transport::TcpStream> tls_;
  std::optional<boost::asio::ip::tcp::socket> backend_;
};

}  // namespace pgptls::s2s
