#include "tests/cli/load_clients.h"

#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <utility>

#include "transport/client.h"
#include "transport/server.h"

namespace pgptls::test {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kMaxRecordedFailures = 10;

// message_for: a message unique to client `index`, so a crossed echo (one
// client's bytes sent to another) is caught.
std::string message_for(std::size_t index, const EchoLoadOptions& options) {
  std::string text = "client " + std::to_string(index) + " ";
  for (std::size_t i = text.size(); i < options.message_size; ++i) {
    text.push_back(static_cast<char>('a' + (index + i) % 26));
  }
  text.resize(options.message_size);
  if (options.end_with_newline) {
    text.back() = '\n';
  }
  return text;
}

// One client's connection and what it needs until it finishes.
struct ClientRun {
  ClientRun(asio::io_context& io, const transport::EngineFactory& factory, std::size_t index,
            std::string message)
      : stream(factory, io.get_executor()),
        timer(io),
        index(index),
        message(std::move(message)),
        reply(this->message.size(), '\0') {}
  transport::TcpStream stream;
  asio::steady_timer timer;
  std::size_t index;
  std::string message;
  std::string reply;
  bool finished = false;
};

}  // namespace

struct EchoLoad::State : std::enable_shared_from_this<EchoLoad::State> {
  State(asio::io_context& io, tcp::endpoint server, transport::EngineFactory factory,
        EchoLoadOptions options)
      : io(io), server(server), factory(std::move(factory)), options(std::move(options)) {}

  asio::io_context& io;
  tcp::endpoint server;
  transport::EngineFactory factory;
  EchoLoadOptions options;
  EchoLoadResult result;
  std::size_t launched = 0;
  std::size_t ended = 0;
  bool stopped = false;

  void launch() {
    if (stopped || launched >= options.total) {
      return;
    }
    const std::size_t index = launched++;
    auto client = std::make_shared<ClientRun>(io, factory, index, message_for(index, options));
    client->timer.expires_after(options.deadline);
    client->timer.async_wait([self = shared_from_this(), client](error_code error) {
      if (error || client->finished) {
        return;
      }
      // Aborts whatever step is pending; its handler reports the failure.
      error_code ignored;
      client->stream.next_layer().close(ignored);
      self->finish(*client, "no complete exchange within " +
                                std::to_string(self->options.deadline.count()) + " ms");
    });
    transport::async_connect(client->stream, std::vector<tcp::endpoint>{server},
                             transport::HandshakeOptions::for_peer(options.peer_domain),
                             options.deadline,
                             [self = shared_from_this(), client](error_code error) {
                               self->established(client, error);
                             });
  }

  void established(const std::shared_ptr<ClientRun>& client, error_code error) {
    if (error) {
      const auto& detail = client->stream.last_error();
      finish(*client, "handshake: " + (detail ? detail->message() : error.message()));
      return;
    }
    const auto& session = client->stream.session();
    ++result.protocols[session.protocol];
    ++result.certificate_types[std::string(tls::certificate_type_name(session.certificate_type))];
    exchange(client);
  }

  void exchange(const std::shared_ptr<ClientRun>& client) {
    asio::async_write(
        client->stream, asio::buffer(client->message),
        [self = shared_from_this(), client](error_code error, std::size_t) {
          if (error) {
            self->finish(*client, "write: " + error.message());
            return;
          }
          asio::async_read(
              client->stream, asio::buffer(client->reply),
              [self, client](error_code read_error, std::size_t) {
                if (read_error) {
                  self->finish(*client, "read: " + read_error.message());
                  return;
                }
                if (client->reply != client->message) {
                  self->finish(*client, "the echo differs: sent '" + client->message + "', got '" +
                                            client->reply + "'");
                  return;
                }
                // RFC 8446 §6.1: end with close_notify; the server answers.
                client->stream.async_shutdown([self, client](error_code shutdown_error) {
                  self->finish(*client, shutdown_error && shutdown_error != asio::error::eof
                                            ? "shutdown: " + shutdown_error.message()
                                            : std::string());
                });
              });
        });
  }

  // finish: records one client's outcome (empty: success) and starts the
  // next client.
  void finish(ClientRun& client, const std::string& failure) {
    if (client.finished) {
      return;
    }
    client.finished = true;
    client.timer.cancel();
    if (failure.empty()) {
      if (result.succeeded == 0) {
        result.first_success = Clock::now();
      }
      ++result.succeeded;
    } else {
      ++result.failed;
      if (result.failures.size() < kMaxRecordedFailures) {
        result.failures.push_back("client " + std::to_string(client.index) + ": " + failure);
      }
    }
    if (++ended == options.total) {
      result.finished = Clock::now();
    }
    launch();
  }
};

EchoLoad::EchoLoad(asio::io_context& io, tcp::endpoint server, transport::EngineFactory factory,
                   EchoLoadOptions options)
    : state_(std::make_shared<State>(io, server, std::move(factory), std::move(options))) {}

EchoLoad::~EchoLoad() {
  // Handlers still queued hold the state; they only finish their clients.
  state_->stopped = true;
}

void EchoLoad::start() {
  state_->result.started = Clock::now();
  for (std::size_t i = 0; i < state_->options.concurrency; ++i) {
    state_->launch();
  }
}

bool EchoLoad::done() const {
  return state_->ended == state_->options.total;
}

const EchoLoadResult& EchoLoad::result() const {
  return state_->result;
}

}  // namespace pgptls::test
