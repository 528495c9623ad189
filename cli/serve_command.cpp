// serve_command.cpp: `pgptls serve --listen ADDR:PORT`, a TLS server for
// s2s peers that prints one line per handshake and echoes (--echo) or
// relays to a plain server (--forward HOST:PORT). --threads event loops
// (one per core by default) accept on the same port, sharing the trust
// state (read-only but for its thread-safe caches). SIGINT/SIGTERM stop the
// accepting, give established connections --drain-timeout to finish, and
// exit 0.
#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cli/commands.h"
#include "cli/endpoint_options.h"
#include "cli/endpoint_session.h"
#include "endpoint/option_values.h"
#include "transport/server.h"

namespace pgptls::cli {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

struct ServeArgs {
  std::string listen;
  bool echo = false;
  std::string forward;
  int idle_timeout_ms = 300'000;
  std::size_t max_handshakes = 128;
  std::size_t max_connections = 4096;
  int handshake_share_percent = 10;
  int drain_timeout_ms = 5'000;
  std::size_t threads = 0;  // 0: one per core
  endpoint::EndpointOptions endpoint;
  std::string config;
};

// ConnectionDrain: after a stop signal, waits for established connections to end and
// closes those still open at the deadline.
struct ConnectionDrain {
  explicit ConnectionDrain(asio::io_context& io) : timer(io) {}
  asio::steady_timer timer;
  std::vector<std::weak_ptr<transport::Connection>> connections;
  std::chrono::steady_clock::time_point deadline;

  std::size_t live() {
    std::erase_if(connections, [](const auto& weak) { return weak.expired(); });
    return connections.size();
  }

  void poll() {
    if (live() == 0) {
      return;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      for (const auto& weak : connections) {
        if (auto connection = weak.lock()) {
          connection->close();
        }
      }
      return;
    }
    timer.expires_after(std::chrono::milliseconds(50));
    timer.async_wait([this](boost::system::error_code error) {
      if (!error) {
        poll();
      }
    });
  }
};

// Worker: one event-loop thread: its io_context, server and drain.
struct Worker {
  asio::io_context io{1};  // run by one thread
  ConnectionDrain drain{io};
  std::unique_ptr<transport::Server> server;
};

// thread_count: --threads, or one per core; never more threads than the
// handshake limit can give a share to.
std::size_t thread_count(const ServeArgs& args) {
  std::size_t threads = args.threads;
  if (threads == 0) {
    threads = std::max(1U, std::thread::hardware_concurrency());
  }
  return std::max<std::size_t>(1, std::min({threads, args.max_handshakes, args.max_connections}));
}

// share: thread i's part of a limit; the parts add up to the limit.
std::size_t share(std::size_t limit, std::size_t threads, std::size_t i) {
  return limit / threads + (i < limit % threads ? 1 : 0);
}

// print_line: one line on stderr in one write, so that threads' lines do
// not interleave.
void print_line(const std::string& line) {
  std::cerr << (line + "\n") << std::flush;
}

int run_serve(const ServeArgs& args) {
  if (args.listen.empty()) {
    return usage_error("serve", "give --listen ADDR:PORT (or listen = \"ADDR:PORT\" in --config)");
  }
  auto listen = endpoint::parse_host_port(args.listen);
  if (!listen) {
    return usage_error("serve", "--listen: " + listen.error().message());
  }
  boost::system::error_code address_error;
  const auto address = asio::ip::make_address(listen.value().host, address_error);
  if (address_error) {
    return usage_error("serve", "--listen: '" + listen.value().host +
                                    "' is not an IP address; give one, e.g. 127.0.0.1:5269 or "
                                    "[::]:5269");
  }
  if (args.echo == !args.forward.empty()) {
    return usage_error("serve", "give exactly one of --echo and --forward HOST:PORT");
  }
  auto endpoint = endpoint::load_endpoint(args.endpoint, tls::Role::server);
  if (!endpoint) {
    return usage_error("serve", endpoint.error().message());
  }
  for (const std::string& warning : endpoint.value()->warnings) {
    std::cerr << "pgptls serve: warning: " << warning << "\n";
  }

  const std::size_t threads = thread_count(args);
  std::vector<std::unique_ptr<Worker>> workers;
  for (std::size_t i = 0; i < threads; ++i) {
    workers.push_back(std::make_unique<Worker>());
  }
  tcp::resolver::results_type forward_target;
  if (!args.forward.empty()) {
    auto forward = endpoint::parse_host_port(args.forward);
    if (!forward) {
      return usage_error("serve", "--forward: " + forward.error().message());
    }
    tcp::resolver resolver(workers.front()->io);
    boost::system::error_code resolve_error;
    forward_target =
        resolver.resolve(forward.value().host, std::to_string(forward.value().port), resolve_error);
    if (resolve_error) {
      return usage_error("serve", "--forward: cannot resolve '" + forward.value().host +
                                      "': " + resolve_error.message());
    }
  }

  // Each thread gets its share of the limits, so that together they keep
  // the totals given.
  transport::ServerLimits limits;
  limits.handshake_timeout = std::chrono::milliseconds(args.endpoint.handshake_timeout_ms);
  limits.idle_timeout = std::chrono::milliseconds(args.idle_timeout_ms);
  limits.handshake_share = args.handshake_share_percent / 100.0;
  tcp::endpoint where(address, listen.value().port);
  const auto sharing =
      threads > 1 ? transport::ListenSharing::reuse_port : transport::ListenSharing::exclusive;
  for (std::size_t i = 0; i < threads; ++i) {
    Worker& worker = *workers[i];
    limits.max_handshakes = share(args.max_handshakes, threads, i);
    limits.max_connections = share(args.max_connections, threads, i);
    worker.server = std::make_unique<transport::Server>(
        worker.io.get_executor(), where, endpoint::make_engine_factory(endpoint.value()),
        transport::HandshakeOptions{}, limits,
        [&args, &worker, forward_target](std::shared_ptr<transport::Connection> connection) {
          print_line(endpoint::handshake_ok_line(connection->stream().session()));
          worker.drain.live();  // forget closed ones so the list stays short
          worker.drain.connections.push_back(connection);
          if (args.echo) {
            start_echo(std::move(connection));
          } else {
            start_forward(std::move(connection), forward_target);
          }
        },
        [](const transport::HandshakeFailure& failure) {
          print_line(endpoint::handshake_failed_line(failure.error.message()));
        });
    if (auto started = worker.server->start(sharing); !started) {
      return usage_error("serve", started.error().message());
    }
    // The others join the port the first one got (port 0 picks one).
    where = worker.server->local_endpoint();
  }
  // One write: a reader waiting for this line never sees half of it.
  const std::string ready =
      "listening on " + where.address().to_string() + ":" + std::to_string(where.port()) + "\n";
  std::cerr << ready << std::flush;

  // A stop signal stops every thread's server and drains its connections;
  // the line reports them all.
  std::atomic<std::size_t> draining{0};
  std::atomic<std::size_t> pending{threads};
  asio::signal_set signals(workers.front()->io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code error, int) {
    if (error) {
      return;
    }
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(args.drain_timeout_ms);
    for (const auto& worker : workers) {
      asio::post(worker->io, [&, w = worker.get(), deadline] {
        w->server->stop();
        draining += w->drain.live();
        if (--pending == 0) {
          print_line("stopping: draining " + std::to_string(draining.load()) + " connection(s)");
        }
        w->drain.deadline = deadline;
        w->drain.poll();
      });
    }
  });
  std::vector<std::thread> running;
  for (std::size_t i = 1; i < threads; ++i) {
    running.emplace_back([&worker = *workers[i]] { worker.io.run(); });
  }
  workers.front()->io.run();
  for (std::thread& thread : running) {
    thread.join();
  }
  return 0;
}

void add_serve_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* serve = app.add_subcommand("serve", "Accept TLS s2s connections and report each peer");
  // Not ->required(): it may come from --config.
  serve->add_option("--listen", args->listen, "ADDR:PORT to listen on, e.g. 127.0.0.1:5269");
  auto* echo = serve->add_flag("--echo", args->echo, "Send every received byte back");
  serve->add_option("--forward", args->forward, "Relay to the plain server at HOST:PORT")
      ->excludes(echo);
  serve
      ->add_option("--idle-timeout", args->idle_timeout_ms,
                   "Milliseconds without traffic before a connection is closed (default 300000)")
      ->check(CLI::Range(0, 86'400'000));
  serve
      ->add_option("--max-handshakes", args->max_handshakes,
                   "Handshakes at once (default 128); more peers wait in the backlog")
      ->check(CLI::Range(1, 100'000));
  serve
      ->add_option("--max-connections", args->max_connections, "Connections at once (default 4096)")
      ->check(CLI::Range(1, 1'000'000));
  serve
      ->add_option("--handshake-share", args->handshake_share_percent,
                   "Percent of an event loop's time handshakes may take while established "
                   "connections keep it busy (default 10); records come first, and handshakes get "
                   "the whole loop when it is otherwise idle")
      ->check(CLI::Range(1, 90));
  serve
      ->add_option(
          "--drain-timeout", args->drain_timeout_ms,
          "Milliseconds established connections get to finish after SIGTERM (default 5000)")
      ->check(CLI::Range(0, 3'600'000));
  serve
      ->add_option("--threads", args->threads,
                   "Event-loop threads (default: one per core); each accepts on the same port "
                   "(SO_REUSEPORT) and gets an equal share of --max-handshakes and "
                   "--max-connections")
      ->check(CLI::Range(0, 256));
  add_endpoint_options(serve, args->endpoint, args->config);
  run_after_config_file(serve, args, action, run_serve);
}

const CommandRegistration serve_registration{"serve", add_serve_command};

}  // namespace
}  // namespace pgptls::cli
