// The pin store's statement API: replacing a domain's signed
// pins in one transaction, rollback refusal, expiry, and certificate-hash
// pins (RFC 7711) matched against the presented leaf only.
#include <gtest/gtest.h>

#include <chrono>

#include "base/encoding.h"
#include "keyring/statement_trust.h"
#include "pins/errors.h"
#include "pins/pin_check.h"
#include "pins/pin_json.h"
#include "pins/pin_store.h"
#include "pins/pin_types.h"
#include "tests/keyring/statement_fixture.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace pgptls::pins {
namespace {

using namespace std::chrono_literals;
using test::StatementWorld;

const base::Seconds kNow = *base::parse_utc("2026-11-29T12:00:00Z");
const std::string kSigner = "AAAABBBBCCCCDDDDEEEEFFFF0000111122223333";
const std::string kOtherSigner = "1111222233334444555566667777888899990000";

std::string pin_of(std::uint8_t fill) {
  return base::base64_encode(Bytes(32, fill));
}

SignedStatement make(std::uint64_t serial, base::Seconds issued, std::vector<std::string> spki,
                     const std::string& content = "content", const std::string& signer = kSigner) {
  SignedStatement s;
  s.record.domain = "a.example";
  s.record.signer_fingerprint = signer;
  s.record.serial = serial;
  s.record.issued = issued;
  s.record.expires = issued + 24h;
  s.record.content_sha256 = base::base64_encode(Bytes(content.begin(), content.end()));
  s.spki_pins = std::move(spki);
  return s;
}

class StatementStore : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = PinStore::open(dir_.file("pins.sqlite"));
    ASSERT_TRUE(store.ok()) << store.error().message();
    store_.emplace(std::move(store).value());
  }
  std::vector<std::string> signed_pins() {
    std::vector<std::string> out;
    const auto pins = store_->pins("a.example");
    EXPECT_TRUE(pins.ok());
    for (const Pin& pin : *pins) {
      if (pin.source == PinSource::signed_list) {
        out.push_back(pin.pin_sha256);
      }
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  test::TempDir dir_;
  std::optional<PinStore> store_;
};

TEST_F(StatementStore, ReplacesTheDomainsSignedPins) {
  auto first = store_->store_statement(make(1, kNow, {pin_of(1), pin_of(2)}, "one"), kNow);
  ASSERT_TRUE(first.ok()) << first.error().message();
  EXPECT_EQ(*first, StatementOutcome::updated);
  auto pins = store_->pins("A.Example");
  ASSERT_TRUE(pins.ok());
  ASSERT_EQ(pins->size(), 2u);
  for (const Pin& pin : *pins) {
    EXPECT_EQ(pin.source, PinSource::signed_list);
    EXPECT_EQ(pin.kind, PinKind::spki);
    EXPECT_EQ(pin.expires, kNow + 24h);
    EXPECT_EQ(pin.note, "signed statement serial 1 by " + kSigner);
  }

  auto second = store_->store_statement(make(2, kNow + 1h, {pin_of(3)}, "two"), kNow + 1h);
  ASSERT_TRUE(second.ok()) << second.error().message();
  EXPECT_EQ(*second, StatementOutcome::updated);
  EXPECT_EQ(signed_pins(), std::vector<std::string>{pin_of(3)});

  const auto last = store_->last_statement("a.example");
  ASSERT_TRUE(last.ok() && last->has_value());
  EXPECT_EQ((*last)->serial, 2u);
  EXPECT_EQ((*last)->issued, kNow + 1h);
  EXPECT_EQ((*last)->expires, kNow + 25h);
  EXPECT_EQ((*last)->accepted, kNow + 1h);
  EXPECT_EQ((*last)->signer_fingerprint, kSigner);
  const auto all = store_->last_statements();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].domain, "a.example");
  EXPECT_FALSE(store_->last_statement("b.example")->has_value());
}

TEST_F(StatementStore, TheSameStatementAgainIsUnchanged) {
  const SignedStatement statement = make(4, kNow, {pin_of(1)});
  ASSERT_EQ(*store_->store_statement(statement, kNow), StatementOutcome::updated);
  auto again = store_->store_statement(statement, kNow + 1h);
  ASSERT_TRUE(again.ok()) << again.error().message();
  EXPECT_EQ(*again, StatementOutcome::unchanged);
  EXPECT_EQ((*store_->last_statement("a.example"))->accepted, kNow);

  // RFC 7711 §3.1: without "issued" the expiry counts from the fetch, so
  // the same bytes fetched later live longer.
  SignedStatement refetched = statement;
  refetched.record.expires = kNow + 30h;
  ASSERT_EQ(*store_->store_statement(refetched, kNow + 6h), StatementOutcome::unchanged);
  EXPECT_EQ((*store_->pins("a.example"))[0].expires, kNow + 30h);
}

TEST_F(StatementStore, RefusesALowerSerial) {
  ASSERT_TRUE(store_->store_statement(make(5, kNow, {pin_of(1)}, "five"), kNow).ok());
  auto old = store_->store_statement(make(4, kNow + 1h, {pin_of(9)}, "four"), kNow + 1h);
  ASSERT_FALSE(old.ok());
  EXPECT_EQ(old.error().code, PinErrc::statement_rollback);
  EXPECT_EQ(old.error().context,
            "statement for a.example has serial 4, lower than the accepted serial 5 by " + kSigner +
                " issued 2026-11-29T12:00:00Z (accepted 2026-11-29T12:00:00Z); an older "
                "statement was replayed, or the publisher went back: it must publish a statement "
                "with a higher \"serial\" and a later \"issued\"");
  EXPECT_EQ(signed_pins(), std::vector<std::string>{pin_of(1)});
}

TEST_F(StatementStore, RefusesAnOlderIssuedEvenWithAHigherSerialOrAnotherSigner) {
  ASSERT_TRUE(store_->store_statement(make(5, kNow, {pin_of(1)}, "five"), kNow).ok());
  auto older = store_->store_statement(make(6, kNow - 1h, {pin_of(9)}, "six"), kNow);
  ASSERT_FALSE(older.ok());
  EXPECT_EQ(older.error().code, PinErrc::statement_rollback);
  EXPECT_EQ(older.error().context.rfind("statement for a.example was issued 2026-11-29T11:00:00Z, "
                                        "before the accepted serial 5 by " +
                                            kSigner,
                                        0),
            0u)
      << older.error().context;

  // Serials are per signer, but "issued" orders every statement for the
  // domain: another signer's older statement is a rollback too.
  auto other = store_->store_statement(make(100, kNow - 1h, {pin_of(9)}, "x", kOtherSigner), kNow);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, PinErrc::statement_rollback);
  auto newer = store_->store_statement(make(1, kNow + 1h, {pin_of(7)}, "y", kOtherSigner), kNow);
  ASSERT_TRUE(newer.ok()) << newer.error().message();
  EXPECT_EQ(signed_pins(), std::vector<std::string>{pin_of(7)});
  EXPECT_EQ((*store_->last_statement("a.example"))->signer_fingerprint, kOtherSigner);
}

TEST_F(StatementStore, RefusesASerialReusedWithOtherContent) {
  ASSERT_TRUE(store_->store_statement(make(5, kNow, {pin_of(1)}, "five"), kNow).ok());
  auto reused = store_->store_statement(make(5, kNow, {pin_of(9)}, "evil"), kNow);
  ASSERT_FALSE(reused.ok());
  EXPECT_EQ(reused.error().code, PinErrc::statement_rollback);
  EXPECT_EQ(reused.error().context.rfind("statement for a.example reuses serial 5 with different "
                                         "content than the accepted serial 5 by " +
                                             kSigner,
                                         0),
            0u)
      << reused.error().context;
}

TEST_F(StatementStore, RefusesAnExpiredStatementAndBadPins) {
  auto expired = store_->store_statement(make(1, kNow - 48h, {pin_of(1)}), kNow);
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().code, PinErrc::statement_expired);
  EXPECT_EQ(expired.error().context,
            "statement for a.example expired on 2026-11-28T12:00:00Z; its publisher must sign a "
            "fresh one");
  auto bad = store_->store_statement(make(1, kNow, {"not-a-pin"}), kNow);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, PinErrc::invalid_argument);
  EXPECT_FALSE(store_->last_statement("a.example")->has_value());
}

TEST_F(StatementStore, ManualPinsStayAndTofuPinsBecomeSigned) {
  Pin manual;
  manual.domain = "a.example";
  manual.pin_sha256 = pin_of(1);
  manual.created = kNow;
  ASSERT_TRUE(store_->add_pin(manual).ok());
  ASSERT_TRUE(store_->pin_on_first_use("a.example", pin_of(2), kNow).ok());
  ASSERT_TRUE(store_->pin_on_first_use("b.example", pin_of(2), kNow).ok());

  ASSERT_TRUE(store_->store_statement(make(1, kNow, {pin_of(1), pin_of(2)}, "1"), kNow).ok());
  auto pins = *store_->pins("a.example");
  ASSERT_EQ(pins.size(), 2u);
  EXPECT_EQ(pins[0].source, PinSource::manual);
  EXPECT_FALSE(pins[0].expires.has_value());
  EXPECT_EQ(pins[1].source, PinSource::signed_list);
  EXPECT_EQ(pins[1].expires, kNow + 24h);

  // The next statement drops both: the manual pin stays.
  ASSERT_TRUE(store_->store_statement(make(2, kNow + 1h, {pin_of(3)}, "2"), kNow + 1h).ok());
  pins = *store_->pins("a.example");
  ASSERT_EQ(pins.size(), 2u);
  EXPECT_EQ(pins[0].pin_sha256, pin_of(1));
  EXPECT_EQ(pins[0].source, PinSource::manual);
  EXPECT_EQ(pins[1].pin_sha256, pin_of(3));
  // Other domains are untouched.
  EXPECT_EQ((*store_->pins("b.example"))[0].source, PinSource::tofu);
}

TEST_F(StatementStore, ABatchStoresEachStatementOrReportsItsRefusal) {
  ASSERT_TRUE(store_->store_statement(make(9, kNow, {pin_of(1)}, "nine"), kNow).ok());
  SignedStatement rollback = make(3, kNow + 1h, {pin_of(2)}, "bundle");
  SignedStatement b = rollback;
  b.record.domain = "b.example";
  SignedStatement c = rollback;
  c.record.domain = "c.example";
  c.spki_pins = {pin_of(3)};
  const std::vector<SignedStatement> batch{b, rollback, c};
  auto outcomes = store_->store_statements(batch, kNow + 1h);
  ASSERT_TRUE(outcomes.ok()) << outcomes.error().message();
  ASSERT_EQ(outcomes->size(), 3u);
  ASSERT_TRUE((*outcomes)[0].ok());
  EXPECT_EQ(*(*outcomes)[0], StatementOutcome::updated);
  ASSERT_FALSE((*outcomes)[1].ok());
  EXPECT_EQ((*outcomes)[1].error().code, PinErrc::statement_rollback);
  EXPECT_EQ((*outcomes)[1].error().context.rfind(
                "statement for a.example has serial 3, lower than the accepted serial 9", 0),
            0u)
      << (*outcomes)[1].error().context;
  ASSERT_TRUE((*outcomes)[2].ok());
  EXPECT_EQ(signed_pins(), std::vector<std::string>{pin_of(1)});
  EXPECT_EQ((*store_->pins("b.example"))[0].pin_sha256, pin_of(2));
  EXPECT_EQ((*store_->pins("c.example"))[0].pin_sha256, pin_of(3));
  EXPECT_EQ(store_->last_statements()->size(), 3u);
}

// certificate pins and expiry, against real certificates made by openssl.
class StatementPinCheck : public StatementStore {
 protected:
  const StatementWorld& world = StatementWorld::get();
  Bytes spki() { return *spki_from_x509(world.x509_first); }
};

TEST_F(StatementPinCheck, CertificatePinIsTheSha256OfTheDerAsOpensslComputesIt) {
  const auto ours = certificate_pin(world.x509_first);
  ASSERT_TRUE(ours.ok());
  const test::ToolResult openssl = test::run_tool(
      {"sh", "-c",
       "openssl dgst -sha256 -binary '" + (world.dir / "x509-first.der").string() + "' | base64"});
  ASSERT_TRUE(openssl.ok()) << openssl.describe();
  EXPECT_EQ(*ours + "\n", openssl.out);
  EXPECT_NE(*certificate_pin(world.x509_second), *ours);
  EXPECT_EQ(*pin_from_x509(world.x509_second), *pin_from_x509(world.x509_first));
  EXPECT_FALSE(certificate_pin({}).ok());
}

TEST_F(StatementPinCheck, CertificatePinMatchesTheLeafNotAnotherCertificateWithTheSameKey) {
  SignedStatement statement = make(1, kNow, {});
  statement.certificate_pins = {*certificate_pin(world.x509_first)};
  ASSERT_TRUE(store_->store_statement(statement, kNow).ok());
  EXPECT_EQ((*store_->pins("a.example"))[0].kind, PinKind::certificate);

  auto leaf = check_x509_pin(*store_, "a.example", spki(), {}, kNow, world.x509_first);
  ASSERT_TRUE(leaf.ok()) << leaf.error().message();
  EXPECT_EQ(leaf->kind, PinKind::certificate);
  EXPECT_EQ(leaf->source, PinSource::signed_list);
  EXPECT_EQ(leaf->pin_sha256, *certificate_pin(world.x509_first));

  // The renewed certificate has the same key, but the pin is of the old
  // certificate; a raw public key has no certificate at all.
  const std::string refusal = "x509 key for a.example matches no pin (pin-sha256=\"" +
                              *pin_from_x509(world.x509_first) +
                              "\"); add it with 'pgptls pin add a.example " +
                              *pin_from_x509(world.x509_first) + "' if you trust it";
  auto renewed = check_x509_pin(*store_, "a.example", spki(), {}, kNow, world.x509_second);
  ASSERT_FALSE(renewed.ok());
  EXPECT_EQ(renewed.error().code, PinErrc::pin_mismatch);
  EXPECT_EQ(renewed.error().context, refusal);
  auto raw = check_x509_pin(*store_, "a.example", spki(), {}, kNow);
  ASSERT_FALSE(raw.ok());
  EXPECT_EQ(raw.error().context, refusal);
}

TEST_F(StatementPinCheck, CertificatePinsSurviveExportAndImport) {
  SignedStatement statement = make(1, kNow, {pin_of(1)});
  statement.certificate_pins = {*certificate_pin(world.x509_first)};
  ASSERT_TRUE(store_->store_statement(statement, kNow).ok());
  const std::string exported = format_pin_json(*store_->snapshot());
  EXPECT_EQ(exported.find("\"kind\": \"spki\""), std::string::npos) << exported;
  EXPECT_NE(exported.find("\"kind\": \"certificate\""), std::string::npos) << exported;

  test::TempDir other;
  auto copy = PinStore::open(other.file("pins.sqlite"));
  ASSERT_TRUE(copy.ok());
  const auto parsed = parse_pin_json(exported);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  ASSERT_TRUE(copy->import(*parsed).ok());
  auto leaf = check_x509_pin(*copy, "a.example", spki(), {}, kNow, world.x509_first);
  ASSERT_TRUE(leaf.ok()) << leaf.error().message();
  EXPECT_EQ(leaf->kind, PinKind::certificate);

  const auto bad_kind = parse_pin_json(
      R"({"format":"pgptls-pins","version":1,"pins":[{"domain":"a.example","pin":")" + pin_of(1) +
      R"(","source":"signed","created":"2026-11-29T12:00:00Z","kind":"cert"}],"settings":[],)"
      R"("openpgp":[]})");
  ASSERT_FALSE(bad_kind.ok());
  EXPECT_NE(
      bad_kind.error().message().find("unknown pin kind 'cert'; expected spki or certificate"),
      std::string::npos)
      << bad_kind.error().message();
}

TEST_F(StatementPinCheck, PinsOfAnExpiredStatementStopCounting) {
  SignedStatement statement = make(1, kNow, {*pin_from_x509(world.x509_first)});
  ASSERT_TRUE(store_->store_statement(statement, kNow).ok());
  auto live = check_x509_pin(*store_, "a.example", spki(), {}, kNow + 23h, world.x509_first);
  ASSERT_TRUE(live.ok()) << live.error().message();
  EXPECT_EQ(live->kind, PinKind::spki);
  EXPECT_EQ(live->source, PinSource::signed_list);

  auto expired = check_x509_pin(*store_, "a.example", spki(), {}, kNow + 24h, world.x509_first);
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().code, PinErrc::pin_mismatch);
  EXPECT_EQ(expired.error().context,
            "x509 key for a.example matches a signed spki pin pin-sha256=\"" +
                *pin_from_x509(world.x509_first) +
                "\" whose statement expired on 2026-11-30T12:00:00Z; fetch a fresh statement "
                "with 'pgptls pins refresh a.example', or pin the key with 'pgptls pin add "
                "a.example " +
                *pin_from_x509(world.x509_first) + "' if you trust it");
}

TEST_F(StatementPinCheck, AVerifiedGpgStatementIsStoredOnceThenUnchanged) {
  const base::Seconds now =
      std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  auto verified = keyring::verify_statement(test::view(world.a_document), world.a_signature,
                                            "a.example", world.signers(), now);
  ASSERT_TRUE(verified.ok()) << verified.error().message();
  auto stored = store_->store_statement(verified->pins, now);
  ASSERT_TRUE(stored.ok()) << stored.error().message();
  EXPECT_EQ(*stored, StatementOutcome::updated);
  EXPECT_EQ(store_->pins("a.example")->size(), 2u);
  EXPECT_EQ(*store_->store_statement(verified->pins, now), StatementOutcome::unchanged);
  const auto last = *store_->last_statement("a.example");
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->serial, 7u);
  EXPECT_EQ(last->signer_fingerprint, world.domain_a.fingerprint_hex());
}

}  // namespace
}  // namespace pgptls::pins
