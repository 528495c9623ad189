// sqlite_db.h: a small RAII wrapper over SQLite3 for the keyring's stores.
// Every query is a prepared statement with bound parameters; writes run in
// `BEGIN IMMEDIATE` transactions so that concurrent processes serialise on
// the write lock (waiting up to the busy timeout) instead of failing midway.
#pragma once

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "base/result.h"

namespace pgptls::pins {

struct SqliteCloser {
  void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
struct SqliteFinalizer {
  void operator()(sqlite3_stmt* statement) const noexcept { sqlite3_finalize(statement); }
};

// Statement: one prepared statement. Parameters are 1-based (SQLite's
// convention), columns 0-based. A statement from the connection's cache is
// reset and unbound (not finalised) when this object goes away, and marked
// free for the next prepare() of the same SQL.
class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* statement, bool* in_use = nullptr)
      : db_(db), statement_(statement), in_use_(in_use) {}
  Statement(Statement&& other) noexcept
      : db_(other.db_),
        statement_(std::exchange(other.statement_, nullptr)),
        in_use_(std::exchange(other.in_use_, nullptr)) {}
  Statement& operator=(Statement&& other) noexcept {
    if (this != &other) {
      release();
      db_ = other.db_;
      statement_ = std::exchange(other.statement_, nullptr);
      in_use_ = std::exchange(other.in_use_, nullptr);
    }
    return *this;
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { release(); }

  // bind: binds a parameter; fails with PinErrc::storage_error.
  [[nodiscard]] Status bind(int index, std::string_view text);
  [[nodiscard]] Status bind(int index, std::int64_t value);
  [[nodiscard]] Status bind_null(int index);
  // bind_optional: NULL when the value is absent.
  [[nodiscard]] Status bind(int index, const std::optional<std::int64_t>& value);

  // step: true when a row is available, false when the statement is done.
  // Fails with PinErrc::storage_error (busy for longer than the timeout, disk
  // full, read-only file) or PinErrc::corrupt_database.
  [[nodiscard]] Result<bool> step();
  // run: steps a statement that returns no rows to completion.
  [[nodiscard]] Status run();

  [[nodiscard]] std::int64_t column_int64(int column) const;
  [[nodiscard]] std::string column_text(int column) const;
  [[nodiscard]] bool column_is_null(int column) const;
  [[nodiscard]] std::optional<std::int64_t> column_optional_int64(int column) const;

 private:
  // release: gives the statement back to the cache, or finalises it.
  void release() noexcept;

  sqlite3* db_;
  sqlite3_stmt* statement_;
  bool* in_use_;  // the cache slot's flag, or null for an uncached statement
};

class SqliteDb;

// Transaction: a `BEGIN IMMEDIATE` transaction, rolled back on destruction
// unless commit() succeeded.
class Transaction {
 public:
  explicit Transaction(SqliteDb* db) : db_(db) {}
  Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  // commit: makes the writes durable (synchronous=FULL); fails with
  // PinErrc::storage_error, after which the transaction is rolled back.
  [[nodiscard]] Status commit();

 private:
  SqliteDb* db_;
};

// Migration: the SQL that moves a database from schema version `to - 1` to
// `to`. Migrations run in order, each in its own transaction.
struct Migration {
  int to;
  std::string_view sql;
};

// SqliteOptions: how a database is opened.
struct SqliteOptions {
  std::chrono::milliseconds busy_timeout{10'000};
  // What the file holds, for messages ("pin database").
  std::string_view what = "database";
};

// SqliteDb: an open connection in WAL mode with foreign keys enforced.
class SqliteDb {
 public:
  // open: opens the database at `path` (a missing one is created complete,
  // in WAL mode, and appears at once: see create_atomically), checks it
  // with `PRAGMA quick_check`, switches it to WAL and applies the pending
  // `migrations` (sorted by `to`, starting at 1). A file that is not a
  // database, fails the check, or carries a schema version newer than the
  // last migration is never modified: open fails with
  // PinErrc::corrupt_database (or PinErrc::storage_error for the version) and a
  // message saying what to do.
  [[nodiscard]] static Result<SqliteDb> open(const std::filesystem::path& path,
                                             std::span<const Migration> migrations,
                                             const SqliteOptions& options = {});

  // prepare: compiles one SQL statement, or reuses the cached compilation
  // of the same SQL when no other Statement holds it; fails with
  // PinErrc::storage_error.
  [[nodiscard]] Result<Statement> prepare(std::string_view sql);
  // exec: runs SQL without parameters (schema changes, pragmas).
  [[nodiscard]] Status exec(std::string_view sql);
  // begin_immediate: takes the write lock, waiting up to the busy timeout.
  [[nodiscard]] Result<Transaction> begin_immediate();

  // user_version: the schema version stored in the file.
  [[nodiscard]] Result<int> user_version();
  // integrity_check: "ok" or SQLite's list of problems (PRAGMA
  // integrity_check, the full check).
  [[nodiscard]] Result<std::string> integrity_check();

  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

  // error: an Error from the connection's last failure, classified by code.
  [[nodiscard]] Error error(int code, std::string_view doing) const;

 private:
  SqliteDb(std::unique_ptr<sqlite3, SqliteCloser> db, std::filesystem::path path, std::string what)
      : db_(std::move(db)), path_(std::move(path)), what_(std::move(what)) {}
  [[nodiscard]] Status migrate(std::span<const Migration> migrations);
  // create_atomically: builds a new database (WAL, migrated) under a
  // temporary name next to `path` and links it into place unless another
  // process got there first; see the race it avoids in the definition.
  [[nodiscard]] static Status create_atomically(const std::filesystem::path& path,
                                                std::span<const Migration> migrations,
                                                const SqliteOptions& options);
  // open_existing: the check, WAL switch and migrations of open().
  [[nodiscard]] static Result<SqliteDb> open_existing(const std::filesystem::path& path,
                                                      std::span<const Migration> migrations,
                                                      const SqliteOptions& options, bool create);

  // CachedStatement: a compiled statement kept for reuse; node-based map, so
  // the in_use flag's address stays valid while the map grows or moves.
  struct CachedStatement {
    std::unique_ptr<sqlite3_stmt, SqliteFinalizer> statement;
    bool in_use = false;
  };

  std::unique_ptr<sqlite3, SqliteCloser> db_;
  std::filesystem::path path_;
  std::string what_;
  // Declared after db_, so statements are finalised before the connection
  // closes.
  std::unordered_map<std::string, CachedStatement> cache_;
};

}  // namespace pgptls::pins
