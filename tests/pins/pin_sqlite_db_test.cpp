// Tests of the SQLite wrapper itself: statement reuse, nesting, moves,
// transactions and migrations.
#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <fstream>

#include "pins/errors.h"
#include "pins/sqlite_db.h"
#include "tests/support/temp_dir.h"

namespace pgptls::pins {
namespace {

constexpr std::array<Migration, 2> kMigrations{{
    {1, "CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL);"},
    {2, "ALTER TABLE t ADD COLUMN w INTEGER;"},
}};

TEST(PinSqliteDb, MigratesAndSetsWal) {
  test::TempDir dir;
  auto db = SqliteDb::open(dir.file("t.sqlite"), std::span(kMigrations).first(1));
  ASSERT_TRUE(db.ok()) << db.error().message();
  EXPECT_EQ(*db->user_version(), 1);
  auto mode = db->prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode.ok());
  ASSERT_TRUE(*mode->step());
  EXPECT_EQ(mode->column_text(0), "wal");
  mode = db->prepare("PRAGMA foreign_keys");
  ASSERT_TRUE(*mode->step());
  EXPECT_EQ(mode->column_int64(0), 1);
}

// A new database must never be visible in rollback-journal mode: two
// processes that both found it so raced to switch it to WAL, and SQLite
// refuses that upgrade at once (SQLITE_BUSY, no busy wait). The file
// appears already in WAL mode (header bytes 18 and 19 are 2, "SQLite file
// format" §1.3.4) and migrated, and nothing of its staging is left behind.
TEST(PinSqliteDb, NewDatabaseAppearsInWalModeAndMigrated) {
  test::TempDir dir;
  const auto path = dir.file("t.sqlite");
  {
    auto db = SqliteDb::open(path, kMigrations);
    ASSERT_TRUE(db.ok()) << db.error().message();
  }
  std::ifstream file(path, std::ios::binary);
  std::array<char, 20> header{};
  ASSERT_TRUE(file.read(header.data(), header.size()));
  EXPECT_EQ(header[18], 2) << "write version: not WAL";
  EXPECT_EQ(header[19], 2) << "read version: not WAL";
  for (const auto& entry : std::filesystem::directory_iterator(path.parent_path())) {
    EXPECT_EQ(entry.path().filename().string().find(".new-"), std::string::npos)
        << "staging file left: " << entry.path();
  }
  auto again = SqliteDb::open(path, kMigrations);
  ASSERT_TRUE(again.ok()) << again.error().message();
  EXPECT_EQ(*again->user_version(), 2);
}

TEST(PinSqliteDb, CachedStatementsAreResetAndNestingGetsAPrivateCopy) {
  test::TempDir dir;
  auto opened = SqliteDb::open(dir.file("t.sqlite"), kMigrations);
  ASSERT_TRUE(opened.ok());
  // Moving the connection keeps its cache usable.
  SqliteDb db = std::move(opened).value();
  for (int k = 1; k <= 3; ++k) {
    auto insert = db.prepare("INSERT INTO t (k, v) VALUES (?1, ?2)");
    ASSERT_TRUE(insert.ok());
    ASSERT_TRUE(insert->bind(1, std::int64_t{k}).ok());
    ASSERT_TRUE(insert->bind(2, "v" + std::to_string(k)).ok());
    ASSERT_TRUE(insert->run().ok());
  }
  const std::string select = "SELECT v FROM t WHERE k >= ?1 ORDER BY k";
  auto outer = db.prepare(select);
  ASSERT_TRUE(outer.ok());
  ASSERT_TRUE(outer->bind(1, std::int64_t{2}).ok());
  ASSERT_TRUE(*outer->step());
  EXPECT_EQ(outer->column_text(0), "v2");
  {
    // The same SQL while the outer statement is mid-iteration.
    auto inner = db.prepare(select);
    ASSERT_TRUE(inner.ok());
    ASSERT_TRUE(inner->bind(1, std::int64_t{1}).ok());
    ASSERT_TRUE(*inner->step());
    EXPECT_EQ(inner->column_text(0), "v1");
  }
  ASSERT_TRUE(*outer->step());
  EXPECT_EQ(outer->column_text(0), "v3");
  EXPECT_FALSE(*outer->step());
  {
    Statement moved = std::move(outer).value();
    (void)moved;
  }
  // Reuse after release starts over with no old bindings: ?1 is NULL, and
  // "k >= NULL" matches nothing.
  {
    auto unbound = db.prepare(select);
    EXPECT_FALSE(*unbound->step());
  }
  auto again = db.prepare(select);
  ASSERT_TRUE(again->bind(1, std::int64_t{3}).ok());
  ASSERT_TRUE(*again->step());
  EXPECT_EQ(again->column_text(0), "v3");
}

TEST(PinSqliteDb, UncommittedTransactionRollsBack) {
  test::TempDir dir;
  auto db = SqliteDb::open(dir.file("t.sqlite"), kMigrations);
  ASSERT_TRUE(db.ok());
  {
    auto transaction = db->begin_immediate();
    ASSERT_TRUE(transaction.ok());
    ASSERT_TRUE(db->exec("INSERT INTO t (k, v) VALUES (1, 'x')").ok());
  }
  auto count = db->prepare("SELECT count(*) FROM t");
  ASSERT_TRUE(*count->step());
  EXPECT_EQ(count->column_int64(0), 0);
}

TEST(PinSqliteDb, SqlErrorsAreStorageErrorsNamingTheFile) {
  test::TempDir dir;
  auto db = SqliteDb::open(dir.file("t.sqlite"), kMigrations);
  ASSERT_TRUE(db.ok());
  const auto bad = db->prepare("SELECT nope FROM t");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, PinErrc::storage_error);
  EXPECT_NE(bad.error().message().find(dir.file("t.sqlite").string()), std::string::npos);
  EXPECT_NE(bad.error().message().find("no such column: nope"), std::string::npos);
  const Status constraint = db->exec("INSERT INTO t (k, v) VALUES (1, NULL)");
  ASSERT_FALSE(constraint.ok());
  EXPECT_NE(constraint.error().message().find("NOT NULL constraint failed"), std::string::npos);
}

}  // namespace
}  // namespace pgptls::pins
