// base::Pending: set once from any thread; each callback runs exactly once,
// at once when already set; a forgotten callback never runs.
#include "base/pending.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "base/errors.h"

namespace pgptls::base {
namespace {

TEST(Pending, CallbacksRunOnceWithTheFirstStatus) {
  auto pending = Pending::make();
  std::vector<std::string> seen;
  pending->on_ready([&](const Status& status) { seen.push_back(status.ok() ? "ok" : "error"); });
  EXPECT_FALSE(pending->ready());
  EXPECT_TRUE(seen.empty());
  pending->set(make_error(Errc::invalid_value, "disk full"));
  pending->set({});  // too late: the first status stands
  ASSERT_EQ(seen, std::vector<std::string>{"error"});
  ASSERT_TRUE(pending->status().has_value());
  EXPECT_FALSE(pending->status()->ok());
  EXPECT_EQ(pending->wait().error().context, "disk full");
  // Registered after it finished: runs at once, on this thread.
  const std::uint64_t id =
      pending->on_ready([&](const Status& status) { seen.push_back(status.ok() ? "ok" : "late"); });
  EXPECT_EQ(id, Pending::kRanAtOnce);
  EXPECT_EQ(seen, (std::vector<std::string>{"error", "late"}));
}

TEST(Pending, AForgottenCallbackNeverRuns) {
  auto pending = Pending::make();
  int runs = 0;
  const std::uint64_t id = pending->on_ready([&](const Status&) { ++runs; });
  pending->on_ready([&](const Status&) { runs += 10; });
  pending->forget(id);
  pending->set({});
  EXPECT_EQ(runs, 10);
}

TEST(Pending, AnotherThreadFinishesItAndAWaiterWakes) {
  auto pending = Pending::make();
  std::thread worker([pending] { pending->set({}); });
  EXPECT_TRUE(pending->wait().ok());
  worker.join();
  EXPECT_TRUE(wait_for(nullptr).ok());  // nothing to wait for
  EXPECT_TRUE(Pending::finished({})->ready());
}

}  // namespace
}  // namespace pgptls::base
