// connect_command.cpp: `pgptls connect HOST:PORT --peer DOMAIN`, a TLS
// client like gnutls-cli: after the handshake stdin goes to the peer and the
// peer's data to stdout. One stderr line tells how the handshake went; a
// failed handshake exits 1. At the end of stdin, once everything is sent,
// it half-closes on every version: it sends close_notify and reads until
// the peer's own, so every reply arrives and no quiet period is guessed.
// * TLS 1.3: a close_notify closes only the sender's write side (RFC 8446
//   §6.1); the peer answers when it is done.
// * TLS 1.2: the peer must answer close_notify at once and discard its
//   pending writes (RFC 5246 §7.2.1), but close_notify is a record in the
//   stream: the peer receives it only after the data we sent before it, so
//   a peer that writes each reply before reading on (an echo) has sent every
//   reply before it answers.
// A peer that does not answer our close_notify within --close-timeout
// fails the run (exit 1).
#include <poll.h>
#include <unistd.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <cstdio>
#include <deque>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include "cli/commands.h"
#include "cli/endpoint_options.h"
#include "endpoint/option_values.h"
#include "transport/client.h"

namespace pgptls::cli {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

struct ConnectArgs {
  std::string target;
  std::string peer;
  int close_timeout_ms = 10'000;
  endpoint::EndpointOptions endpoint;
  std::string config;
};

// Session: the established connection's two directions, on the io thread.
struct Session {
  Session(transport::TcpStream& stream, std::chrono::milliseconds close_timeout)
      : tls(stream), close_deadline(stream.get_executor()), close_timeout(close_timeout) {}
  transport::TcpStream& tls;
  boost::asio::steady_timer close_deadline;
  std::chrono::milliseconds close_timeout;
  std::deque<std::string> outgoing;
  bool writing = false;
  bool input_done = false;
  bool shutdown_sent = false;
  bool peer_closed = false;
  int exit_code = 0;
  std::array<char, 16384> incoming{};

  void read() {
    tls.async_read_some(asio::buffer(incoming), [this](error_code error, std::size_t count) {
      if (error == asio::error::eof) {
        // The peer's close_notify: everything it sent has arrived.
        peer_closed = true;
        close_deadline.cancel();
        if (!shutdown_sent) {
          half_close();  // answer it (the peer ended first)
        }
        return;
      }
      if (error) {
        fail(error);
        return;
      }
      std::fwrite(incoming.data(), 1, count, stdout);
      std::fflush(stdout);
      read();
    });
  }

  void send(std::string data) {
    outgoing.push_back(std::move(data));
    write_next();
  }

  void end_of_input() {
    input_done = true;
    write_next();
  }

  void write_next() {
    if (writing || shutdown_sent) {
      return;
    }
    if (outgoing.empty()) {
      if (input_done) {
        half_close();
      }
      return;
    }
    writing = true;
    asio::async_write(tls, asio::buffer(outgoing.front()), [this](error_code error, std::size_t) {
      writing = false;
      outgoing.pop_front();
      if (error) {
        fail(error);
        return;
      }
      write_next();
    });
  }

  // half_close: our close_notify; the pending read goes on until the
  // peer's, bounded by --close-timeout.
  void half_close() {
    shutdown_sent = true;
    tls.async_shutdown([this](error_code shutdown_error) {
      if (shutdown_error && shutdown_error != asio::error::eof) {
        fail(shutdown_error);
      }
    });
    if (peer_closed) {
      return;
    }
    close_deadline.expires_after(close_timeout);
    close_deadline.async_wait([this](error_code error) {
      if (error || peer_closed) {
        return;
      }
      if (exit_code == 0) {
        std::cerr << "connection failed: the peer did not answer close_notify within "
                  << close_timeout.count() << " ms" << std::endl;
        exit_code = 1;
      }
      error_code ignored;
      tls.next_layer().close(ignored);
    });
  }

  void fail(const error_code& error) {
    close_deadline.cancel();
    if (exit_code == 0) {
      std::cerr << "connection failed: "
                << (tls.last_error() ? tls.last_error()->message() : error.message()) << std::endl;
      exit_code = 1;
    }
    error_code ignored;
    tls.next_layer().close(ignored);
  }
};

// StdinReader: reads stdin on its own thread (stdin may be a file, which
// epoll cannot watch) and posts the data to the io thread; stop() wakes it
// through a pipe so it can be joined.
class StdinReader {
 public:
  StdinReader() {
    if (::pipe(wake_) != 0) {
      wake_[0] = wake_[1] = -1;
    }
  }
  ~StdinReader() {
    stop();
    for (int fd : wake_) {
      if (fd >= 0) {
        ::close(fd);
      }
    }
  }
  StdinReader(const StdinReader&) = delete;
  StdinReader& operator=(const StdinReader&) = delete;

  void start(asio::io_context& io, Session& session) {
    thread_ = std::thread([this, &io, &session] {
      std::array<char, 16384> buffer{};
      for (;;) {
        std::array<pollfd, 2> fds{pollfd{STDIN_FILENO, POLLIN, 0}, pollfd{wake_[0], POLLIN, 0}};
        if (::poll(fds.data(), fds.size(), -1) < 0) {
          if (errno == EINTR) {
            continue;
          }
          break;
        }
        if (fds[1].revents != 0) {
          return;  // stop()
        }
        const ssize_t count = ::read(STDIN_FILENO, buffer.data(), buffer.size());
        if (count < 0 && errno == EINTR) {
          continue;
        }
        if (count <= 0) {
          break;
        }
        asio::post(io, [&session, data = std::string(buffer.data(),
                                                     static_cast<std::size_t>(count))]() mutable {
          session.send(std::move(data));
        });
      }
      asio::post(io, [&session] { session.end_of_input(); });
    });
  }

  void stop() {
    if (thread_.joinable()) {
      if (wake_[1] >= 0) {
        const char byte = 0;
        [[maybe_unused]] const auto ignored = ::write(wake_[1], &byte, 1);
      }
      thread_.join();
    }
  }

 private:
  int wake_[2] = {-1, -1};
  std::thread thread_;
};

int run_connect(const ConnectArgs& args) {
  if (args.peer.empty()) {
    return usage_error("connect", "give --peer DOMAIN, the domain the server must prove");
  }
  auto target = endpoint::parse_host_port(args.target);
  if (!target) {
    return usage_error("connect", target.error().message());
  }
  auto endpoint = endpoint::load_endpoint(args.endpoint, tls::Role::client);
  if (!endpoint) {
    return usage_error("connect", endpoint.error().message());
  }
  for (const std::string& warning : endpoint.value()->warnings) {
    std::cerr << "pgptls connect: warning: " << warning << "\n";
  }
  asio::io_context io;
  tcp::resolver resolver(io);
  error_code resolve_error;
  const auto endpoints =
      resolver.resolve(target.value().host, std::to_string(target.value().port), resolve_error);
  if (resolve_error) {
    std::cerr << endpoint::handshake_failed_line("cannot resolve '" + target.value().host +
                                                 "': " + resolve_error.message())
              << std::endl;
    return 1;
  }

  transport::TcpStream stream(endpoint::make_engine_factory(endpoint.value()), io.get_executor());
  Session session(stream, std::chrono::milliseconds(args.close_timeout_ms));
  StdinReader input;
  bool established = false;
  transport::async_connect(
      stream, endpoints, transport::HandshakeOptions::for_peer(args.peer),
      std::chrono::milliseconds(args.endpoint.handshake_timeout_ms), [&](error_code error) {
        if (error) {
          const std::string reason =
              stream.last_error() ? stream.last_error()->message() : error.message();
          std::cerr << endpoint::handshake_failed_line(reason) << std::endl;
          return;
        }
        established = true;
        std::cerr << endpoint::handshake_ok_line(stream.session()) << std::endl;
        session.read();
        input.start(io, session);
      });
  io.run();
  input.stop();
  if (!established) {
    return 1;
  }
  return session.exit_code;
}

void add_connect_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<ConnectArgs>();
  CLI::App* connect = app.add_subcommand(
      "connect", "Connect to a TLS s2s server; stdin to the peer, its data to stdout");
  connect->add_option("target", args->target, "HOST:PORT of the server")->required();
  // Not ->required(): it may come from --config.
  connect->add_option("--peer", args->peer, "The domain the server must prove, e.g. b.example");
  connect
      ->add_option("--close-timeout", args->close_timeout_ms,
                   "Milliseconds the peer may take to answer our close_notify after the end of "
                   "stdin (default 10000)")
      ->check(CLI::Range(1, 600'000));
  add_endpoint_options(connect, args->endpoint, args->config);
  connect->add_flag("--fingerprint-only", args->endpoint.credentials.openpgp.fingerprint_only,
                    "Send only our OpenPGP fingerprint, not the key (RFC 6091 §3.3); the "
                    "server must have our certificate in its keyring");
  connect
      ->add_option("--mode", args->endpoint.mode,
                   "openpgp (offer OpenPGP, then X.509), x509 (X.509 only, TLS 1.3), or auto "
                   "(default: OpenPGP when the keyring knows the peer as OpenPGP-capable)")
      ->check(CLI::IsMember({"openpgp", "x509", "auto"}));
  run_after_config_file(connect, args, action, run_connect);
}

const CommandRegistration connect_registration{"connect", add_connect_command};

}  // namespace
}  // namespace pgptls::cli
