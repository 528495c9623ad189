// The X.509 pin decision matrix, with keys made by openssl: pinned, backup,
// expired, unpinned, trust on first use, sticky OpenPGP domains and
// require-openpgp, each rejection with its message.
#include <gtest/gtest.h>

#include <chrono>

#include "pins/errors.h"
#include "pins/pin_check.h"
#include "tests/pins/pin_fixtures.h"

namespace pgptls::pins {
namespace {

using namespace std::chrono_literals;
using test::X509Fixture;

class PinCheck : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    keys_dir_ = new test::TempDir();
    current_ = new X509Fixture(test::make_x509(keys_dir_->path(), "current", "b.example"));
    backup_ = new X509Fixture(test::make_x509(keys_dir_->path(), "backup", "b.example"));
    other_ = new X509Fixture(test::make_x509(keys_dir_->path(), "other", "b.example"));
  }
  static void TearDownTestSuite() {
    delete current_;
    delete backup_;
    delete other_;
    delete keys_dir_;
  }

  void SetUp() override {
    ASSERT_FALSE(current_->pin.empty());
    auto store = PinStore::open(dir_.file("pins.sqlite"));
    ASSERT_TRUE(store.ok()) << store.error().message();
    store_.emplace(std::move(store).value());
  }

  void pin(const X509Fixture& key, PinSource source = PinSource::manual,
           std::optional<base::Seconds> expires = std::nullopt) {
    Pin pin;
    pin.domain = "b.example";
    pin.pin_sha256 = key.pin;
    pin.source = source;
    pin.created = std::chrono::floor<std::chrono::seconds>(now_);
    pin.expires = expires;
    ASSERT_TRUE(store_->add_pin(pin).ok());
  }

  Result<PinAccepted> check(const X509Fixture& key, PinContext context = {},
                            std::string_view domain = "b.example") {
    return check_x509_pin(*store_, domain, key.spki_der, context, now_);
  }

  static std::string shown(const X509Fixture& key) { return "pin-sha256=\"" + key.pin + "\""; }

  static test::TempDir* keys_dir_;
  static X509Fixture* current_;
  static X509Fixture* backup_;
  static X509Fixture* other_;
  test::TempDir dir_;
  std::optional<PinStore> store_;
  base::TimePoint now_ = *base::parse_utc("2026-06-01T12:00:00Z");
};
test::TempDir* PinCheck::keys_dir_ = nullptr;
X509Fixture* PinCheck::current_ = nullptr;
X509Fixture* PinCheck::backup_ = nullptr;
X509Fixture* PinCheck::other_ = nullptr;

TEST_F(PinCheck, UnpinnedKeyIsRejectedWithTheCommandToPinIt) {
  const auto result = check(*current_);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, PinErrc::pin_mismatch);
  EXPECT_EQ(result.error().context, "x509 key for b.example matches no pin (" + shown(*current_) +
                                        "); add it with 'pgptls pin add b.example " +
                                        current_->pin + "' if you trust it");
}

TEST_F(PinCheck, PinnedKeyIsAcceptedUnderAnySpellingOfTheDomain) {
  pin(*current_);
  for (const std::string_view domain : {"b.example", "B.Example.", "B.EXAMPLE"}) {
    const auto result = check(*current_, {}, domain);
    ASSERT_TRUE(result.ok()) << result.error().message();
    EXPECT_EQ(result->pin_sha256, current_->pin);
    EXPECT_EQ(result->source, PinSource::manual);
    EXPECT_FALSE(result->pinned_now);
  }
  const auto other = check(*other_);
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.error().context.find("matches no pin (" + shown(*other_) + ")"),
            std::string::npos);
}

TEST_F(PinCheck, BackupPinIsAccepted) {
  pin(*current_);
  pin(*backup_);
  const auto result = check(*backup_);
  ASSERT_TRUE(result.ok()) << result.error().message();
  EXPECT_EQ(result->pin_sha256, backup_->pin);
}

TEST_F(PinCheck, ExpiredPinIsRejectedAndSaysHowToRenew) {
  pin(*current_, PinSource::manual, *base::parse_utc("2026-06-01T12:00:00Z"));
  const auto result = check(*current_);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, PinErrc::pin_mismatch);
  EXPECT_EQ(result.error().context,
            "x509 key for b.example matches a pin that expired on 2026-06-01T12:00:00Z (" +
                shown(*current_) + "); renew it with 'pgptls pin add b.example " + current_->pin +
                "' --expires DATE if you still trust it");
  // One second earlier the same pin still counts.
  now_ -= 1s;
  EXPECT_TRUE(check(*current_).ok());
}

TEST_F(PinCheck, TofuOffByDefault) {
  const auto result = check(*current_);
  ASSERT_FALSE(result.ok());
  EXPECT_TRUE(store_->pins("b.example")->empty());
}

TEST_F(PinCheck, TofuPinsFirstKeyThenRejectsAChangeShowingBothPins) {
  ASSERT_TRUE(store_->set_setting({"b.example"}, Setting::tofu, true).ok());
  const auto first = check(*current_);
  ASSERT_TRUE(first.ok()) << first.error().message();
  EXPECT_TRUE(first->pinned_now);
  EXPECT_EQ(first->source, PinSource::tofu);
  const auto stored = store_->pins("b.example");
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ((*stored)[0].source, PinSource::tofu);
  EXPECT_EQ((*stored)[0].pin_sha256, current_->pin);

  const auto again = check(*current_);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->pinned_now);
  EXPECT_EQ(again->source, PinSource::tofu);

  const auto changed = check(*other_);
  ASSERT_FALSE(changed.ok());
  EXPECT_EQ(changed.error().code, PinErrc::pin_mismatch);
  EXPECT_EQ(changed.error().context,
            "x509 key for b.example changed: pinned on first use " + shown(*current_) +
                " on 2026-06-01T12:00:00Z, presented " + shown(*other_) +
                "; if the change is expected, replace it with 'pgptls pin remove b.example " +
                current_->pin + "' and 'pgptls pin add b.example " + other_->pin + "'");
  EXPECT_EQ(store_->pins("b.example")->size(), 1u);
}

TEST_F(PinCheck, GlobalTofuAppliesUnlessTheDomainTurnsItOff) {
  ASSERT_TRUE(store_->set_setting({}, Setting::tofu, true).ok());
  EXPECT_TRUE(check(*current_, {}, "c.example").ok());
  ASSERT_TRUE(store_->set_setting({"b.example"}, Setting::tofu, false).ok());
  EXPECT_FALSE(check(*current_).ok());
}

TEST_F(PinCheck, TofuDoesNotApplyWhenTheDomainHasAnyPin) {
  ASSERT_TRUE(store_->set_setting({}, Setting::tofu, true).ok());
  pin(*current_, PinSource::manual, *base::parse_utc("2026-01-01"));
  const auto result = check(*other_);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().context.find("matches no pin"), std::string::npos);
  EXPECT_EQ(store_->pins("b.example")->size(), 1u);
}

TEST_F(PinCheck, StickyDomainRefusesTofuPinAndTofu) {
  ASSERT_TRUE(store_->set_setting({}, Setting::tofu, true).ok());
  // Certified in the keyring: no first-use pinning.
  const auto first = check(*current_, {.keyring_certified = true});
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.error().context,
            "x509 key for b.example matches no pin (" + shown(*current_) +
                "); trust on first use does not apply because the keyring holds an "
                "authority-certified OpenPGP certificate for b.example; add it with 'pgptls pin "
                "add b.example " +
                current_->pin + "' if you trust it");
  EXPECT_TRUE(store_->pins("b.example")->empty());

  // An existing tofu pin does not count either.
  pin(*current_, PinSource::tofu);
  const auto tofu_pin = check(*current_, {.keyring_certified = true});
  ASSERT_FALSE(tofu_pin.ok());
  EXPECT_EQ(tofu_pin.error().context,
            "x509 key for b.example matches only a tofu pin (" + shown(*current_) +
                "), but the keyring holds an authority-certified OpenPGP certificate for "
                "b.example, so X.509 needs a manual or signed pin; add it with 'pgptls pin add "
                "b.example " +
                current_->pin + "' if you trust it");
  // Without the keyring certificate the tofu pin counts.
  EXPECT_TRUE(check(*current_).ok());
}

TEST_F(PinCheck, RecordedOpenPgpAuthenticationMakesTheDomainSticky) {
  pin(*current_, PinSource::tofu);
  ASSERT_TRUE(
      store_->record_openpgp_auth("b.example", *base::parse_utc("2026-05-01T08:00:00Z")).ok());
  const auto result = check(*current_);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().context.find(
                "but b.example authenticated with OpenPGP on 2026-05-01T08:00:00Z, so X.509 "
                "needs a manual or signed pin"),
            std::string::npos)
      << result.error().context;
}

TEST_F(PinCheck, StickyDomainAcceptsManualAndSignedPins) {
  pin(*current_, PinSource::manual);
  pin(*backup_, PinSource::signed_list);
  const auto manual = check(*current_, {.keyring_certified = true});
  ASSERT_TRUE(manual.ok()) << manual.error().message();
  EXPECT_EQ(manual->source, PinSource::manual);
  const auto signed_pin = check(*backup_, {.keyring_certified = true});
  ASSERT_TRUE(signed_pin.ok()) << signed_pin.error().message();
  EXPECT_EQ(signed_pin->source, PinSource::signed_list);
}

TEST_F(PinCheck, RequireOpenPgpRefusesX509EvenWhenPinned) {
  pin(*current_);
  ASSERT_TRUE(store_->set_setting({"b.example"}, Setting::require_openpgp, true).ok());
  const auto domain = check(*current_);
  ASSERT_FALSE(domain.ok());
  EXPECT_EQ(domain.error().code, PinErrc::rejected_by_policy);
  EXPECT_EQ(domain.error().context,
            "x509 key for b.example refused (" + shown(*current_) +
                "): require-openpgp is on for b.example; the peer must authenticate with "
                "OpenPGP, or allow X.509 with 'pgptls pin require-openpgp b.example off'");

  ASSERT_TRUE(store_->set_setting({"b.example"}, Setting::require_openpgp, false).ok());
  EXPECT_TRUE(check(*current_).ok());
  ASSERT_TRUE(store_->set_setting({}, Setting::require_openpgp, true).ok());
  EXPECT_TRUE(check(*current_).ok()) << "the domain's own 'off' overrides the global 'on'";
  const auto global = check(*current_, {}, "c.example");
  ASSERT_FALSE(global.ok());
  EXPECT_NE(global.error().context.find("require-openpgp is on globally; the peer must "
                                        "authenticate with OpenPGP, or allow X.509 with 'pgptls "
                                        "pin require-openpgp --global off'"),
            std::string::npos);
}

TEST_F(PinCheck, MalformedInputIsAnInvalidArgument) {
  const Bytes not_spki = {0x30, 0x03, 0x02, 0x01, 0x00};
  const auto bad_key = check_x509_pin(*store_, "b.example", not_spki, {}, now_);
  ASSERT_FALSE(bad_key.ok());
  EXPECT_EQ(bad_key.error().code, PinErrc::invalid_argument);
  const auto bad_domain = check(*current_, {}, "b..example");
  ASSERT_FALSE(bad_domain.ok());
  EXPECT_EQ(bad_domain.error().code, PinErrc::invalid_argument);
}

}  // namespace
}  // namespace pgptls::pins
