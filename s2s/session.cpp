#include "s2s/session.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <utility>

namespace pgptls::s2s {

namespace asio = boost::asio;

Session::Session(asio::ip::tcp::socket socket, std::shared_ptr<const Context> context,
                 std::shared_ptr<LinkSlot> slot)
    : socket_(std::move(socket)),
      context_(std::move(context)),
      slot_(std::move(slot)),
      deadline_(socket_.get_executor()) {}

Session::~Session() = default;

void Session::start() {
  asio::co_spawn(socket_.get_executor(), run(), asio::detached);
}

void Session::close() {
  if (closed_) {
    return;
  }
  closed_ = true;
  boost::system::error_code ignored;
  socket_.close(ignored);
  close_others();
}

void Session::close_at_deadline() {
  deadline_.start(context_->limits.handshake_timeout, [weak = weak_from_this()] {
    if (auto session = weak.lock()) {
      session->close();
    }
  });
}

void Session::reply_and_close(std::string reply) {
  asio::co_spawn(socket_.get_executor(), send_and_close(std::move(reply)), asio::detached);
}

asio::awaitable<void> Session::send_and_close(std::string reply) {
  auto self = shared_from_this();
  if (!reply.empty() && !closed_) {
    co_await write_all(socket_, reply);
  }
  close();
}

}  // namespace pgptls::s2s
