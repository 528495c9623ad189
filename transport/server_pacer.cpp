#include "transport/server_pacer.h"

#include <time.h>

#include <algorithm>
#include <utility>

namespace pgptls::transport::detail {

HandshakePacer::HandshakePacer(boost::asio::any_io_executor loop, PacingPolicy policy,
                               TimeSource now)
    : loop_(std::move(loop)),
      earn_ratio_(std::clamp(policy.share, 0.01, 0.99) /
                  (1.0 - std::clamp(policy.share, 0.01, 0.99))),
      max_burst_(policy.max_burst),
      idle_gap_(policy.idle_gap),
      now_(std::move(now)) {}

std::chrono::nanoseconds HandshakePacer::thread_cpu_time() {
  timespec now{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec);
}

void HandshakePacer::schedule() {
  if (scheduled_ || queue_.empty()) {
    return;
  }
  scheduled_ = true;
  // post, never dispatch: the step must wait behind every handler that is
  // ready now (the records), and behind the reactor's next poll.
  boost::asio::post(loop_, Turn(shared_from_this()));
}

void HandshakePacer::abandon() {
  scheduled_ = false;
  // Moved out first: destroying a step may destroy a connection, whose
  // executor refers back to this pacer.
  auto dropped = std::move(queue_);
  queue_.clear();
}

void HandshakePacer::run_turn() {
  scheduled_ = false;
  if (queue_.empty()) {
    return;
  }
  const std::chrono::nanoseconds start = now_();
  const std::chrono::nanoseconds elsewhere = start - last_turn_end_.value_or(start);
  budget_ = std::min<std::chrono::nanoseconds>(
      budget_ + std::chrono::duration_cast<std::chrono::nanoseconds>(elsewhere * earn_ratio_),
      max_burst_);
  // Nothing else waits: one step runs, and the debt is forgiven.
  bool idle_step = elsewhere < idle_gap_ && budget_.count() <= 0;
  if (idle_step) {
    budget_ = std::chrono::nanoseconds{0};
  }
  auto spent = start;
  while (!queue_.empty() && (budget_.count() > 0 || std::exchange(idle_step, false))) {
    std::unique_ptr<AnyStep> step = std::move(queue_.front());
    queue_.pop_front();
    ++steps_run_;
    step->run();
    // The step's end may free its connection (a GnuTLS session, a socket):
    // that is handshake work too, so it is spent from the budget.
    step.reset();
    const std::chrono::nanoseconds after = now_();
    budget_ -= after - spent;
    spent = after;
  }
  last_turn_end_ = now_();
  // Scheduled after the steps, so that whatever became ready while they
  // ran (records included) runs before the next turn; in debt, that is
  // all this turn did.
  schedule();
}

}  // namespace pgptls::transport::detail
