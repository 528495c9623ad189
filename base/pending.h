// pending.h: base::Pending, a one-shot completion that another thread may
// finish: the way a decision that needs a disk result says "final only
// after this" without making its caller (an event loop) wait.
//
//  * set(status) finishes it once, from any thread (later calls do
//    nothing) and runs every callback registered so far, on that thread;
//  * on_ready(callback) runs the callback exactly once with the status:
//    at once, on the calling thread, when it is already finished, else
//    when set() is called;
//  * forget(id) withdraws a callback; once forget() returns the callback
//    neither runs nor is running, so an object the callback points to may
//    go (an event loop's stream destroyed before the disk answered);
//  * wait() blocks until finished: for callers off the event loop only
//    (command-line tools, tests).
// Callbacks run under the completion's own lock: they must be short (post
// to an executor) and must not call back into the same Pending.
//
// Usage:
//   auto done = base::Pending::make();
//   const auto id = done->on_ready([ex](const Status& s) { asio::post(ex, ...); });
//   // on another thread, after the disk work:
//   done->set(status);
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "base/result.h"

namespace pgptls::base {

class Pending {
 public:
  using Callback = std::function<void(const Status&)>;
  // The id of a callback that ran at once (nothing left to forget).
  static constexpr std::uint64_t kRanAtOnce = 0;

  // make: an unfinished completion; finished: one finished with `status`.
  [[nodiscard]] static std::shared_ptr<Pending> make();
  [[nodiscard]] static std::shared_ptr<Pending> finished(Status status);

  Pending() = default;
  Pending(const Pending&) = delete;
  Pending& operator=(const Pending&) = delete;

  // set: finishes with `status` (the first call wins) and runs the
  // callbacks on this thread.
  void set(Status status);
  // on_ready: see the file comment; returns the id forget() takes, or
  // kRanAtOnce when the callback already ran.
  std::uint64_t on_ready(Callback callback);
  // forget: withdraws the callback `id` (see the file comment).
  void forget(std::uint64_t id);

  // status: the outcome, or nullopt while unfinished.
  [[nodiscard]] std::optional<Status> status() const;
  [[nodiscard]] bool ready() const { return status().has_value(); }
  // wait: blocks until finished and returns the outcome. Never call it on
  // an event loop thread.
  [[nodiscard]] Status wait() const;

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable finished_;
  std::optional<Status> status_;
  std::map<std::uint64_t, Callback> callbacks_;
  std::uint64_t next_id_ = 1;
};

// wait_for: a synchronous helper for callers off the event loop: the
// outcome of `pending`, waited for, or success when it is null (nothing to
// wait for).
[[nodiscard]] Status wait_for(const std::shared_ptr<Pending>& pending);

}  // namespace pgptls::base
