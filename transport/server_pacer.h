// server_pacer.h: records before handshakes on one event loop.
//
// A handshake step (a ClientHello answered with an ECDHE share and a
// signature, a client's Certificate and CertificateVerify checked) costs
// hundreds of microseconds of CPU; forwarding a record costs tens. On an
// event loop that runs every ready handler in arrival order, a flood of
// handshakes therefore takes most of the loop's time and the established
// links' records wait behind it. The pacer gives record I/O priority:
//
//   * HandshakePacer: a per-loop queue of handshake work with a CPU-time
//     budget. The loop thread's CPU time spent elsewhere (the records, the
//     reactor) earns handshakes share / (1 - share) of it, capped at
//     `max_burst`; each handshake step spends its own CPU time. A turn of
//     the pacer runs steps while the budget is positive and then posts
//     itself behind everything that became ready meanwhile; in debt, it
//     only posts itself again. So while records keep the loop busy,
//     handshakes get about `share` of its CPU whatever the sizes of steps
//     and records. When nothing else ran since the last turn (under
//     `idle_gap` of CPU time: no record is waiting), the turn runs a step
//     whatever the budget, so an idle loop runs handshakes back to back and
//     no handshake starves. CPU time, not wall time: time the thread waits
//     idle or is preempted by other processes earns nothing.
//   * PacedExecutor: the executor a handshaking connection's socket is
//     given. While its Gate is pacing, every completion of that socket's
//     operations and timers (the whole handshake) goes through the loop's
//     pacer; once the server ends pacing (the handshake finished), it
//     forwards to the loop's executor directly. The handshake's deadline is
//     the exception: its timer runs on the loop's executor (unpaced()), so
//     that it fires on time however many steps wait.
//
// Both are used from the loop's one thread only (a Server's executor never
// runs handlers concurrently).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/execution.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/require.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

namespace pgptls::transport::detail {

// PacingPolicy: how much of a busy loop handshakes may take.
struct PacingPolicy {
  double share = 0.1;  // 0 < share < 1
  std::chrono::microseconds max_burst{5'000};
  // Less CPU time than this spent elsewhere between two turns: the loop
  // had nothing but handshakes to do.
  std::chrono::microseconds idle_gap{20};
};

class HandshakePacer : public std::enable_shared_from_this<HandshakePacer> {
 public:
  // TimeSource: the calling thread's CPU time (tests inject a clock).
  using TimeSource = std::function<std::chrono::nanoseconds()>;
  static std::chrono::nanoseconds thread_cpu_time();

  explicit HandshakePacer(boost::asio::any_io_executor loop, PacingPolicy policy = {},
                          TimeSource now = &thread_cpu_time);
  HandshakePacer(const HandshakePacer&) = delete;
  HandshakePacer& operator=(const HandshakePacer&) = delete;

  // defer: queues one step of handshake work; it runs on the loop after
  // the steps queued before it, one step per turn of the loop.
  template <class Function>
  void defer(Function&& function) {
    queue_.push_back(
        std::make_unique<Step<std::decay_t<Function>>>(std::forward<Function>(function)));
    schedule();
  }

  // queued: steps waiting now; steps_run: steps run since construction.
  [[nodiscard]] std::size_t queued() const { return queue_.size(); }
  [[nodiscard]] std::uint64_t steps_run() const { return steps_run_; }

 private:
  struct AnyStep {
    virtual ~AnyStep() = default;
    virtual void run() = 0;
  };
  template <class Function>
  struct Step final : AnyStep {
    explicit Step(Function&& f) : function(std::move(f)) {}
    explicit Step(const Function& f) : function(f) {}
    void run() override { std::move(function)(); }
    Function function;
  };

  // Turn: the posted handler that runs one step. If the loop is destroyed
  // before the turn runs, the queued steps are dropped with it (they hold
  // their connections, whose executors hold this pacer).
  class Turn {
   public:
    explicit Turn(std::shared_ptr<HandshakePacer> pacer) : pacer_(std::move(pacer)) {}
    Turn(Turn&& other) noexcept : pacer_(std::move(other.pacer_)) {}
    Turn& operator=(Turn&&) = delete;
    Turn(const Turn&) = delete;
    ~Turn() {
      if (pacer_) {
        pacer_->abandon();
      }
    }
    void operator()() { std::exchange(pacer_, nullptr)->run_turn(); }

   private:
    std::shared_ptr<HandshakePacer> pacer_;
  };

  void schedule();
  void run_turn();
  void abandon();

  boost::asio::any_io_executor loop_;
  double earn_ratio_;  // share / (1 - share)
  std::chrono::microseconds max_burst_;
  std::chrono::microseconds idle_gap_;
  std::chrono::nanoseconds budget_{0};
  TimeSource now_;
  // The end of the last turn; unset until the first turn, which runs on the
  // loop's thread (the pacer may be made on another).
  std::optional<std::chrono::nanoseconds> last_turn_end_;
  std::deque<std::unique_ptr<AnyStep>> queue_;
  bool scheduled_ = false;
  std::uint64_t steps_run_ = 0;
};

// Gate: one connection's switch between paced (handshaking) and direct.
struct Gate {
  explicit Gate(std::shared_ptr<HandshakePacer> loop_pacer) : pacer(std::move(loop_pacer)) {}
  std::shared_ptr<HandshakePacer> pacer;
  bool pacing = true;
};

// PacedExecutor: the loop's executor, routed through the Gate's pacer
// while it is pacing (a standard Asio executor; any_io_executor holds it).
class PacedExecutor {
 public:
  PacedExecutor(boost::asio::any_io_executor loop, std::shared_ptr<Gate> gate)
      : loop_(std::move(loop)), gate_(std::move(gate)) {}

  template <class Function>
  void execute(Function&& function) const {
    if (gate_->pacing) {
      gate_->pacer->defer(std::forward<Function>(function));
    } else {
      loop_.execute(std::forward<Function>(function));
    }
  }

  [[nodiscard]] boost::asio::execution_context& query(
      boost::asio::execution::context_t /*property*/) const noexcept {
    return boost::asio::query(loop_, boost::asio::execution::context);
  }
  [[nodiscard]] boost::asio::execution::blocking_t query(
      boost::asio::execution::blocking_t property) const noexcept {
    return boost::asio::query(loop_, property);
  }

  // The blocking, work-tracking and relationship properties apply to the
  // loop's executor (a paced step never runs inline anyway).
  template <class Property>
  requires boost::asio::can_require<const boost::asio::any_io_executor&, Property>::value
      [[nodiscard]] PacedExecutor
      require(const Property& property) const {
    return PacedExecutor(boost::asio::require(loop_, property), gate_);
  }
  template <class Property>
  requires boost::asio::can_prefer<const boost::asio::any_io_executor&, Property>::value
      [[nodiscard]] PacedExecutor
      prefer(const Property& property) const {
    return PacedExecutor(boost::asio::prefer(loop_, property), gate_);
  }

  // loop: the loop's executor, never paced.
  [[nodiscard]] const boost::asio::any_io_executor& loop() const noexcept { return loop_; }

  friend bool operator==(const PacedExecutor& a, const PacedExecutor& b) noexcept {
    return a.gate_ == b.gate_ && a.loop_ == b.loop_;
  }
  friend bool operator!=(const PacedExecutor& a, const PacedExecutor& b) noexcept {
    return !(a == b);
  }

 private:
  boost::asio::any_io_executor loop_;
  std::shared_ptr<Gate> gate_;
};

// unpaced: `executor` without its pacing: the loop's executor when it is a
// PacedExecutor, else `executor` itself. A handshake's deadline runs there:
// it bounds the handshake's steps, so it must not wait behind them in the
// pacer's queue (under a flood it would fire late), and the work it does
// (failing the stream, closing the socket) costs next to nothing.
template <class Executor>
[[nodiscard]] Executor unpaced(const Executor& executor) {
  if constexpr (std::is_same_v<Executor, boost::asio::any_io_executor>) {
    if (const auto* paced = executor.template target<PacedExecutor>()) {
      return paced->loop();
    }
  }
  return executor;
}

}  // namespace pgptls::transport::detail
