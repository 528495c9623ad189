#include "s2s/relay.h"

#include <boost/asio/write.hpp>
#include <utility>

#include "xmpp/errors.h"
#include "xmpp/stream_writer.h"

namespace pgptls::s2s {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {
// How long a closing link may take to deliver its stream error and
// close_notify to a peer that does not read.
constexpr std::chrono::seconds kClosingGrace{5};
}  // namespace

namespace {

// saw_success: whether the events include SASL <success/> (RFC 6120
// §6.4.6), after which the other side's stream restarts too.
bool saw_success(xmpp::StreamReader& reader) {
  bool success = false;
  while (auto event = reader.next()) {
    success = success || (event->kind == xmpp::EventKind::element &&
                          event->ns == xmpp::kSaslNamespace && event->name == "success");
  }
  return success;
}

}  // namespace

Relay::Relay(std::unique_ptr<transport::TcpStream> tls, asio::ip::tcp::socket plain,
             std::unique_ptr<xmpp::StreamReader> reader,
             std::unique_ptr<xmpp::StreamReader> plain_reader, RelayOptions options,
             std::shared_ptr<void> keep)
    : tls_(std::move(tls)),
      plain_(std::move(plain)),
      reader_(std::move(reader)),
      plain_reader_(std::move(plain_reader)),
      options_(std::move(options)),
      keep_(std::move(keep)),
      idle_(plain_.get_executor()),
      last_activity_(std::chrono::steady_clock::now()) {
  reader_->stop_keeping_bytes();
  plain_reader_->stop_keeping_bytes();
}

Relay::~Relay() = default;

void Relay::start() {
  arm_idle();
  untrusted_to_plain();
  plain_to_untrusted();
}

void Relay::touch() {
  last_activity_ = std::chrono::steady_clock::now();
}

void Relay::arm_idle() {
  if (options_.idle_timeout.count() <= 0 || closed_) {
    return;
  }
  idle_.expires_at(last_activity_ + options_.idle_timeout);
  idle_.async_wait([self = shared_from_this()](error_code error) {
    if (error || self->closed_ || !self->pending_error_.empty()) {
      return;
    }
    if (std::chrono::steady_clock::now() < self->last_activity_ + self->options_.idle_timeout) {
      self->arm_idle();
      return;
    }
    // RFC 6120 §4.9.3.4 connection-timeout.
    self->fail("connection-timeout",
               "no traffic for " + std::to_string(self->options_.idle_timeout.count() / 1000) +
                   " s (idle-timeout)");
  });
}

void Relay::untrusted_to_plain() {
  tls_->async_read_some(
      asio::buffer(from_tls_), [self = shared_from_this()](error_code error, std::size_t count) {
        if (error) {
          if (error == asio::error::eof) {
            // close_notify: the XMPP server sees the end of its input and
            // closes its side, which ends the other direction.
            error_code ignored;
            self->plain_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
            return;
          }
          const auto& detail = self->tls_->last_error();
          self->end("closed: the remote side's TLS stream failed: " +
                    (detail ? detail->message() : error.message()));
          return;
        }
        self->touch();
        const std::string_view bytes(self->from_tls_.data(), count);
        if (auto fed = self->reader_->feed(bytes); !fed.ok()) {
          const auto code = static_cast<xmpp::Errc>(fed.error().code.value());
          self->fail(std::string(xmpp::stream_error_condition(code)), fed.error().message());
          return;
        }
        // The bytes are relayed as read; the reader only checks them.
        if (saw_success(*self->reader_)) {
          self->plain_reader_->restart();
        }
        self->forward(self->plain_, bytes, "the local XMPP server's connection failed",
                      &Relay::untrusted_to_plain);
      });
}

void Relay::plain_to_untrusted() {
  plain_.async_read_some(
      asio::buffer(from_plain_), [self = shared_from_this()](error_code error, std::size_t count) {
        if (error) {
          self->after_plain_ended();
          return;
        }
        self->touch();
        const std::string_view bytes(self->from_plain_.data(), count);
        if (!self->plain_reader_failed_) {
          if (auto fed = self->plain_reader_->feed(bytes); !fed.ok()) {
            // The local server is trusted; only restarts go unnoticed now.
            self->plain_reader_failed_ = true;
            if (self->options_.log) {
              self->options_.log(self->options_.name +
                                 ": warning: cannot follow the local server's stream (" +
                                 fed.error().message() + ")");
            }
          } else if (saw_success(*self->plain_reader_)) {
            self->reader_->restart();
          }
        }
        self->forward(*self->tls_, bytes, "writing to the remote side failed",
                      &Relay::plain_to_untrusted);
      });
}

template <class Stream>
void Relay::forward(Stream& to, std::string_view bytes, const char* write_failed,
                    void (Relay::*read_on)()) {
  asio::async_write(
      to, asio::buffer(bytes.data(), bytes.size()),
      [self = shared_from_this(), write_failed, read_on](error_code error, std::size_t) {
        if (error) {
          self->end(std::string("closed: ") + write_failed + " (" + error.message() + ")");
          return;
        }
        ((*self).*read_on)();
      });
}

// after_plain_ended: the plain side finished (or we closed it to stop the
// link): deliver a pending stream error, then close_notify.
void Relay::after_plain_ended() {
  if (closed_) {
    return;
  }
  idle_.expires_after(kClosingGrace);
  idle_.async_wait([self = shared_from_this()](error_code error) {
    if (!error) {
      self->close();
    }
  });
  auto shutdown = [self = shared_from_this()] {
    self->tls_->async_shutdown([self](error_code) { self->end("closed"); });
  };
  if (pending_error_.empty()) {
    shutdown();
    return;
  }
  asio::async_write(*tls_, asio::buffer(pending_error_),
                    [shutdown](error_code, std::size_t) { shutdown(); });
}

void Relay::fail(const std::string& condition, const std::string& text) {
  if (closed_ || !pending_error_.empty()) {
    return;
  }
  pending_error_ = xmpp::stream_error(condition, text);
  finish("closed: " + condition + ": " + text);
  // Closing the plain side ends plain_to_untrusted, the only writer of the
  // TLS side, which then sends the stream error.
  error_code ignored;
  plain_.close(ignored);
}

void Relay::finish(const std::string& reason) {
  if (logged_) {
    return;
  }
  logged_ = true;
  if (options_.log) {
    options_.log(options_.name + ": " + reason);
  }
}

void Relay::end(const std::string& reason) {
  finish(reason);
  close();
}

void Relay::close() {
  if (closed_) {
    return;
  }
  closed_ = true;
  idle_.cancel();
  error_code ignored;
  plain_.close(ignored);
  tls_->next_layer().close(ignored);
}

}  // namespace pgptls::s2s
