// plain_echo: a plain TCP echo service on 127.0.0.1, the backend behind TLS
// terminators that cannot echo themselves (nginx's stream module proxies to
// it; `pgptls serve --forward` likewise), for bench/run-tls-terminators.
// Binds the port given (0: a free one), prints "listening on PORT" and
// echoes every connection until its peer closes. One thread.
//
//   plain_echo [PORT]
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <iostream>
#include <memory>
#include <string>

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

class Echo : public std::enable_shared_from_this<Echo> {
 public:
  explicit Echo(tcp::socket socket) : socket_(std::move(socket)) {}
  void read() {
    socket_.async_read_some(
        asio::buffer(buffer_),
        [self = shared_from_this()](boost::system::error_code error, std::size_t count) {
          if (error) {
            return;  // dropping the last reference closes the socket
          }
          asio::async_write(self->socket_, asio::buffer(self->buffer_, count),
                            [self](boost::system::error_code write_error, std::size_t) {
                              if (!write_error) {
                                self->read();
                              }
                            });
        });
  }

 private:
  tcp::socket socket_;
  std::array<char, 16 * 1024> buffer_{};
};

void accept(tcp::acceptor& acceptor) {
  acceptor.async_accept([&acceptor](boost::system::error_code error, tcp::socket socket) {
    if (!error) {
      boost::system::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      std::make_shared<Echo>(std::move(socket))->read();
    }
    accept(acceptor);
  });
}

}  // namespace

int main(int argc, char** argv) {
  const auto port = static_cast<std::uint16_t>(argc > 1 ? std::stoi(argv[1]) : 0);
  asio::io_context io(1);
  boost::system::error_code error;
  tcp::acceptor acceptor(io);
  const tcp::endpoint where(asio::ip::make_address_v4("127.0.0.1"), port);
  if (acceptor.open(where.protocol(), error) ||
      acceptor.set_option(tcp::acceptor::reuse_address(true), error) ||
      acceptor.bind(where, error) ||
      acceptor.listen(asio::socket_base::max_listen_connections, error)) {
    std::cerr << "plain_echo: cannot listen on 127.0.0.1:" << port << ": " << error.message()
              << "\n";
    return 2;
  }
  std::cout << "listening on " << acceptor.local_endpoint().port() << std::endl;
  accept(acceptor);
  io.run();
  return 0;
}
