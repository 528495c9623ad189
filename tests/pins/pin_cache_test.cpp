// PinCache: reads from memory, writes on its own thread. Another
// connection to the same file stands for another process (SQLite's
// data_version reports commits by any other connection). The cache's own
// timer is set to an hour, so every refresh here is the explicit trigger:
// nothing waits for time to pass.
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "base/encoding.h"
#include "pins/errors.h"
#include "pins/pin_cache.h"
#include "tests/pins/write_gate.h"
#include "tests/support/temp_dir.h"

namespace pgptls::pins {
namespace {

using namespace std::chrono_literals;

const base::TimePoint kT0 = std::chrono::sys_seconds(std::chrono::seconds(1'767'225'600));

std::string pin_value(std::uint8_t n) {
  std::array<std::uint8_t, 32> bytes{};
  bytes[0] = n;
  return base::base64_encode(bytes);
}

Pin make_pin(const std::string& domain, const std::string& value) {
  Pin pin;
  pin.domain = domain;
  pin.pin_sha256 = value;
  pin.created = std::chrono::time_point_cast<std::chrono::seconds>(kT0);
  return pin;
}

class PinCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = PinCache::open(path_, {.refresh_interval = 1h, .repeat_interval = 60s});
    ASSERT_TRUE(opened.ok()) << opened.error().message();
    cache_ = std::move(opened).value();
    auto other = PinStore::open(path_);
    ASSERT_TRUE(other.ok()) << other.error().message();
    other_.emplace(std::move(other).value());
  }

  // expect_durable: another process reads the domain's OpenPGP login
  // record, first seen at `first`.
  void expect_durable(const std::string& domain, base::TimePoint first) {
    const auto stored = other_->openpgp_auth(domain);
    ASSERT_TRUE(stored.ok()) << stored.error().message();
    ASSERT_TRUE(stored->has_value()) << domain;
    EXPECT_EQ((*stored)->first, std::chrono::time_point_cast<std::chrono::seconds>(first));
  }

  test::TempDir dir_;
  std::filesystem::path path_ = dir_.file("pins.sqlite");
  std::shared_ptr<PinCache> cache_;
  std::optional<PinStore> other_;  // "another process"
};

TEST_F(PinCacheTest, AnotherProcessesPinIsSeenAfterARefresh) {
  ASSERT_TRUE(other_->add_pin(make_pin("b.example", pin_value(1))).ok());
  ASSERT_TRUE(other_->set_setting({"b.example"}, Setting::require_openpgp, true).ok());
  ASSERT_TRUE(other_->set_setting({}, Setting::tofu, true).ok());
  // Until the cache looks, it answers from its snapshot: no query.
  EXPECT_TRUE(cache_->pins("b.example")->empty());
  ASSERT_TRUE(cache_->refresh().ok());
  const auto pins = cache_->pins("B.Example.");
  ASSERT_TRUE(pins.ok()) << pins.error().message();
  ASSERT_EQ(pins->size(), 1U);
  EXPECT_EQ((*pins)[0].pin_sha256, pin_value(1));
  EXPECT_EQ(cache_->all_pins()->size(), 1U);
  EXPECT_EQ(*cache_->effective_setting("b.example", Setting::require_openpgp), true);
  EXPECT_EQ(*cache_->effective_setting("b.example", Setting::tofu), true);  // the global one
  EXPECT_EQ(*cache_->effective_setting("c.example", Setting::require_openpgp), false);
  EXPECT_EQ(*cache_->setting({}, Setting::tofu), std::optional<bool>(true));
}

TEST_F(PinCacheTest, AFirstLoginIsDurableBeforeTheDomainIsJudgedAgain) {
  ASSERT_TRUE(cache_->record_openpgp_auth("a.example", kT0).ok());
  // The next decision about a.example (here: its sticky record) comes only
  // once the record is on disk, where another process sees it: until
  // then the cache answers not_ready (it never waits), with the write's
  // completion to decide again after.
  const auto settled_record =
      settled(*cache_, "a.example", [&] { return cache_->openpgp_auth("a.example"); });
  ASSERT_TRUE(settled_record.ok()) << settled_record.error().message();
  ASSERT_TRUE(settled_record->has_value());
  expect_durable("a.example", kT0);
  EXPECT_EQ(cache_->pending("a.example"), nullptr);
}

TEST_F(PinCacheTest, RepeatsAreWrittenAtMostOncePerIntervalAllInOneTransaction) {
  for (const char* domain : {"a.example", "b.example", "c.example"}) {
    ASSERT_TRUE(cache_->record_openpgp_auth(domain, kT0).ok());
  }
  ASSERT_TRUE(cache_->refresh().ok());
  const std::uint64_t after_first = cache_->transactions();
  EXPECT_GE(after_first, 1U);
  // Repeats within the interval: remembered, not written.
  for (const char* domain : {"a.example", "b.example", "c.example"}) {
    ASSERT_TRUE(cache_->record_openpgp_auth(domain, kT0 + 59s).ok());
  }
  ASSERT_TRUE(cache_->refresh().ok());
  EXPECT_EQ(cache_->transactions(), after_first);
  EXPECT_EQ((*other_->openpgp_auth("a.example"))->last,
            std::chrono::time_point_cast<std::chrono::seconds>(kT0));
  // A minute after the last write: all three in one transaction.
  for (const char* domain : {"a.example", "b.example", "c.example"}) {
    ASSERT_TRUE(cache_->record_openpgp_auth(domain, kT0 + 60s).ok());
  }
  ASSERT_TRUE(cache_->refresh().ok());
  EXPECT_EQ(cache_->transactions(), after_first + 1);
  for (const char* domain : {"a.example", "b.example", "c.example"}) {
    const auto stored = other_->openpgp_auth(domain);
    ASSERT_TRUE(stored.ok());
    EXPECT_EQ((*stored)->last, std::chrono::time_point_cast<std::chrono::seconds>(kT0 + 60s))
        << domain;
    EXPECT_EQ((*stored)->first, std::chrono::time_point_cast<std::chrono::seconds>(kT0)) << domain;
  }
}

TEST_F(PinCacheTest, TrustOnFirstUsePinsOnceAcrossProcesses) {
  // Another process pinned d.example first: the cache's TOFU, though its
  // snapshot is older, finds that pin in the store and does not pin.
  ASSERT_TRUE(other_->pin_on_first_use("d.example", pin_value(7), kT0)->pinned);
  const auto outcome = settled(*cache_, "d.example", [&] {
    return cache_->pin_on_first_use("d.example", pin_value(8), kT0);
  });
  ASSERT_TRUE(outcome.ok()) << outcome.error().message();
  EXPECT_FALSE(outcome->pinned);
  ASSERT_EQ(outcome->existing.size(), 1U);
  EXPECT_EQ(outcome->existing[0].pin_sha256, pin_value(7));
  // A new domain: the store's transaction runs on the cache's thread, so
  // the call answers not_ready at once; every call about the domain waits
  // for that one write, and the snapshot has the pin when it finished.
  const auto queued = cache_->pin_on_first_use("e.example", pin_value(9), kT0);
  ASSERT_FALSE(queued.ok());
  EXPECT_EQ(queued.error().code, PinErrc::not_ready);
  const std::shared_ptr<base::Pending> write = cache_->pending("e.example");
  ASSERT_NE(write, nullptr);
  EXPECT_EQ(cache_->pins("e.example").error().code, PinErrc::not_ready);
  const auto again = cache_->pin_on_first_use("e.example", pin_value(10), kT0);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, PinErrc::not_ready);
  EXPECT_EQ(cache_->pending("e.example"), write);  // the same write: never pinned twice
  ASSERT_TRUE(write->wait().ok());
  ASSERT_EQ(cache_->pins("e.example")->size(), 1U);
  EXPECT_EQ((*cache_->pins("e.example"))[0].source, PinSource::tofu);
  EXPECT_EQ((*cache_->pins("e.example"))[0].pin_sha256, pin_value(9));
  EXPECT_EQ(other_->pins("e.example")->size(), 1U);
}

// A rejection's catch-up asks the kernel whether the file was written, not
// SQLite: a flood of them costs no store read, and a pin another process
// added costs one, shared by every rejection waiting for it.
TEST_F(PinCacheTest, CatchingUpWithoutAChangeReadsNothingAndAChangeIsReadOnce) {
  ASSERT_TRUE(base::wait_for(cache_->catch_up()).ok());  // whatever opening the store wrote
  const std::uint64_t reads = cache_->store_reads();
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(cache_->catch_up(), nullptr);  // nothing to wait for
  }
  EXPECT_EQ(cache_->store_reads(), reads);

  ASSERT_TRUE(other_->add_pin(make_pin("b.example", pin_value(1))).ok());
  // Rejections on several event-loop threads at once: one reload for all.
  std::vector<std::thread> loops;
  std::atomic<int> failures{0};
  for (int thread = 0; thread < 4; ++thread) {
    loops.emplace_back([&] {
      for (int i = 0; i < 250; ++i) {
        if (!base::wait_for(cache_->catch_up()).ok() || cache_->pins("b.example")->size() != 1) {
          ++failures;
        }
      }
    });
  }
  for (std::thread& loop : loops) {
    loop.join();
  }
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(cache_->store_reads(), reads + 1);
}

// The refresh timer, driven by tick(): another process's change is served
// after one tick (no catch-up asked for it), and the old answer is not
// served after that.
TEST_F(PinCacheTest, TheRefreshTimerServesAnotherProcessesChangeAfterOneTick) {
  ASSERT_TRUE(other_->add_pin(make_pin("b.example", pin_value(1))).ok());
  EXPECT_TRUE(cache_->pins("b.example")->empty());  // the snapshot, until the timer
  cache_->tick();
  ASSERT_EQ(cache_->pins("b.example")->size(), 1U);
  EXPECT_EQ((*cache_->pins("b.example"))[0].pin_sha256, pin_value(1));

  ASSERT_TRUE(other_->remove_pin("b.example", pin_value(1)).ok());
  ASSERT_TRUE(other_->add_pin(make_pin("c.example", pin_value(2))).ok());
  cache_->tick();
  EXPECT_TRUE(cache_->pins("b.example")->empty());
  EXPECT_EQ(cache_->pins("c.example")->size(), 1U);
  EXPECT_EQ(cache_->all_pins()->size(), 1U);
}

class PinCacheWriteTest : public PinCacheTest {
 protected:
  void SetUp() override {
    PinCacheTest::SetUp();
    cache_->set_before_write([this] { return gate_.pass(); });
  }
  void TearDown() override {
    gate_.failing = false;
    gate_.release();
    cache_.reset();  // the thread, whose hook uses gate_
  }

  test::WriteGate gate_;
};

// A first login whose write fails: the login that caused it was accepted
// already, but the next decision about that domain fails closed, naming
// the store's error; other domains are judged as usual; nothing is stored;
// once the disk works again the timer's retry stores it.
TEST_F(PinCacheWriteTest, AFailedFirstLoginWriteRefusesThatDomainUntilARetryWorks) {
  gate_.failing = true;
  // Held, so the write cannot fail and finish before its completion is taken
  // (pending() answers nullptr once the work is done).
  gate_.hold();
  ASSERT_TRUE(cache_->record_openpgp_auth("a.example", kT0).ok());
  const std::shared_ptr<base::Pending> write = cache_->pending("a.example");
  ASSERT_NE(write, nullptr);
  gate_.release();
  const Status waited = write->wait();
  ASSERT_FALSE(waited.ok());
  EXPECT_NE(waited.error().message().find("disk is full"), std::string::npos);
  const auto refused = cache_->openpgp_auth("a.example");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, PinErrc::storage_error);
  EXPECT_NE(refused.error().message().find(
                "recording the OpenPGP login of a.example: database or disk is full"),
            std::string::npos)
      << refused.error().message();
  EXPECT_FALSE(cache_->record_openpgp_auth("a.example", kT0 + 1s).ok());
  EXPECT_FALSE(other_->openpgp_auth("a.example")->has_value());
  EXPECT_TRUE(cache_->pins("b.example").ok());
  EXPECT_EQ(cache_->transactions(), 0U);

  gate_.failing = false;
  cache_->tick();
  const auto recorded = cache_->openpgp_auth("a.example");
  ASSERT_TRUE(recorded.ok()) << recorded.error().message();
  ASSERT_TRUE(recorded->has_value());
  expect_durable("a.example", kT0);
}

// Trust on first use whose write fails: no pin, a clear error (the
// completion's status, which fails the decision that waited for it), and
// the next attempt pins once the disk works.
TEST_F(PinCacheWriteTest, AFailedTofuWriteIsAnErrorAndPinsNothing) {
  gate_.failing = true;
  const auto failed = settled(*cache_, "d.example", [&] {
    return cache_->pin_on_first_use("d.example", pin_value(7), kT0);
  });
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, PinErrc::storage_error);
  EXPECT_NE(failed.error().message().find("disk is full"), std::string::npos);
  EXPECT_TRUE(other_->pins("d.example")->empty());
  EXPECT_TRUE(cache_->pins("d.example")->empty());

  gate_.failing = false;
  ASSERT_EQ(cache_->pin_on_first_use("d.example", pin_value(7), kT0).error().code,
            PinErrc::not_ready);
  ASSERT_TRUE(cache_->pending("d.example")->wait().ok());
  const auto pinned = cache_->pins("d.example");
  ASSERT_TRUE(pinned.ok()) << pinned.error().message();
  ASSERT_EQ(pinned->size(), 1U);
  EXPECT_EQ((*pinned)[0].source, PinSource::tofu);
  EXPECT_EQ(other_->pins("d.example")->size(), 1U);
}

// While a write is held (a slow disk), the caller's thread (an event loop)
// is never blocked: reads, another domain's login and a rejection's
// catch-up all return, and so do calls about the domain whose first login
// is being written: they answer not_ready, with the write's completion.
TEST_F(PinCacheWriteTest, AHeldWriteBlocksNoCaller) {
  ASSERT_TRUE(base::wait_for(cache_->catch_up()).ok());  // whatever opening the store wrote
  gate_.hold();
  ASSERT_TRUE(cache_->record_openpgp_auth("a.example", kT0).ok());
  ASSERT_TRUE(gate_.wait_entered());  // the thread is inside the write

  auto others = std::async(std::launch::async, [&] {
    const auto held = cache_->openpgp_auth("a.example");
    const auto held_pins = cache_->pins("a.example");
    const auto held_tofu = cache_->pin_on_first_use("a.example", pin_value(3), kT0);
    return cache_->pins("b.example").ok() && cache_->catch_up() == nullptr &&
           cache_->record_openpgp_auth("b.example", kT0).ok() &&
           cache_->effective_setting("b.example", Setting::tofu).ok() && cache_->all_pins().ok() &&
           held.error().code == PinErrc::not_ready &&
           held_pins.error().code == PinErrc::not_ready &&
           held_tofu.error().code == PinErrc::not_ready &&
           cache_->pending("a.example") != nullptr && !cache_->pending("a.example")->ready();
  });
  const auto answered = others.wait_for(30s);
  gate_.release();  // before anything can return: the future waits for its thread
  EXPECT_EQ(answered, std::future_status::ready);
  EXPECT_TRUE(others.get());

  const auto record =
      settled(*cache_, "a.example", [&] { return cache_->openpgp_auth("a.example"); });
  ASSERT_TRUE(record.ok()) << record.error().message();
  EXPECT_TRUE(record->has_value());
}

TEST_F(PinCacheTest, BadDomainsAreRefusedAsByTheStore) {
  const auto bad = cache_->pins("not a domain");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, PinErrc::invalid_argument);
  EXPECT_FALSE(cache_->record_openpgp_auth("", kT0).ok());
}

TEST(PinCacheOpen, AMissingDirectoryIsAClearError) {
  test::TempDir dir;
  const auto cache = PinCache::open(dir.file("no/such/dir/pins.sqlite"));
  ASSERT_FALSE(cache.ok());
  EXPECT_NE(cache.error().message().find("check that the directory exists"), std::string::npos);
}

}  // namespace
}  // namespace pgptls::pins
