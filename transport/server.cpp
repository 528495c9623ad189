#include "transport/server.h"

#include <algorithm>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/error.hpp>
#include <set>
#include <string>
#include <utility>

#include "transport/server_pacer.h"

namespace pgptls::transport {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace detail {

namespace {

std::string describe(const tcp::endpoint& endpoint) {
  boost::system::error_code ignored;
  return endpoint.address().to_string(ignored) + ":" + std::to_string(endpoint.port());
}

}  // namespace

// Handshake: a connection whose handshake is running (its deadline is the
// stream's, HandshakeOptions::timeout).
// Its socket's executor is paced through `gate` until the handshake ends.
struct Handshake {
  Handshake(std::unique_ptr<TcpStream> tls, tcp::endpoint from, std::shared_ptr<Gate> paced)
      : stream(std::move(tls)), peer(std::move(from)), gate(std::move(paced)) {}
  std::unique_ptr<TcpStream> stream;
  tcp::endpoint peer;
  std::shared_ptr<Gate> gate;
  bool timed_out = false;
};

struct ServerState : std::enable_shared_from_this<ServerState> {
  ServerState(asio::any_io_executor executor_in, tcp::endpoint listen_in, EngineFactory factory_in,
              HandshakeOptions options_in, ServerLimits limits_in, ConnectionHandler handler_in,
              FailureHandler failure_in)
      : executor(executor_in),
        acceptor(executor_in),
        retry_timer(executor_in),
        pacer(std::make_shared<HandshakePacer>(executor_in,
                                               PacingPolicy{.share = limits_in.handshake_share})),
        listen(std::move(listen_in)),
        factory(std::move(factory_in)),
        options(std::move(options_in)),
        limits(limits_in),
        on_connection(std::move(handler_in)),
        on_failure(std::move(failure_in)) {}

  asio::any_io_executor executor;
  tcp::acceptor acceptor;
  asio::steady_timer retry_timer;
  std::shared_ptr<HandshakePacer> pacer;
  tcp::endpoint listen;
  EngineFactory factory;
  HandshakeOptions options;
  ServerLimits limits;
  ConnectionHandler on_connection;
  FailureHandler on_failure;
  ServerStats stats;
  std::set<std::shared_ptr<Handshake>> handshakes;
  bool accepting = false;
  bool stopped = false;

  void maybe_accept() {
    if (stopped || accepting || stats.handshaking >= limits.max_handshakes ||
        stats.connections >= limits.max_connections) {
      return;
    }
    accepting = true;
    // The new socket's handlers go through the pacer until its handshake
    // ends: records first (server_pacer.h).
    auto gate = std::make_shared<Gate>(pacer);
    acceptor.async_accept(
        PacedExecutor(executor, gate),
        [self = shared_from_this(), gate](boost::system::error_code error, tcp::socket socket) {
          self->on_accept(error, std::move(socket), gate);
        });
  }

  void on_accept(const boost::system::error_code& error, tcp::socket socket,
                 std::shared_ptr<Gate> gate) {
    accepting = false;
    if (stopped) {
      return;
    }
    if (error) {
      // Out of file descriptors or a transient network error: try again
      // shortly rather than spinning or giving up.
      retry_timer.expires_after(std::chrono::milliseconds(100));
      retry_timer.async_wait([self = shared_from_this()](boost::system::error_code wait_error) {
        if (!wait_error) {
          self->maybe_accept();
        }
      });
      return;
    }
    ++stats.accepted;
    ++stats.connections;
    ++stats.handshaking;
    stats.peak_handshaking = std::max(stats.peak_handshaking, stats.handshaking);
    start_handshake(std::move(socket), std::move(gate));
    maybe_accept();
  }

  void start_handshake(tcp::socket socket, std::shared_ptr<Gate> gate) {
    boost::system::error_code ignored;
    const tcp::endpoint peer = socket.remote_endpoint(ignored);
    // Handshake flights and stanzas are small writes: without TCP_NODELAY
    // each waits for the peer's delayed ACK (about 40 ms on Linux). A
    // failure only costs latency, so the connection goes on.
    socket.set_option(tcp::no_delay(true), ignored);
    auto handshake = std::make_shared<Handshake>(
        std::make_unique<TcpStream>(factory, std::move(socket)), peer, std::move(gate));
    handshakes.insert(handshake);
    HandshakeOptions with_deadline = options;
    with_deadline.timeout = limits.handshake_timeout;
    handshake->stream->async_handshake(
        tls::Role::server, std::move(with_deadline),
        [self = shared_from_this(), handshake](boost::system::error_code error) {
          self->on_handshake(handshake, error);
        });
  }

  void on_handshake(const std::shared_ptr<Handshake>& handshake,
                    const boost::system::error_code& error) {
    // From here on the connection's handlers run as soon as they are ready.
    handshake->gate->pacing = false;
    const auto& last = handshake->stream->last_error();
    handshake->timed_out = last && last->code == Errc::handshake_timeout;
    handshakes.erase(handshake);
    --stats.handshaking;
    if (error) {
      ++stats.handshake_failed;
      --stats.connections;
      if (on_failure) {
        on_failure(HandshakeFailure{handshake->peer, failure_of(*handshake, error)});
      }
      boost::system::error_code ignored;
      handshake->stream->next_layer().close(ignored);
    } else {
      ++stats.established;
      auto connection = std::make_shared<Connection>(shared_from_this(),
                                                     std::move(handshake->stream), handshake->peer);
      arm_idle(connection);
      if (on_connection) {
        on_connection(std::move(connection));
      }
    }
    maybe_accept();
  }

  Error failure_of(const Handshake& handshake, const boost::system::error_code& error) {
    if (handshake.timed_out) {
      ++stats.handshake_timed_out;
    }
    if (const auto& last = handshake.stream->last_error()) {
      return handshake.timed_out ? *last : last->wrap("handshake with " + describe(handshake.peer));
    }
    return Error{static_cast<std::error_code>(error), "handshake with " + describe(handshake.peer)};
  }

  void arm_idle(const std::shared_ptr<Connection>& connection) {
    if (limits.idle_timeout.count() <= 0) {
      return;
    }
    connection->idle_timer_.expires_at(connection->stream().last_activity() + limits.idle_timeout);
    connection->idle_timer_.async_wait(
        [self = shared_from_this(),
         weak = std::weak_ptr<Connection>(connection)](boost::system::error_code error) {
          auto live = weak.lock();
          if (error || !live) {
            return;
          }
          const auto idle = std::chrono::steady_clock::now() - live->stream().last_activity();
          if (idle >= self->limits.idle_timeout) {
            live->idle_timed_out_ = true;
            ++self->stats.idle_closed;
            live->close();
            return;
          }
          self->arm_idle(live);
        });
  }

  void connection_closed() {
    --stats.connections;
    maybe_accept();
  }

  void stop() {
    stopped = true;
    boost::system::error_code ignored;
    acceptor.close(ignored);
    retry_timer.cancel();
    for (const auto& handshake : handshakes) {
      handshake->stream->next_layer().close(ignored);
    }
  }
};

}  // namespace detail

Connection::Connection(std::shared_ptr<detail::ServerState> server,
                       std::unique_ptr<TcpStream> stream, tcp::endpoint peer)
    : server_(std::move(server)),
      stream_(std::move(stream)),
      peer_(std::move(peer)),
      idle_timer_(stream_->get_executor()) {}

Connection::~Connection() {
  idle_timer_.cancel();
  close();
  server_->connection_closed();
}

void Connection::close() {
  boost::system::error_code ignored;
  stream_->next_layer().close(ignored);
}

Server::Server(asio::any_io_executor executor, tcp::endpoint listen, EngineFactory factory,
               HandshakeOptions options, ServerLimits limits, ConnectionHandler on_connection,
               FailureHandler on_failure)
    : state_(std::make_shared<detail::ServerState>(
          std::move(executor), std::move(listen), std::move(factory), std::move(options), limits,
          std::move(on_connection), std::move(on_failure))) {}

Server::~Server() {
  stop();
}

Status Server::start(ListenSharing sharing) {
  auto& acceptor = state_->acceptor;
  boost::system::error_code error;
  const auto fail = [&](const char* what) -> Status {
    return Error{static_cast<std::error_code>(error),
                 std::string(what) + " " + detail::describe(state_->listen) +
                     " (is another server using the port, or is the address not local?)"};
  };
  if (acceptor.open(state_->listen.protocol(), error)) {
    return fail("cannot open a socket for");
  }
  if (acceptor.set_option(tcp::acceptor::reuse_address(true), error)) {
    return fail("cannot set SO_REUSEADDR on");
  }
  if (sharing == ListenSharing::reuse_port &&
      acceptor.set_option(asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>(true),
                          error)) {
    return fail("cannot set SO_REUSEPORT on");
  }
  if (acceptor.bind(state_->listen, error)) {
    return fail("cannot bind");
  }
  if (acceptor.listen(asio::socket_base::max_listen_connections, error)) {
    return fail("cannot listen on");
  }
  state_->maybe_accept();
  return {};
}

void Server::stop() {
  state_->stop();
}

tcp::endpoint Server::local_endpoint() const {
  boost::system::error_code ignored;
  return state_->acceptor.local_endpoint(ignored);
}

ServerStats Server::stats() const {
  ServerStats stats = state_->stats;
  stats.paced_handshake_steps = state_->pacer->steps_run();
  return stats;
}

}  // namespace pgptls::transport
