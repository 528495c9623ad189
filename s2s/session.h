// session.h: what an inbound and an outbound session share until their
// relay takes over: the connection the session was opened on, the proxy's
// context, the link slot it holds, the negotiation's deadline and the read
// buffer, and closing all of it once.
#pragma once

#include <array>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <string>

#include "s2s/context.h"
#include "s2s/session_io.h"

namespace pgptls::s2s {

class Session : public Closable, public std::enable_shared_from_this<Session> {
 public:
  ~Session() override;
  // Session: takes the connection, the proxy's context and the link slot
  // (public so that a session kind with nothing of its own to set up
  // inherits it: `using Session::Session`; the class stays abstract).
  Session(boost::asio::ip::tcp::socket socket, std::shared_ptr<const Context> context,
          std::shared_ptr<LinkSlot> slot);
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // start: runs the session on its socket's executor.
  void start();
  // close: closes the socket and whatever else the session waits on
  // (close_others); only the first call does anything.
  void close() final;

 protected:
  virtual boost::asio::awaitable<void> run() = 0;
  // close_others: closes what the session waits on besides socket_.
  virtual void close_others() = 0;
  // close_at_deadline: the session closes unless the negotiation ends
  // (deadline_.cancel()) within limits.handshake_timeout.
  void close_at_deadline();
  // reply_and_close: writes `reply` (may be empty) to socket_, then closes.
  // Not awaited: GCC 12 mishandles temporaries in co_await expressions, so
  // call sites stay plain calls.
  void reply_and_close(std::string reply);

  // The connection the session was opened on: the remote server's
  // (inbound) or the local XMPP server's (outbound).
  boost::asio::ip::tcp::socket socket_;
  std::shared_ptr<const Context> context_;
  std::shared_ptr<LinkSlot> slot_;
  Deadline deadline_;
  bool closed_ = false;
  std::array<char, 4096> buffer_{};

 private:
  boost::asio::awaitable<void> send_and_close(std::string reply);
};

}  // namespace pgptls::s2s
