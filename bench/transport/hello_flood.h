// hello_flood.h: a handshake flood that is cheap for the flooder and costly
// for the server, as an attacker makes one. Every client sends the same
// ClientHello (recorded once from a real TLS client, so one key share
// reused), half-closes, and reads until the server closes. The server does
// the costly half of each handshake in full: on the ClientHello it makes its
// key share, derives the handshake secrets, signs its CertificateVerify and
// sends its flight (RFC 8446 §4.1.3-4.4); then it reads the client's FIN
// and fails the handshake (what the flood spares it is checking a client's
// certificate and CertificateVerify). The flooder does no cryptography: it
// costs a few system calls per connection, so on a shared machine its CPU
// does not come out of other clients' (a flood of full GnuTLS handshakes
// costs its client more CPU than the server).
//
// Usage:
//   asio::io_context io;
//   bench::HelloFlood flood(io, endpoint, client_hello, 2000, 200);
//   flood.start();
//   while (!flood.done()) { io.run_one_for(50ms); }
#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace pgptls::bench {

class HelloFlood {
 public:
  // total clients, `concurrency` of them connected at a time.
  HelloFlood(boost::asio::io_context& io, boost::asio::ip::tcp::endpoint server,
             std::vector<std::uint8_t> client_hello, std::size_t total, std::size_t concurrency)
      : state_(std::make_shared<State>(io, server, std::move(client_hello), total, concurrency)) {}

  void start() {
    for (std::size_t i = 0; i < state_->concurrency && i < state_->total; ++i) {
      launch(state_);
    }
  }
  [[nodiscard]] bool done() const { return state_->finished == state_->total; }
  // answered: clients the server answered with its flight before closing;
  // failed: the others (no connection, or the server closed at once).
  [[nodiscard]] std::size_t answered() const { return state_->answered; }
  [[nodiscard]] std::size_t failed() const { return state_->finished - state_->answered; }
  // received: the bytes the server sent back, all clients together.
  [[nodiscard]] std::size_t received() const { return state_->received; }

 private:
  struct State {
    State(boost::asio::io_context& context, boost::asio::ip::tcp::endpoint to,
          std::vector<std::uint8_t> hello, std::size_t all, std::size_t at_once)
        : io(context),
          server(to),
          client_hello(std::move(hello)),
          total(all),
          concurrency(at_once) {}
    boost::asio::io_context& io;
    boost::asio::ip::tcp::endpoint server;
    std::vector<std::uint8_t> client_hello;
    std::size_t total;
    std::size_t concurrency;
    std::size_t launched = 0;
    std::size_t finished = 0;
    std::size_t answered = 0;
    std::size_t received = 0;
  };
  // Client: one connection and what it read back.
  struct Client {
    explicit Client(boost::asio::io_context& io) : socket(io) {}
    boost::asio::ip::tcp::socket socket;
    std::vector<std::uint8_t> buffer = std::vector<std::uint8_t>(4096);
    std::size_t received = 0;
  };

  static void launch(const std::shared_ptr<State>& state) {
    if (state->launched == state->total) {
      return;
    }
    ++state->launched;
    auto client = std::make_shared<Client>(state->io);
    client->socket.async_connect(state->server, [state, client](boost::system::error_code error) {
      if (error) {
        finish(state, *client);
        return;
      }
      boost::asio::async_write(client->socket, boost::asio::buffer(state->client_hello),
                               [state, client](boost::system::error_code write_error, std::size_t) {
                                 if (write_error) {
                                   finish(state, *client);
                                   return;
                                 }
                                 boost::system::error_code ignored;
                                 client->socket.shutdown(
                                     boost::asio::ip::tcp::socket::shutdown_send, ignored);
                                 read_to_end(state, client);
                               });
    });
  }

  // read_to_end: reads the server's flight (and its alert) until it closes.
  static void read_to_end(const std::shared_ptr<State>& state,
                          const std::shared_ptr<Client>& client) {
    client->socket.async_read_some(
        boost::asio::buffer(client->buffer),
        [state, client](boost::system::error_code error, std::size_t got) {
          client->received += got;
          if (error) {
            finish(state, *client);
            return;
          }
          read_to_end(state, client);
        });
  }

  static void finish(const std::shared_ptr<State>& state, Client& client) {
    boost::system::error_code ignored;
    client.socket.close(ignored);
    ++state->finished;
    state->received += client.received;
    if (client.received > 0) {
      ++state->answered;
    }
    launch(state);
  }

  std::shared_ptr<State> state_;
};

}  // namespace pgptls::bench
