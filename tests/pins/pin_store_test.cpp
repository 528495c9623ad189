// Tests of the pin database: pins, settings, OpenPGP records, schema
// migrations and damaged files.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <fstream>
#include <iterator>

#include "pins/errors.h"
#include "pins/pin_store.h"
#include "tests/support/temp_dir.h"

namespace pgptls::pins {
namespace {

using namespace std::chrono_literals;

const std::string kPinA = "d6qzRu9zOECb90Uez27xWltNsj0e1Md7GkYYkVoZWmM=";
const std::string kPinB = "E9CZ9INDbd+2eRQozYqqbQ2yXLVKB9+xcprMF+44U1g=";

base::Seconds at(const char* text) {
  return *base::parse_utc(text);
}

Pin make_pin(std::string domain, std::string value, PinSource source = PinSource::manual) {
  Pin pin;
  pin.domain = std::move(domain);
  pin.pin_sha256 = std::move(value);
  pin.source = source;
  pin.created = at("2026-01-01T00:00:00Z");
  return pin;
}

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(PinStore, AddsListsUpdatesAndRemovesPins) {
  test::TempDir dir;
  auto store = PinStore::open(dir.file("pins.sqlite"));
  ASSERT_TRUE(store.ok()) << store.error().message();

  Pin first = make_pin("B.Example.", "pin-sha256=\"" + kPinA + "\"");
  first.expires = at("2027-01-01T00:00:00Z");
  first.note = "current key";
  EXPECT_EQ(*store->add_pin(first), AddOutcome::added);
  Pin backup = make_pin("b.example", kPinB);
  backup.created = at("2026-02-01T00:00:00Z");
  EXPECT_EQ(*store->add_pin(backup), AddOutcome::added);
  EXPECT_EQ(*store->add_pin(make_pin("c.example", kPinA, PinSource::tofu)), AddOutcome::added);

  const auto pins = store->pins("b.EXAMPLE");
  ASSERT_TRUE(pins.ok());
  ASSERT_EQ(pins->size(), 2u);
  EXPECT_EQ((*pins)[0].domain, "b.example");
  EXPECT_EQ((*pins)[0].pin_sha256, kPinA);
  EXPECT_EQ((*pins)[0].source, PinSource::manual);
  EXPECT_EQ((*pins)[0].created, at("2026-01-01T00:00:00Z"));
  EXPECT_EQ((*pins)[0].expires, at("2027-01-01T00:00:00Z"));
  EXPECT_EQ((*pins)[0].note, "current key");
  EXPECT_EQ((*pins)[1].pin_sha256, kPinB);
  EXPECT_FALSE((*pins)[1].expires.has_value());
  EXPECT_EQ(store->all_pins()->size(), 3u);

  // Adding the same pin again replaces source, expiry and note.
  Pin again = make_pin("b.example", kPinA, PinSource::signed_list);
  again.note = "from the list";
  EXPECT_EQ(*store->add_pin(again), AddOutcome::updated);
  const auto updated = store->pins("b.example");
  EXPECT_EQ((*updated)[0].source, PinSource::signed_list);
  EXPECT_FALSE((*updated)[0].expires.has_value());
  EXPECT_EQ((*updated)[0].note, "from the list");

  ASSERT_TRUE(store->remove_pin("b.example.", kPinA).ok());
  EXPECT_EQ(store->pins("b.example")->size(), 1u);
  const Status missing = store->remove_pin("b.example", kPinA);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, PinErrc::not_found);
  EXPECT_EQ(missing.error().context,
            "no pin pin-sha256=\"" + kPinA + "\" for b.example; see 'pgptls pin list b.example'");
}

TEST(PinStore, RejectsBadPinsAndEnforcesCaps) {
  test::TempDir dir;
  auto store = PinStore::open(dir.file("pins.sqlite"));
  ASSERT_TRUE(store.ok());
  EXPECT_EQ(store->add_pin(make_pin("b..example", kPinA)).error().code, PinErrc::invalid_argument);
  EXPECT_EQ(store->add_pin(make_pin("b.example", "short")).error().code, PinErrc::invalid_argument);
  Pin long_note = make_pin("b.example", kPinA);
  long_note.note = std::string(kMaxNoteLength + 1, 'x');
  EXPECT_NE(store->add_pin(long_note).error().message().find("longer than 1024"),
            std::string::npos);

  Pin far = make_pin("b.example", kPinA);
  // Built from seconds: base::parse_utc itself refuses years outside 1970..2200.
  far.expires = base::Seconds(std::chrono::seconds(10'413'792'000));  // 2300-01-01
  EXPECT_EQ(store->add_pin(far).error().context,
            "expiry time must lie between 1970-01-01 and 2199-12-31");
  far = make_pin("b.example", kPinA);
  far.created = base::Seconds(std::chrono::seconds(-1));  // 1969-12-31T23:59:59Z
  EXPECT_EQ(store->add_pin(far).error().context,
            "creation time must lie between 1970-01-01 and 2199-12-31");
  EXPECT_FALSE(
      store->record_openpgp_auth("b.example", base::Seconds(std::chrono::seconds(7'273'000'000)))
          .ok());

  // The per-domain cap: distinct valid pins from a counter.
  for (std::size_t i = 0; i < kMaxPinsPerDomain; ++i) {
    std::string value = kPinA;
    value[0] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[i];
    ASSERT_TRUE(store->add_pin(make_pin("b.example", value)).ok()) << i;
  }
  const auto over = store->add_pin(make_pin("b.example", kPinB));
  ASSERT_FALSE(over.ok());
  EXPECT_NE(over.error().message().find("already has 64 pins, the most allowed; remove old ones "
                                        "with 'pgptls pin remove'"),
            std::string::npos);
  // A batch with one bad pin stores nothing.
  const Pin batch[] = {make_pin("d.example", kPinA), make_pin("d.example", "bad")};
  const Status imported = store->add_pins(batch);
  ASSERT_FALSE(imported.ok());
  EXPECT_EQ(imported.error().message().rfind("d.example: ", 0), 0u);
  EXPECT_TRUE(store->pins("d.example")->empty());
}

TEST(PinStore, SettingsFallBackFromDomainToGlobalToOff) {
  test::TempDir dir;
  auto store = PinStore::open(dir.file("pins.sqlite"));
  ASSERT_TRUE(store.ok());
  EXPECT_FALSE(*store->effective_setting("b.example", Setting::tofu));
  EXPECT_FALSE(*store->effective_setting("b.example", Setting::require_openpgp));
  ASSERT_TRUE(store->set_setting({}, Setting::tofu, true).ok());
  EXPECT_TRUE(*store->effective_setting("b.example", Setting::tofu));
  ASSERT_TRUE(store->set_setting({"B.example."}, Setting::tofu, false).ok());
  EXPECT_FALSE(*store->effective_setting("b.example", Setting::tofu));
  EXPECT_TRUE(*store->effective_setting("c.example", Setting::tofu));
  EXPECT_EQ(*store->setting({"b.example"}, Setting::tofu), false);
  EXPECT_FALSE(store->setting({"c.example"}, Setting::tofu)->has_value());
  ASSERT_TRUE(store->set_setting({"c.example"}, Setting::require_openpgp, true).ok());
  const auto all = store->all_settings();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_FALSE((*all)[0].domain.has_value());
  EXPECT_EQ((*all)[1].domain, "b.example");
  EXPECT_EQ((*all)[2].setting, Setting::require_openpgp);
  EXPECT_EQ(store->set_setting({"bad domain"}, Setting::tofu, true).error().code,
            PinErrc::invalid_argument);
}

TEST(PinStore, RecordsOpenPgpAuthenticationFirstAndLast) {
  test::TempDir dir;
  auto store = PinStore::open(dir.file("pins.sqlite"));
  ASSERT_TRUE(store.ok());
  EXPECT_FALSE(store->openpgp_auth("b.example")->has_value());
  ASSERT_TRUE(store->record_openpgp_auth("b.example", at("2026-03-01T10:00:00Z")).ok());
  ASSERT_TRUE(store->record_openpgp_auth("B.EXAMPLE", at("2026-03-05T10:00:00Z")).ok());
  ASSERT_TRUE(store->record_openpgp_auth("b.example", at("2026-03-02T10:00:00Z")).ok());
  const auto record = store->openpgp_auth("b.example.");
  ASSERT_TRUE(record.ok() && record->has_value());
  EXPECT_EQ((*record)->first, at("2026-03-01T10:00:00Z"));
  EXPECT_EQ((*record)->last, at("2026-03-05T10:00:00Z"));
}

TEST(PinStore, PinOnFirstUseOnlyWhenTheDomainHasNoPin) {
  test::TempDir dir;
  auto store = PinStore::open(dir.file("pins.sqlite"));
  ASSERT_TRUE(store.ok());
  const auto first = store->pin_on_first_use("b.example", kPinA, at("2026-03-01T10:00:00Z"));
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->pinned);
  const auto second = store->pin_on_first_use("b.example", kPinB, at("2026-03-02T10:00:00Z"));
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->pinned);
  ASSERT_EQ(second->existing.size(), 1u);
  EXPECT_EQ(second->existing[0].pin_sha256, kPinA);
  EXPECT_EQ(second->existing[0].source, PinSource::tofu);
  EXPECT_EQ(second->existing[0].note, "first seen 2026-03-01T10:00:00Z");
}

TEST(PinStore, PersistsAcrossReopen) {
  test::TempDir dir;
  {
    auto store = PinStore::open(dir.file("pins.sqlite"));
    ASSERT_TRUE(store->add_pin(make_pin("b.example", kPinA)).ok());
  }
  auto store = PinStore::open(dir.file("pins.sqlite"));
  ASSERT_TRUE(store.ok());
  EXPECT_EQ(store->pins("b.example")->size(), 1u);
  EXPECT_EQ(*store->database().user_version(), kPinSchemaVersion);
  EXPECT_EQ(*store->database().integrity_check(), "ok");
}

TEST(PinStore, GarbageFileIsAClearErrorAndLeftUntouched) {
  test::TempDir dir;
  const auto path = dir.file("pins.sqlite");
  const std::string garbage(8192, 'x');
  std::ofstream(path, std::ios::binary) << garbage;
  const auto store = PinStore::open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, PinErrc::corrupt_database);
  EXPECT_NE(store.error().message().find(path.string()), std::string::npos);
  EXPECT_NE(store.error().message().find("file is not a database"), std::string::npos);
  EXPECT_NE(store.error().message().find("left untouched: restore it from a backup or move it "
                                         "aside"),
            std::string::npos);
  EXPECT_EQ(slurp(path), garbage);
  EXPECT_FALSE(std::filesystem::exists(dir.file("pins.sqlite-wal")));
}

TEST(PinStore, DamagedPagesAreAClearErrorAndLeftUntouched) {
  test::TempDir dir;
  const auto path = dir.file("pins.sqlite");
  {
    auto store = PinStore::open(path);
    ASSERT_TRUE(store.ok());
    for (int i = 0; i < 40; ++i) {
      ASSERT_TRUE(store->add_pin(make_pin("d" + std::to_string(i) + ".example", kPinA)).ok());
    }
    // Fold the WAL into the main file so the damage below hits real pages.
    ASSERT_TRUE(store->database().exec("PRAGMA wal_checkpoint(TRUNCATE)").ok());
  }
  std::string bytes = slurp(path);
  ASSERT_GT(bytes.size(), 4096u * 2);
  // Overwrite the second page (the first table's b-tree root) with garbage.
  for (std::size_t i = 4096; i < 4096 * 2; ++i) {
    bytes[i] = static_cast<char>(0xA5);
  }
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  const auto store = PinStore::open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, PinErrc::corrupt_database);
  EXPECT_NE(store.error().message().find("left untouched"), std::string::npos)
      << store.error().message();
  EXPECT_EQ(slurp(path), bytes);
}

TEST(PinStore, NewerSchemaIsRefusedWithoutChange) {
  test::TempDir dir;
  const auto path = dir.file("pins.sqlite");
  {
    auto store = PinStore::open(path);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE(store->database().exec("PRAGMA user_version=9").ok());
  }
  const auto store = PinStore::open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, PinErrc::storage_error);
  EXPECT_NE(store.error().message().find("has schema version 9 but this pgptls knows versions up "
                                         "to " +
                                         std::to_string(kPinSchemaVersion) + "; upgrade pgptls"),
            std::string::npos);
}

// Times no pgptls writes (the store keeps 1970..2199) mark the file as not
// ours instead of overflowing the clock arithmetic.
TEST(PinStore, OutOfRangeStoredTimeIsReportedAsDamage) {
  test::TempDir dir;
  auto store = PinStore::open(dir.file("pins.sqlite"));
  ASSERT_TRUE(store->add_pin(make_pin("b.example", kPinA)).ok());
  ASSERT_TRUE(store->database().exec("UPDATE pins SET expires = -30171296107").ok());
  const auto pins = store->pins("b.example");
  ASSERT_FALSE(pins.ok());
  EXPECT_EQ(pins.error().code, PinErrc::corrupt_database);
  EXPECT_NE(pins.error().message().find("holds a time outside 1970..2199"), std::string::npos);
}

TEST(PinStore, MissingDirectoryIsAClearError) {
  test::TempDir dir;
  const auto store = PinStore::open(dir.file("no/such/dir/pins.sqlite"));
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, PinErrc::storage_error);
  EXPECT_NE(store.error().message().find("check that the directory exists"), std::string::npos);
}

// A database written by a pgptls that knew only schema version 1 (the DDL
// below is that version's, verbatim) is migrated forward and keeps its pins.
TEST(PinStore, MigratesFromSchemaVersion1) {
  test::TempDir dir;
  const auto path = dir.file("pins.sqlite");
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    const std::string v1 = std::string(pin_schema_migrations()[0].sql) +
                           "INSERT INTO pins (domain, pin, source, created, expires, note) "
                           "VALUES ('b.example', '" +
                           kPinA +
                           "', 'tofu', 1767225600, NULL, 'old');"
                           "INSERT INTO settings VALUES ('', 'tofu', 1);"
                           "PRAGMA user_version=1;";
    ASSERT_EQ(sqlite3_exec(db, v1.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  auto store = PinStore::open(path);
  ASSERT_TRUE(store.ok()) << store.error().message();
  EXPECT_EQ(*store->database().user_version(), kPinSchemaVersion);
  const auto pins = store->pins("b.example");
  ASSERT_EQ(pins->size(), 1u);
  EXPECT_EQ((*pins)[0].source, PinSource::tofu);
  EXPECT_EQ((*pins)[0].note, "old");
  EXPECT_TRUE(*store->effective_setting("b.example", Setting::tofu));
  // The version 2 table exists, with its foreign key to pins enforced.
  ASSERT_TRUE(store->database()
                  .exec("INSERT INTO pin_statements (domain, signer_fingerprint, serial, issued, "
                        "expires, accepted) VALUES ('b.example', 'AB', 1, 0, 1, 0)")
                  .ok());
  EXPECT_FALSE(
      store->database().exec("UPDATE pins SET statement_id = 42 WHERE domain = 'b.example'").ok());
  ASSERT_TRUE(
      store->database().exec("UPDATE pins SET statement_id = 1 WHERE domain = 'b.example'").ok());
  ASSERT_TRUE(store->database().exec("DELETE FROM pin_statements WHERE id = 1").ok());
  EXPECT_TRUE(store->pins("b.example")->empty());
}

}  // namespace
}  // namespace pgptls::pins
