// PinCache: reads from memory, writes on its own thread. Another
// connection to the same file stands for another process (SQLite's
// data_version reports commits by any other connection). The cache's own
// timer is set to an hour, so every refresh here is the explicit trigger:
// nothing waits for time to pass.
#include <gtest/gtest.h>

#include <array>
#include <chrono>

#include "base/encoding.h"
#include "pins/errors.h"
#include "pins/pin_cache.h"
#include "tests/support/temp_dir.h"

namespace pgptls::keyring {
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
  // The next decision about a.example (here: its sticky record) returns
  // only once the record is on disk, where another process sees it.
  const auto record = cache_->openpgp_auth("a.example");
  ASSERT_TRUE(record.ok()) << record.error().message();
  ASSERT_TRUE(record->has_value());
  const auto stored = other_->openpgp_auth("a.example");
  ASSERT_TRUE(stored.ok());
  ASSERT_TRUE(stored->has_value());
  EXPECT_EQ((*stored)->first, std::chrono::time_point_cast<std::chrono::seconds>(kT0));
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
  const auto outcome = cache_->pin_on_first_use("d.example", pin_value(8), kT0);
  ASSERT_TRUE(outcome.ok()) << outcome.error().message();
  EXPECT_FALSE(outcome->pinned);
  ASSERT_EQ(outcome->existing.size(), 1U);
  EXPECT_EQ(outcome->existing[0].pin_sha256, pin_value(7));
  // A new domain is pinned, and the snapshot has it at once.
  const auto pinned = cache_->pin_on_first_use("e.example", pin_value(9), kT0);
  ASSERT_TRUE(pinned.ok()) << pinned.error().message();
  EXPECT_TRUE(pinned->pinned);
  ASSERT_EQ(cache_->pins("e.example")->size(), 1U);
  EXPECT_EQ((*cache_->pins("e.example"))[0].source, PinSource::tofu);
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
}  // namespace pgptls::keyring
