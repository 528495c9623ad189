// serve_command.cpp: `pgptls serve --listen ADDR:PORT`, a TLS server for
// s2s peers that prints one line per handshake and echoes (--echo) or
// relays to a plain server (--forward HOST:PORT). SIGINT/SIGTERM stop the
// accepting, give established connections --drain-timeout to finish, and
// exit 0.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <iostream>
#include <memory>
#include <string>
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
  int drain_timeout_ms = 5'000;
  endpoint::EndpointOptions endpoint;
  std::string config;
};

// Drain: after a stop signal, waits for established connections to end and
// closes those still open at the deadline.
struct Drain {
  explicit Drain(asio::io_context& io) : timer(io) {}
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

int run_serve(const ServeArgs& args) {
  if (args.listen.empty()) {
    std::cerr << "pgptls serve: give --listen ADDR:PORT (or listen = \"ADDR:PORT\" in --config)\n";
    return 2;
  }
  auto listen = endpoint::parse_host_port(args.listen);
  if (!listen) {
    std::cerr << "pgptls serve: --listen: " << listen.error().message() << "\n";
    return 2;
  }
  boost::system::error_code address_error;
  const auto address = asio::ip::make_address(listen.value().host, address_error);
  if (address_error) {
    std::cerr << "pgptls serve: --listen: '" << listen.value().host
              << "' is not an IP address; give one, e.g. 127.0.0.1:5269 or [::]:5269\n";
    return 2;
  }
  if (args.echo == !args.forward.empty()) {
    std::cerr << "pgptls serve: give exactly one of --echo and --forward HOST:PORT\n";
    return 2;
  }
  auto endpoint = endpoint::load_endpoint(args.endpoint, tls::Role::server);
  if (!endpoint) {
    std::cerr << "pgptls serve: " << endpoint.error().message() << "\n";
    return 2;
  }
  for (const std::string& warning : endpoint.value()->warnings) {
    std::cerr << "pgptls serve: warning: " << warning << "\n";
  }

  asio::io_context io;
  tcp::resolver::results_type forward_target;
  if (!args.forward.empty()) {
    auto forward = endpoint::parse_host_port(args.forward);
    if (!forward) {
      std::cerr << "pgptls serve: --forward: " << forward.error().message() << "\n";
      return 2;
    }
    tcp::resolver resolver(io);
    boost::system::error_code resolve_error;
    forward_target =
        resolver.resolve(forward.value().host, std::to_string(forward.value().port), resolve_error);
    if (resolve_error) {
      std::cerr << "pgptls serve: --forward: cannot resolve '" << forward.value().host
                << "': " << resolve_error.message() << "\n";
      return 2;
    }
  }

  transport::ServerLimits limits;
  limits.handshake_timeout = std::chrono::milliseconds(args.endpoint.handshake_timeout_ms);
  limits.idle_timeout = std::chrono::milliseconds(args.idle_timeout_ms);
  limits.max_handshakes = args.max_handshakes;
  limits.max_connections = args.max_connections;

  Drain drain(io);
  transport::Server server(
      io.get_executor(), tcp::endpoint(address, listen.value().port),
      endpoint::make_engine_factory(endpoint.value()), transport::HandshakeOptions{}, limits,
      [&](std::shared_ptr<transport::Connection> connection) {
        std::cerr << endpoint::handshake_ok_line(connection->stream().session()) << std::endl;
        drain.live();  // forget closed ones so the list stays short
        drain.connections.push_back(connection);
        if (args.echo) {
          start_echo(std::move(connection));
        } else {
          start_forward(std::move(connection), forward_target);
        }
      },
      [](const transport::HandshakeFailure& failure) {
        std::cerr << endpoint::handshake_failed_line(failure.error.message()) << std::endl;
      });
  if (auto started = server.start(); !started) {
    std::cerr << "pgptls serve: " << started.error().message() << "\n";
    return 2;
  }
  const auto bound = server.local_endpoint();
  std::cerr << "listening on " << bound.address().to_string() << ":" << bound.port() << std::endl;

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code error, int) {
    if (error) {
      return;
    }
    server.stop();
    std::cerr << "stopping: draining " << drain.live() << " connection(s)" << std::endl;
    drain.deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(args.drain_timeout_ms);
    drain.poll();
  });
  io.run();
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
      ->add_option(
          "--drain-timeout", args->drain_timeout_ms,
          "Milliseconds established connections get to finish after SIGTERM (default 5000)")
      ->check(CLI::Range(0, 3'600'000));
  add_endpoint_options(serve, args->endpoint, args->config);
  serve->callback([serve, args, &action] {
    action = [serve, args] {
      if (auto applied = apply_config_file(serve, args->config); !applied) {
        std::cerr << "pgptls serve: " << applied.error().message() << "\n";
        return 2;
      }
      return run_serve(*args);
    };
  });
}

const CommandRegistration serve_registration{"serve", add_serve_command};

}  // namespace
}  // namespace pgptls::cli
