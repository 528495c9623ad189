// session_io.h: the small steps both session kinds are made of: reading
// the next stream event from a socket or TLS stream, and a deadline that
// closes whatever the session is waiting on.
#pragma once

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "base/result.h"
#include "transport/errors.h"
#include "xmpp/errors.h"
#include "xmpp/stream_reader.h"

namespace pgptls::s2s {

inline constexpr auto kTuple = boost::asio::as_tuple(boost::asio::use_awaitable);

// Deadline: runs on_expire once if not cancelled within `timeout` (zero:
// never). Shared with the timer's handler so it may outlive its owner.
class Deadline {
 public:
  explicit Deadline(const boost::asio::any_io_executor& executor)
      : state_(std::make_shared<State>(executor)) {}
  ~Deadline() { cancel(); }
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;

  void start(std::chrono::milliseconds timeout, std::function<void()> on_expire) {
    cancel();
    state_ = std::make_shared<State>(state_->timer.get_executor());
    if (timeout.count() <= 0) {
      return;
    }
    state_->timer.expires_after(timeout);
    state_->timer.async_wait(
        [state = state_, on_expire = std::move(on_expire)](boost::system::error_code error) {
          if (error || state->cancelled) {
            return;
          }
          state->expired = true;
          on_expire();
        });
  }
  void cancel() {
    state_->cancelled = true;
    state_->timer.cancel();
  }
  [[nodiscard]] bool expired() const { return state_->expired; }

 private:
  struct State {
    explicit State(const boost::asio::any_io_executor& executor) : timer(executor) {}
    boost::asio::steady_timer timer;
    bool cancelled = false;
    bool expired = false;
  };
  std::shared_ptr<State> state_;
};

// is_stream_error: an error the peer is told about with a stream error.
[[nodiscard]] inline bool is_stream_error(const Error& error) {
  return error.code.category() == xmpp::xmpp_category();
}

// condition_of: the RFC 6120 §4.9.3 condition of an xmpp error.
[[nodiscard]] inline std::string condition_of(const Error& error) {
  return std::string(xmpp::stream_error_condition(static_cast<xmpp::Errc>(error.code.value())));
}

// next_event: the reader's next event, reading more from `stream` as
// needed (into `buffer`); every byte read is appended to `seen` when given.
// I/O failures become an Error with the stream's error code.
template <class Stream, std::size_t N>
boost::asio::awaitable<Result<xmpp::Event>> next_event(Stream& stream, xmpp::StreamReader& reader,
                                                       std::array<char, N>& buffer,
                                                       std::string* seen) {
  for (;;) {
    if (auto event = reader.next()) {
      co_return std::move(*event);
    }
    auto [error, count] = co_await stream.async_read_some(boost::asio::buffer(buffer), kTuple);
    if (error) {
      co_return Error{std::error_code(error), "reading the peer's stream"};
    }
    const std::string_view bytes(buffer.data(), count);
    if (seen != nullptr) {
      seen->append(bytes);
    }
    if (auto fed = reader.feed(bytes); !fed.ok()) {
      co_return fed.error();
    }
  }
}

// write_all: writes `text`; true on success.
template <class Stream>
boost::asio::awaitable<bool> write_all(Stream& stream, const std::string& text) {
  auto [error, written] =
      co_await boost::asio::async_write(stream, boost::asio::buffer(text), kTuple);
  (void)written;
  co_return !error;
}

}  // namespace pgptls::s2s
