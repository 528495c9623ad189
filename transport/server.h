// server.h: transport::Server, a TLS accept loop with the limits that keep
// a slow or silent peer (slowloris) from exhausting the process:
//   * handshake_timeout: a connection that has not finished its handshake by
//     then is closed (the peer may be silent or trickle bytes);
//   * idle_timeout: an established connection with no traffic in either
//     direction for this long is closed;
//   * max_handshakes / max_connections: while either limit is reached the
//     server stops accepting; new peers wait in the kernel's listen backlog
//     and are accepted as soon as a slot frees (a handshake finishes or times
//     out, a connection closes);
//   * handshake_share: records before handshakes. A handshake step costs
//     hundreds of microseconds of CPU, a record tens; while established
//     connections keep the loop busy, handshake work gets only this share
//     of its CPU time (all of it when the loop is otherwise idle), so a
//     flood of handshakes cannot starve the records
//     (transport/server_pacer.h).
// Established streams go to the connection handler, which owns them through
// a shared_ptr<Connection>; the connection slot is freed when the handler
// drops its last reference (the socket closes then).
//
// The Server and its connections run on the executor given to it, which must
// not run handlers concurrently (one io_context thread, or a strand); call
// its member functions from that executor too.
//
// Usage:
//   transport::Server server(io.get_executor(), endpoint, factory, {}, limits,
//       [](std::shared_ptr<transport::Connection> connection) {
//         // connection->stream() is established; session() says who it is
//         start_echo(std::move(connection));
//       },
//       [](const transport::HandshakeFailure& failure) {
//         std::cerr << "handshake failed: " << failure.error.message() << "\n";
//       });
//   server.start();      // Result<void>: fails if the address cannot be bound
//   asio::signal_set signals(io, SIGINT, SIGTERM);
//   signals.async_wait([&](auto, int) { server.stop(); });  // then drain
//   io.run();
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include "base/result.h"
#include "transport/engine_factory.h"
#include "transport/stream.h"

namespace pgptls::transport {

using TcpStream = Stream<boost::asio::ip::tcp::socket>;

// ServerLimits: the defaults suit a public s2s port. A zero duration
// disables that timeout.
struct ServerLimits {
  std::chrono::milliseconds handshake_timeout{10'000};
  std::chrono::milliseconds idle_timeout{300'000};
  std::size_t max_handshakes = 128;
  std::size_t max_connections = 4096;
  // handshake_share: the part of the event loop's CPU time that handshake
  // work may take while established connections keep it busy; records
  // come first, yet the share is always given, so no handshake starves
  // (transport/server_pacer.h). With no record traffic, handshakes use the
  // whole loop.
  double handshake_share = 0.1;
};

// ServerStats: counters since start(), for logs and tests.
struct ServerStats {
  std::uint64_t accepted = 0;
  std::uint64_t established = 0;
  std::uint64_t handshake_failed = 0;  // includes timeouts
  std::uint64_t handshake_timed_out = 0;
  std::uint64_t idle_closed = 0;
  std::size_t handshaking = 0;       // now
  std::size_t peak_handshaking = 0;  // the most at once (never above max_handshakes)
  std::size_t connections = 0;       // now, handshaking ones included
  // Handler invocations of handshaking connections run by the pacer.
  std::uint64_t paced_handshake_steps = 0;
};

// ListenSharing: whether other sockets may listen on the same port.
enum class ListenSharing { exclusive, reuse_port };

// HandshakeFailure: what the failure handler is told.
struct HandshakeFailure {
  boost::asio::ip::tcp::endpoint peer;
  Error error;  // error.message() names the cause and the fix
};

namespace detail {
struct ServerState;
}

// Connection: one established connection handed to the handler.
class Connection {
 public:
  Connection(std::shared_ptr<detail::ServerState> server, std::unique_ptr<TcpStream> stream,
             boost::asio::ip::tcp::endpoint peer);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  [[nodiscard]] TcpStream& stream() { return *stream_; }
  [[nodiscard]] const boost::asio::ip::tcp::endpoint& peer() const { return peer_; }
  // idle_timed_out: true once the idle timeout closed the socket (pending
  // operations then completed with operation_aborted).
  [[nodiscard]] bool idle_timed_out() const { return idle_timed_out_; }
  // close: closes the socket now (pending operations are aborted).
  void close();

 private:
  friend struct detail::ServerState;
  std::shared_ptr<detail::ServerState> server_;
  std::unique_ptr<TcpStream> stream_;
  boost::asio::ip::tcp::endpoint peer_;
  boost::asio::steady_timer idle_timer_;
  bool idle_timed_out_ = false;
};

using ConnectionHandler = std::function<void(std::shared_ptr<Connection>)>;
using FailureHandler = std::function<void(const HandshakeFailure&)>;

class Server {
 public:
  Server(boost::asio::any_io_executor executor, boost::asio::ip::tcp::endpoint listen,
         EngineFactory factory, HandshakeOptions options, ServerLimits limits,
         ConnectionHandler on_connection, FailureHandler on_failure = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // start: binds and listens, then accepts. Fails (naming the address) if
  // the address cannot be bound. With ListenSharing::reuse_port, several
  // servers (one per event-loop thread) bind the same address and port with
  // SO_REUSEPORT and the kernel spreads new connections over them (only
  // sockets of the same user may join, Linux socket(7)).
  [[nodiscard]] Status start(ListenSharing sharing = ListenSharing::exclusive);
  // stop: stops accepting and aborts handshakes in progress; established
  // connections stay with their handlers (the caller drains them).
  void stop();
  // local_endpoint: the bound address (useful with port 0).
  [[nodiscard]] boost::asio::ip::tcp::endpoint local_endpoint() const;
  [[nodiscard]] ServerStats stats() const;

 private:
  std::shared_ptr<detail::ServerState> state_;
};

}  // namespace pgptls::transport
