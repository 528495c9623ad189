// verdict_signal.h: how a provisional verdict (tls::PendingVerdict),
// finished on another thread (the pin store's), wakes the handshake that
// waits for it on the event loop without touching the loop from that
// thread: the completion's callback writes to an eventfd, and the
// handshake waits for it to become readable like for any socket. So the
// wait goes through the connection's own executor (a server's pacer
// included), and the loop keeps serving every other connection meanwhile.
#pragma once

#include <sys/eventfd.h>
#include <unistd.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>

#include "base/pending.h"

namespace pgptls::transport::detail {

class VerdictSignal {
 public:
  template <class Executor>
  explicit VerdictSignal(const Executor& executor) : descriptor_(executor) {}
  VerdictSignal(const VerdictSignal&) = delete;
  VerdictSignal& operator=(const VerdictSignal&) = delete;
  // The callback is withdrawn before the eventfd closes: the disk may
  // answer after the stream is gone, and the fd number may be reused.
  ~VerdictSignal() { disarm(); }

  // arm: makes the descriptor readable once `ready` finished (at once when
  // it already is). Fails only when no eventfd can be made.
  [[nodiscard]] boost::system::error_code arm(const std::shared_ptr<base::Pending>& ready) {
    if (armed_ == ready) {
      return {};
    }
    disarm();
    if (!descriptor_.is_open()) {
      const int fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
      if (fd < 0) {
        return {errno, boost::system::system_category()};
      }
      boost::system::error_code error;
      descriptor_.assign(fd, error);
      if (error) {
        ::close(fd);
        return error;
      }
    }
    armed_ = ready;
    id_ = ready->on_ready([fd = descriptor_.native_handle()](const Status& /*status*/) {
      const std::uint64_t one = 1;
      // A full counter still reads as readable: nothing to handle.
      (void)!::write(fd, &one, sizeof one);
    });
    return {};
  }

  // async_wait: completes when the armed completion finished, or with
  // operation_aborted after cancel().
  template <class Handler>
  void async_wait(Handler&& handler) {
    descriptor_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                           std::forward<Handler>(handler));
  }

  // cancel: makes a pending async_wait return (the handshake deadline).
  void cancel() {
    if (descriptor_.is_open()) {
      boost::system::error_code ignored;
      descriptor_.cancel(ignored);
    }
  }

 private:
  void disarm() {
    if (armed_) {
      armed_->forget(id_);
      armed_.reset();
      // Drain a wake-up of the old completion.
      std::uint64_t count = 0;
      (void)!::read(descriptor_.native_handle(), &count, sizeof count);
    }
  }

  boost::asio::posix::stream_descriptor descriptor_;
  std::shared_ptr<base::Pending> armed_;
  std::uint64_t id_ = 0;
};

}  // namespace pgptls::transport::detail
