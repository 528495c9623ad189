// Records before handshakes: the per-loop HandshakePacer (its order of work
// on a plain io_context, asserted step by step) and transport::Server under
// a flood of real loopback clients: the in-flight handshake bound is never
// exceeded, every queued handshake completes or is cut at its deadline,
// stop() ends the queued ones, handshakes run through the pacer and an
// established connection's records do not.
#include <gtest/gtest.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tests/transport/loopback_server_fixture.h"
#include "transport/client.h"
#include "transport/errors.h"
#include "transport/server.h"
#include "transport/server_pacer.h"
#include "transport/stream.h"

namespace pgptls::test {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

// ManualLoop: an io_context whose pacer reads a manual CPU clock (share 10%,
// burst 5 ms), and busy links: record handlers that take `cost` of that
// clock and are ready again at once, until records_done.
struct ManualLoop {
  asio::io_context io;
  std::chrono::nanoseconds now{0};
  std::shared_ptr<transport::detail::HandshakePacer> pacer =
      std::make_shared<transport::detail::HandshakePacer>(
          io.get_executor(),
          transport::detail::PacingPolicy{.share = 0.1, .max_burst = std::chrono::milliseconds(5)},
          [this] { return now; });
  std::chrono::nanoseconds record_time{0};
  int records = 0;
  bool records_done = false;

  void busy_link(std::chrono::nanoseconds cost) {
    asio::post(io, [this, cost] { record(cost); });
  }

  // share_while_busy: queues `count` handshake steps of `step_cost` each,
  // stops the links once half of them ran, runs the loop dry and returns
  // the part of the loop's time the handshakes took while the links were
  // busy. Fails the test unless every step ran.
  double share_while_busy(int count, std::chrono::nanoseconds step_cost) {
    int steps = 0;
    for (int i = 0; i < count; ++i) {
      pacer->defer([this, &steps, count, step_cost] {
        now += step_cost;
        if (++steps == count / 2) {
          records_done = true;
        }
      });
    }
    io.run();
    EXPECT_EQ(steps, count) << "every handshake step ran";
    const double handshake_time = static_cast<double>((count / 2) * step_cost.count());
    return handshake_time / (handshake_time + static_cast<double>(record_time.count()));
  }

 private:
  void record(std::chrono::nanoseconds cost) {
    if (records_done) {
      return;
    }
    now += cost;
    record_time += cost;
    ++records;
    busy_link(cost);
  }
};

TEST(HandshakePacer, RecordsReadyBeforeOrDuringAStepRunBeforeTheNextStep) {
  asio::io_context io;
  // A clock that never moves: the records earn no budget, so each turn
  // runs exactly one step.
  auto pacer = std::make_shared<transport::detail::HandshakePacer>(
      io.get_executor(), transport::detail::PacingPolicy{},
      [] { return std::chrono::nanoseconds{0}; });
  std::vector<std::string> order;
  pacer->defer([&] {
    order.push_back("H1");
    asio::post(io, [&] { order.push_back("R3"); });  // made ready by the step
  });
  pacer->defer([&] { order.push_back("H2"); });
  pacer->defer([&] { order.push_back("H3"); });
  asio::post(io, [&] { order.push_back("R1"); });
  asio::post(io, [&] { order.push_back("R2"); });
  EXPECT_EQ(pacer->queued(), 3U);
  io.run();
  EXPECT_EQ(order, (std::vector<std::string>{"H1", "R1", "R2", "R3", "H2", "H3"}));
  EXPECT_EQ(pacer->steps_run(), 3U);
  EXPECT_EQ(pacer->queued(), 0U);
}

TEST(HandshakePacer, EndlessRecordTrafficDoesNotStarveHandshakes) {
  asio::io_context io;
  auto pacer = std::make_shared<transport::detail::HandshakePacer>(
      io.get_executor(), transport::detail::PacingPolicy{},
      [] { return std::chrono::nanoseconds{0}; });
  int records = 0;
  std::vector<int> records_before_step;
  // A record handler that is always ready again (a busy link).
  std::function<void()> record = [&] {
    if (++records < 1000) {
      asio::post(io, record);
    }
  };
  asio::post(io, record);
  for (int i = 0; i < 10; ++i) {
    pacer->defer([&] { records_before_step.push_back(records); });
  }
  io.run();
  ASSERT_EQ(records_before_step.size(), 10U);
  // One handshake step per turn of the loop: step k waits for at most a
  // record or two per step before it, never for the busy link to finish.
  for (std::size_t k = 0; k < records_before_step.size(); ++k) {
    EXPECT_LE(records_before_step[k], static_cast<int>(2 * (k + 1))) << "step " << k;
  }
  EXPECT_EQ(records, 1000);
}

TEST(HandshakePacer, BusyRecordsKeepAllButTheHandshakeShareOfTheLoop) {
  // A manual clock: each record handler takes 1 ms, each handshake step
  // 0.1 ms. Ten links are always ready again (records saturate the loop).
  using namespace std::chrono_literals;
  ManualLoop loop;
  for (int link = 0; link < 10; ++link) {
    loop.busy_link(1ms);
  }
  // While the records were busy (the first 500 steps) handshakes took about
  // share = 10% of the loop, never the lion's part.
  const double share = loop.share_while_busy(1000, 100us);
  ASSERT_GT(loop.records, 0);
  EXPECT_GT(share, 0.08);
  EXPECT_LT(share, 0.13);
}

TEST(HandshakePacer, CheapRecordsAndCostlyStepsStillSplitTheLoopByTheShare) {
  // One link always ready, 50 us per record; handshake steps of 300 us.
  // One step per record would give handshakes 86% of the loop; the budget
  // keeps them near 10%.
  using namespace std::chrono_literals;
  ManualLoop loop;
  loop.busy_link(50us);
  const double share = loop.share_while_busy(100, 300us);
  EXPECT_GT(share, 0.08);
  EXPECT_LT(share, 0.13);
}

TEST(HandshakePacer, FreeingWhatAStepHeldIsChargedToTheHandshakes) {
  // The first step's captures take 5 ms of CPU to free (as a connection's
  // GnuTLS session and socket do when its last handler ends); records of
  // 1 ms each are always ready. At share 10% records earn a ninth of their
  // time, so the second step waits for about 45 records, not one.
  using namespace std::chrono_literals;
  ManualLoop loop;
  loop.busy_link(1ms);
  struct CostlyToFree {
    explicit CostlyToFree(std::chrono::nanoseconds* cpu_clock) : clock(cpu_clock) {}
    CostlyToFree(const CostlyToFree&) = delete;
    CostlyToFree& operator=(const CostlyToFree&) = delete;
    ~CostlyToFree() { *clock += 5ms; }
    std::chrono::nanoseconds* clock;
  };
  loop.pacer->defer([costly = std::make_shared<CostlyToFree>(&loop.now)] {});
  int records_before_second = -1;
  loop.pacer->defer([&] {
    records_before_second = loop.records;
    loop.records_done = true;
  });
  loop.io.run();
  EXPECT_GE(records_before_second, 40) << "the freeing was not spent from the budget";
}

TEST(HandshakePacer, StepsQueuedWhenTheLoopIsDestroyedAreDropped) {
  auto alive = std::make_shared<int>(0);
  std::weak_ptr<int> watch = alive;
  bool ran = false;
  {
    asio::io_context io;
    auto pacer = std::make_shared<transport::detail::HandshakePacer>(io.get_executor());
    // A step that holds its pacer, as a connection's executor does.
    pacer->defer([pacer, alive = std::move(alive), &ran] { ran = true; });
  }
  EXPECT_FALSE(ran);
  EXPECT_TRUE(watch.expired()) << "the queued step (and its pacer) leaked";
}

class ServerPacingTest : public LoopbackServerTest {
 protected:
  // start_server: the fixture's server, whose handler notes how many
  // handshakes were in flight when each connection was established.
  void start_server(transport::ServerLimits limits) {
    LoopbackServerTest::start_server(
        limits, [this](std::shared_ptr<transport::Connection> connection) {
          handshaking_when_established_.push_back(server_->stats().handshaking);
          echo(connection);
        });
  }

  // echo_client: connects, handshakes, then echoes `rounds` messages and
  // closes; `done` gets the first error (or none).
  void echo_client(int rounds, std::function<void(error_code)> done) {
    auto stream = std::make_shared<transport::TcpStream>(client_factory(), io_.get_executor());
    transport::async_connect(*stream, std::vector<tcp::endpoint>{endpoint_},
                             transport::HandshakeOptions::for_peer("a.example"),
                             std::chrono::seconds(20),
                             [this, stream, rounds, done = std::move(done)](error_code error) {
                               if (error) {
                                 done(error);
                                 return;
                               }
                               echo_rounds(stream, rounds, done);
                             });
  }

  // echo_rounds: `rounds` echo round trips, then close_notify; `each`
  // (when set) is told the rounds left after each one.
  void echo_rounds(const std::shared_ptr<transport::TcpStream>& stream, int rounds,
                   const std::function<void(error_code)>& done,
                   const std::function<void(int)>& each = {}) {
    if (rounds == 0) {
      stream->async_shutdown([stream, done](error_code) { done({}); });
      return;
    }
    auto message = std::make_shared<std::string>("round " + std::to_string(rounds));
    auto reply = std::make_shared<std::string>(message->size(), '\0');
    asio::async_write(
        *stream, asio::buffer(*message),
        [this, stream, rounds, done, each, message, reply](error_code error, std::size_t) {
          if (error) {
            done(error);
            return;
          }
          asio::async_read(*stream, asio::buffer(*reply),
                           [this, stream, rounds, done, each, message, reply](error_code read_error,
                                                                              std::size_t) {
                             if (read_error || *reply != *message) {
                               done(read_error ? read_error : asio::error::invalid_argument);
                               return;
                             }
                             if (each) {
                               each(rounds - 1);
                             }
                             echo_rounds(stream, rounds - 1, done, each);
                           });
        });
  }

  std::vector<std::size_t> handshaking_when_established_;
};

TEST_F(ServerPacingTest, AFloodStaysWithinTheHandshakeBoundAndEveryHandshakeCompletesOrIsCut) {
  constexpr int kClients = 40;
  constexpr int kSilent = 3;
  transport::ServerLimits limits;
  limits.max_handshakes = 4;
  limits.handshake_timeout = std::chrono::milliseconds(500);
  start_server(limits);
  // Silent peers take slots until their deadline cuts them; the flood of
  // real clients queues behind them in the backlog and in the pacer.
  std::vector<std::unique_ptr<tcp::socket>> silent;
  for (int i = 0; i < kSilent; ++i) {
    silent.push_back(std::make_unique<tcp::socket>(io_));
    silent.back()->connect(endpoint_);
  }
  int succeeded = 0;
  int finished = 0;
  // Stops once every client finished and every silent peer was cut.
  const auto stop_when_all_ended = [&] {
    if (finished == kClients &&
        server_->stats().handshake_failed == static_cast<std::uint64_t>(kSilent)) {
      server_->stop();
      return true;
    }
    return false;
  };
  on_failure_ = [&] { stop_when_all_ended(); };
  for (int i = 0; i < kClients; ++i) {
    echo_client(3, [&](error_code error) {
      EXPECT_FALSE(error) << error.message();
      succeeded += error ? 0 : 1;
      ++finished;
      stop_when_all_ended();
    });
  }
  run_bounded(io_, std::chrono::seconds(60));
  const transport::ServerStats stats = server_->stats();
  EXPECT_EQ(succeeded, kClients);
  EXPECT_EQ(stats.established, static_cast<std::uint64_t>(kClients));
  EXPECT_LE(stats.peak_handshaking, limits.max_handshakes);
  EXPECT_GE(stats.peak_handshaking, 2U) << "the flood never had handshakes in parallel";
  for (const std::size_t handshaking : handshaking_when_established_) {
    EXPECT_LT(handshaking, limits.max_handshakes);
  }
  EXPECT_EQ(stats.handshake_timed_out, static_cast<std::uint64_t>(kSilent));
  ASSERT_EQ(failures_.size(), static_cast<std::size_t>(kSilent));
  for (const Error& failure : failures_) {
    EXPECT_EQ(failure.code, transport::Errc::handshake_timeout) << failure.message();
  }
}

TEST_F(ServerPacingTest, StopEndsHandshakesWaitingInThePacer) {
  transport::ServerLimits limits;
  limits.max_handshakes = 8;
  limits.handshake_timeout = std::chrono::seconds(60);  // stop(), not the deadline, ends them
  start_server(limits);
  std::vector<std::unique_ptr<tcp::socket>> silent;
  for (int i = 0; i < 5; ++i) {
    silent.push_back(std::make_unique<tcp::socket>(io_));
    silent.back()->connect(endpoint_);
    // One byte of a TLS record header: each handshake has begun reading.
    asio::write(*silent.back(), asio::buffer(std::string("\x16", 1)));
  }
  // Stop once all five are handshaking.
  std::function<void()> poll = [&] {
    if (server_->stats().handshaking == 5) {
      server_->stop();
      return;
    }
    asio::post(io_, poll);
  };
  asio::post(io_, poll);
  run_bounded(io_);  // the io_context runs out of work: nothing is left queued
  const transport::ServerStats stats = server_->stats();
  EXPECT_EQ(stats.handshaking, 0U);
  EXPECT_EQ(stats.connections, 0U);
  EXPECT_EQ(stats.handshake_failed, 5U);
  EXPECT_EQ(stats.handshake_timed_out, 0U);
}

TEST_F(ServerPacingTest, HandshakesArePacedAndEstablishedRecordsAreNot) {
  start_server(transport::ServerLimits{});
  int done = 0;
  for (int i = 0; i < 3; ++i) {
    echo_client(0, [&](error_code error) {
      EXPECT_FALSE(error) << error.message();
      if (++done == 3) {
        io_.stop();
      }
    });
  }
  run_bounded(io_);
  const std::uint64_t handshake_steps = server_->stats().paced_handshake_steps;
  // Each handshake is several paced steps (reads of the client's flights,
  // writes of the server's, the completion).
  EXPECT_GE(handshake_steps, 3U * 3U);

  // One more client: its handshake adds paced steps, its 50 echo rounds add
  // none.
  std::uint64_t after_handshake = 0;
  auto stream = std::make_shared<transport::TcpStream>(client_factory(), io_.get_executor());
  error_code result = asio::error::would_block;
  transport::async_connect(*stream, std::vector<tcp::endpoint>{endpoint_},
                           transport::HandshakeOptions::for_peer("a.example"),
                           std::chrono::seconds(20), [&](error_code error) {
                             ASSERT_FALSE(error) << error.message();
                             // After two echo rounds the server's side has
                             // finished its handshake and its deadline timer.
                             echo_rounds(
                                 stream, 52,
                                 [&](error_code rounds_error) {
                                   result = rounds_error;
                                   server_->stop();
                                   io_.stop();
                                 },
                                 [&](int left) {
                                   if (left == 50) {
                                     after_handshake = server_->stats().paced_handshake_steps;
                                   }
                                 });
                           });
  run_bounded(io_);
  EXPECT_FALSE(result) << result.message();
  EXPECT_GT(after_handshake, handshake_steps);
  EXPECT_EQ(server_->stats().paced_handshake_steps, after_handshake);
}

}  // namespace
}  // namespace pgptls::test
