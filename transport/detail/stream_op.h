// stream_op.h: the one composed operation behind every asynchronous Stream
// operation, and the synchronous driver. Both execute the Actions a
// StreamCore step returns; `Step` says which step (handshake, read, write,
// shutdown) and carries that operation's arguments.
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <optional>
#include <utility>

#include "transport/detail/stream_core.h"
#include "transport/detail/verdict_signal.h"
#include "transport/errors.h"

namespace pgptls::transport::detail {

// HandshakeStep and ShutdownStep complete with (error_code); ReadStep and
// WriteStep with (error_code, std::size_t).
struct HandshakeStep {
  static constexpr bool kHasSize = false;
  boost::system::error_code start_error;  // from StreamCore::begin_handshake
  // The Stream's handshake deadline timer, stopped when the handshake ends
  // (nullptr: none armed).
  boost::asio::steady_timer* deadline = nullptr;
  Action operator()(StreamCore& core) {
    if (start_error) {
      return Action{Action::Kind::complete, start_error, 0};
    }
    return core.handshake_step();
  }
  void finish(StreamCore& /*core*/) {
    if (deadline != nullptr) {
      deadline->cancel();
    }
  }
};

struct ShutdownStep {
  static constexpr bool kHasSize = false;
  bool close_queued = false;
  Action operator()(StreamCore& core) { return core.shutdown_step(close_queued); }
  void finish(StreamCore& /*core*/) {}
};

// InFlight: the StreamCore's mark that a read (or a write) of the user is
// in flight, so a second one is refused: set before the operation's first
// step (Begin, which may refuse), cleared in finish (End) if it was set.
template <boost::system::error_code (StreamCore::*Begin)(), void (StreamCore::*End)()>
struct InFlight {
  bool begun = false;
  // begin: the completion refusing the operation, or nullopt to go on.
  std::optional<Action> begin(StreamCore& core) {
    if (!begun) {
      if (const auto error = (core.*Begin)()) {
        return Action{Action::Kind::complete, error, 0};
      }
      begun = true;
    }
    return std::nullopt;
  }
  void end(StreamCore& core) {
    if (begun) {
      (core.*End)();
    }
  }
};

struct ReadStep {
  static constexpr bool kHasSize = true;
  std::span<std::uint8_t> out;
  InFlight<&StreamCore::begin_read, &StreamCore::end_read> in_flight{};
  Action operator()(StreamCore& core) {
    if (auto refused = in_flight.begin(core)) {
      return *refused;
    }
    return core.read_step(out);
  }
  void finish(StreamCore& core) { in_flight.end(core); }
};

struct WriteStep {
  static constexpr bool kHasSize = true;
  ByteView data;
  std::size_t taken = 0;
  bool encrypted = false;
  InFlight<&StreamCore::begin_write, &StreamCore::end_write> in_flight{};
  Action operator()(StreamCore& core) {
    if (auto refused = in_flight.begin(core)) {
      return *refused;
    }
    return core.write_step(data, taken, encrypted);
  }
  void finish(StreamCore& core) { in_flight.end(core); }
};

// StreamOp: the asio::async_compose implementation. It never completes
// inline: a result known at once is delivered through asio::post.
template <class NextLayer, class Step>
class StreamOp {
 public:
  StreamOp(NextLayer& next, StreamCore& core, boost::asio::steady_timer& writer_idle,
           VerdictSignal& verdict_signal, Step step)
      : next_(next),
        core_(core),
        writer_idle_(writer_idle),
        verdict_signal_(verdict_signal),
        step_(std::move(step)) {}

  template <class Self>
  void operator()(Self& self, boost::system::error_code error = {}, std::size_t bytes = 0) {
    switch (phase_) {
      case Phase::reading:
        core_.on_read(error, bytes);
        break;
      case Phase::writing:
        core_.on_write(error, bytes);
        // Wake an operation waiting for the transport writer.
        writer_idle_.cancel();
        break;
      case Phase::waiting:
        if (self.get_cancellation_state().cancelled() != boost::asio::cancellation_type::none) {
          finish(self, Action{Action::Kind::complete, boost::asio::error::operation_aborted, 0});
          return;
        }
        break;
      case Phase::verdict:
        if (self.get_cancellation_state().cancelled() != boost::asio::cancellation_type::none) {
          finish(self, Action{Action::Kind::complete, boost::asio::error::operation_aborted, 0});
          return;
        }
        if (error == boost::asio::error::operation_aborted) {
          // Stream::cancel(), or the deadline (which failed the stream
          // first): the handshake ends either way.
          core_.poison(error, "the handshake was cancelled while the peer's verdict was pending");
        }
        break;
      case Phase::posted:
        finish(self, result_);
        return;
      case Phase::start:
        break;
    }
    Action action = step_(core_);
    switch (action.kind) {
      case Action::Kind::read:
        phase_ = Phase::reading;
        next_.async_read_some(core_.read_buffer(), std::move(self));
        return;
      case Action::Kind::write:
        phase_ = Phase::writing;
        boost::asio::async_write(next_, core_.write_buffer(), std::move(self));
        return;
      case Action::Kind::wait_for_verdict:
        // Woken when the verdict is ready, or by the deadline's cancel();
        // either way the next step decides.
        if (const auto error = verdict_signal_.arm(core_.verdict_ready())) {
          core_.poison(error, "waiting for the peer's verdict");
          action = Action{Action::Kind::complete, error, 0};
          break;
        }
        phase_ = Phase::verdict;
        verdict_signal_.async_wait(std::move(self));
        return;
      case Action::Kind::wait_for_writer:
        // The timer never expires (the Stream sets it so once): waiters are
        // woken by cancel() when the writer finishes. Setting the expiry
        // here would cancel another waiter.
        phase_ = Phase::waiting;
        writer_idle_.async_wait(std::move(self));
        return;
      case Action::Kind::complete:
        break;
    }
    if (phase_ == Phase::start) {
      phase_ = Phase::posted;
      result_ = action;
      boost::asio::post(next_.get_executor(), std::move(self));
      return;
    }
    finish(self, action);
  }

 private:
  enum class Phase : std::uint8_t { start, reading, writing, waiting, verdict, posted };

  template <class Self>
  void finish(Self& self, const Action& action) {
    step_.finish(core_);
    if constexpr (Step::kHasSize) {
      self.complete(action.error, action.bytes);
    } else {
      self.complete(action.error);
    }
  }

  NextLayer& next_;
  StreamCore& core_;
  boost::asio::steady_timer& writer_idle_;
  VerdictSignal& verdict_signal_;
  Step step_;
  Phase phase_ = Phase::start;
  Action result_;
};

// run_sync: executes a step with blocking transport calls.
template <class NextLayer, class Step>
Action run_sync(NextLayer& next, StreamCore& core, Step& step) {
  for (;;) {
    const Action action = step(core);
    switch (action.kind) {
      case Action::Kind::read: {
        boost::system::error_code error;
        const std::size_t got = next.read_some(core.read_buffer(), error);
        core.on_read(error, got);
        continue;
      }
      case Action::Kind::write: {
        boost::system::error_code error;
        const std::size_t sent = boost::asio::write(next, core.write_buffer(), error);
        core.on_write(error, sent);
        continue;
      }
      case Action::Kind::wait_for_verdict:
        // A blocking caller is off the event loop by definition.
        core.block_for_verdict();
        continue;
      case Action::Kind::wait_for_writer:
        // Only an asynchronous write can hold the writer; mixing blocking
        // and asynchronous calls on one stream is not supported.
        step.finish(core);
        return Action{Action::Kind::complete, Errc::operation_in_progress, 0};
      case Action::Kind::complete:
        step.finish(core);
        return action;
    }
  }
}

}  // namespace pgptls::transport::detail
