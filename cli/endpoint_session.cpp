#include "cli/endpoint_session.h"

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <iostream>
#include <utility>

namespace pgptls::cli {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;

// Each session keeps its buffers for as long as the connection lives, idle
// or not: s2s stanzas are small and the engine reassembles records, so a few
// KiB per direction keep idle connections cheap (under 64 KiB each)
// while bulk data just takes more reads.
constexpr std::size_t kChunk = 4096;

class EchoSession : public std::enable_shared_from_this<EchoSession> {
 public:
  explicit EchoSession(std::shared_ptr<transport::Connection> connection)
      : connection_(std::move(connection)) {}

  void read() {
    connection_->stream().async_read_some(
        asio::buffer(buffer_), [self = shared_from_this()](error_code error, std::size_t count) {
          if (error == asio::error::eof) {
            // The peer sent close_notify: answer with ours.
            self->connection_->stream().async_shutdown([self](error_code) {});
            return;
          }
          if (error) {
            return;  // dropping the session closes the socket
          }
          // The echo is written in full before the next read: in TLS 1.2
          // the read that meets the peer's close_notify answers it and ends
          // our writing (RFC 5246 §7.2.1), so reading first could cut it.
          asio::async_write(self->connection_->stream(), asio::buffer(self->buffer_, count),
                            [self](error_code write_error, std::size_t) {
                              if (!write_error) {
                                self->read();
                              }
                            });
        });
  }

 private:
  std::shared_ptr<transport::Connection> connection_;
  std::array<char, kChunk> buffer_{};
};

class ForwardSession : public std::enable_shared_from_this<ForwardSession> {
 public:
  explicit ForwardSession(std::shared_ptr<transport::Connection> connection)
      : connection_(std::move(connection)),
        plain_(connection_->stream().next_layer().get_executor()) {}

  void start(const asio::ip::tcp::resolver::results_type& target) {
    asio::async_connect(
        plain_, target,
        [self = shared_from_this()](error_code error, const asio::ip::tcp::endpoint&) {
          if (error) {
            std::cerr << "forward failed: cannot connect to the plain server (" << error.message()
                      << "); check --forward\n";
            self->connection_->close();
            return;
          }
          self->tls_to_plain();
          self->plain_to_tls();
        });
  }

 private:
  void tls_to_plain() {
    relay(connection_->stream(), plain_, from_tls_, [](ForwardSession& self, error_code error) {
      // close_notify (eof) or a failure: the plain server sees the end of
      // its input and may still answer.
      error_code ignored;
      self.plain_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
      if (error != asio::error::eof) {
        self.close_both();
      }
    });
  }

  void plain_to_tls() {
    relay(plain_, connection_->stream(), from_plain_, [](ForwardSession& self, error_code) {
      // The plain server finished: end the TLS side with close_notify.
      self.connection_->stream().async_shutdown(
          [self = self.shared_from_this()](error_code) { self->close_both(); });
    });
  }

  // relay: copies what `from` reads to `to`, chunk by chunk through
  // `buffer`, until a read fails, then calls at_end(*this, error); a failed
  // write closes both sides. `from`, `to` and `buffer` are members, kept
  // alive by the shared_ptr each handler holds.
  template <class From, class To, class AtEnd>
  void relay(From& from, To& to, std::array<char, kChunk>& buffer, AtEnd at_end) {
    from.async_read_some(asio::buffer(buffer), [self = shared_from_this(), &from, &to, &buffer,
                                                at_end](error_code error, std::size_t count) {
      if (error) {
        at_end(*self, error);
        return;
      }
      asio::async_write(to, asio::buffer(buffer, count),
                        [self, &from, &to, &buffer, at_end](error_code write_error, std::size_t) {
                          if (write_error) {
                            self->close_both();
                            return;
                          }
                          self->relay(from, to, buffer, at_end);
                        });
    });
  }

  void close_both() {
    error_code ignored;
    plain_.close(ignored);
    connection_->close();
  }

  std::shared_ptr<transport::Connection> connection_;
  asio::ip::tcp::socket plain_;
  std::array<char, kChunk> from_tls_{};
  std::array<char, kChunk> from_plain_{};
};

}  // namespace

void start_echo(std::shared_ptr<transport::Connection> connection) {
  std::make_shared<EchoSession>(std::move(connection))->read();
}

void start_forward(std::shared_ptr<transport::Connection> connection,
                   asio::ip::tcp::resolver::results_type target) {
  std::make_shared<ForwardSession>(std::move(connection))->start(target);
}

}  // namespace pgptls::cli
