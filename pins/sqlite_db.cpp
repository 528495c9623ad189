#include "pins/sqlite_db.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>

#include "pins/errors.h"

namespace pgptls::pins {
namespace {

// sqlite_error: classifies an SQLite result code. SQLITE_CORRUPT and
// SQLITE_NOTADB mean the file is damaged; everything else is a storage
// problem (locked, read-only, full disk) the operator can fix and retry.
Error sqlite_error(sqlite3* db, int code, std::string_view doing) {
  const char* file = db != nullptr ? sqlite3_db_filename(db, "main") : nullptr;
  const std::string where = (file != nullptr && *file != '\0') ? std::string(file) : "(memory)";
  const std::string reason = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code);
  const int primary = code & 0xff;
  if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) {
    return make_error(PinErrc::corrupt_database,
                      std::string(doing) + " " + where + ": " + reason +
                          "; the file was left untouched: restore it from a backup or move it "
                          "aside to start with an empty one");
  }
  std::string fix;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
    fix = "; another process holds the write lock, retry when it has finished";
  } else if (primary == SQLITE_READONLY || primary == SQLITE_CANTOPEN || primary == SQLITE_PERM) {
    fix = "; check that the file and its directory exist and are writable";
  } else if (primary == SQLITE_FULL) {
    fix = "; free disk space and retry";
  }
  return make_error(PinErrc::storage_error, std::string(doing) + " " + where + ": " + reason + fix);
}

}  // namespace

void Statement::release() noexcept {
  if (statement_ == nullptr) {
    return;
  }
  if (in_use_ != nullptr) {
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
    *in_use_ = false;
  } else {
    sqlite3_finalize(statement_);
  }
  statement_ = nullptr;
  in_use_ = nullptr;
}

Status Statement::bind(int index, std::string_view text) {
  const int rc = sqlite3_bind_text(statement_, index, text.data(), static_cast<int>(text.size()),
                                   SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) {
    return sqlite_error(db_, rc, "binding a parameter for");
  }
  return {};
}

Status Statement::bind(int index, std::int64_t value) {
  const int rc = sqlite3_bind_int64(statement_, index, value);
  if (rc != SQLITE_OK) {
    return sqlite_error(db_, rc, "binding a parameter for");
  }
  return {};
}

Status Statement::bind_null(int index) {
  const int rc = sqlite3_bind_null(statement_, index);
  if (rc != SQLITE_OK) {
    return sqlite_error(db_, rc, "binding a parameter for");
  }
  return {};
}

Status Statement::bind(int index, const std::optional<std::int64_t>& value) {
  return value ? bind(index, *value) : bind_null(index);
}

Result<bool> Statement::step() {
  const int rc = sqlite3_step(statement_);
  if (rc == SQLITE_ROW) {
    return true;
  }
  if (rc == SQLITE_DONE) {
    return false;
  }
  return sqlite_error(db_, rc, "querying");
}

Status Statement::run() {
  PGPTLS_TRY(const bool row, step());
  (void)row;
  return {};
}

std::int64_t Statement::column_int64(int column) const {
  return sqlite3_column_int64(statement_, column);
}

std::string Statement::column_text(int column) const {
  const unsigned char* text = sqlite3_column_text(statement_, column);
  const int size = sqlite3_column_bytes(statement_, column);
  if (text == nullptr) {
    return {};
  }
  return {reinterpret_cast<const char*>(text), static_cast<std::size_t>(size)};
}

bool Statement::column_is_null(int column) const {
  return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

std::optional<std::int64_t> Statement::column_optional_int64(int column) const {
  if (column_is_null(column)) {
    return std::nullopt;
  }
  return column_int64(column);
}

Transaction::~Transaction() {
  if (db_ != nullptr) {
    // A failed rollback leaves SQLite to roll back when the connection
    // closes; nothing more can be done in a destructor.
    (void)db_->exec("ROLLBACK");
  }
}

Status Transaction::commit() {
  SqliteDb* db = std::exchange(db_, nullptr);
  if (db == nullptr) {
    return make_error(PinErrc::storage_error, "commit of a finished transaction");
  }
  Status status = db->exec("COMMIT");
  if (!status.ok()) {
    (void)db->exec("ROLLBACK");
  }
  return status;
}

Result<SqliteDb> SqliteDb::open(const std::filesystem::path& path,
                                std::span<const Migration> migrations,
                                const SqliteOptions& options) {
  std::error_code missing;
  if (!std::filesystem::exists(path, missing)) {
    PGPTLS_CHECK(create_atomically(path, migrations, options));
  }
  return open_existing(path, migrations, options, /*create=*/false);
}

Status SqliteDb::create_atomically(const std::filesystem::path& path,
                                   std::span<const Migration> migrations,
                                   const SqliteOptions& options) {
  // Two processes creating the same database at once used to race: both
  // opened the new, empty file in rollback-journal mode, and the switch to
  // WAL reads the header and then upgrades to the exclusive lock while
  // holding the shared one, which SQLite refuses at once with
  // SQLITE_BUSY (no busy handler: waiting could deadlock). So a new file is
  // built, in WAL mode and fully migrated, under a name of its own in the
  // same directory and then linked into place; link() never replaces, so
  // the first one wins and the others open the winner's file.
  static std::atomic<std::uint64_t> counter{0};
  std::filesystem::path staging = path;
  staging += ".new-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
  {
    auto fresh = open_existing(staging, migrations, options, /*create=*/true);
    if (!fresh.ok()) {
      std::error_code ignored;
      std::filesystem::remove(staging, ignored);
      return make_error(PinErrc::storage_error, "cannot create " + std::string(options.what) + " " +
                                                    path.string() + ": " + fresh.error().message());
    }
  }  // closing the last connection checkpoints the WAL and removes it
  const int linked = ::link(staging.c_str(), path.c_str());
  const int link_errno = errno;
  std::error_code ignored;
  std::filesystem::remove(staging, ignored);
  std::filesystem::remove(std::filesystem::path(staging.string() + "-wal"), ignored);
  std::filesystem::remove(std::filesystem::path(staging.string() + "-shm"), ignored);
  if (linked != 0 && link_errno != EEXIST) {
    return make_error(PinErrc::storage_error,
                      "cannot create " + std::string(options.what) + " " + path.string() + ": " +
                          std::strerror(link_errno) +
                          "; check that the directory exists and is writable");
  }
  // The new directory entry must survive a crash like any committed write.
  const std::filesystem::path directory =
      path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  if (const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); fd >= 0) {
    (void)::fsync(fd);
    ::close(fd);
  }
  return {};
}

Result<SqliteDb> SqliteDb::open_existing(const std::filesystem::path& path,
                                         std::span<const Migration> migrations,
                                         const SqliteOptions& options, bool create) {
  sqlite3* raw = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  std::unique_ptr<sqlite3, SqliteCloser> handle(raw);
  if (rc != SQLITE_OK) {
    return make_error(PinErrc::storage_error,
                      "cannot open " + std::string(options.what) + " " + path.string() + ": " +
                          sqlite3_errstr(rc) +
                          "; check that the directory exists and the file is writable");
  }
  sqlite3_extended_result_codes(handle.get(), 1);
  SqliteDb db(std::move(handle), path, std::string(options.what));
  sqlite3_busy_timeout(db.db_.get(), static_cast<int>(options.busy_timeout.count()));

  // Check before anything writes: switching to WAL rewrites the header, and
  // a damaged file must stay exactly as it was for the operator to inspect
  // or restore.
  {
    PGPTLS_TRY(Statement check, db.prepare("PRAGMA quick_check"));
    std::string problems;
    while (true) {
      PGPTLS_TRY(const bool row, check.step());
      if (!row) {
        break;
      }
      const std::string line = check.column_text(0);
      if (line != "ok") {
        problems += problems.empty() ? line : "; " + line;
      }
    }
    if (!problems.empty()) {
      return make_error(PinErrc::corrupt_database,
                        std::string(options.what) + " " + path.string() +
                            " fails its integrity check (" + problems +
                            "); the file was left untouched: restore it from a backup or move it "
                            "aside to start with an empty one");
    }
  }
  PGPTLS_TRY(const int version, db.user_version());
  const int latest = migrations.empty() ? 0 : migrations.back().to;
  if (version > latest) {
    return make_error(PinErrc::storage_error,
                      std::string(options.what) + " " + path.string() + " has schema version " +
                          std::to_string(version) + " but this pgptls knows versions up to " +
                          std::to_string(latest) + "; upgrade pgptls to use it");
  }
  // WAL lets readers proceed while one process writes; synchronous=FULL
  // makes every committed transaction survive a crash or kill -9. A file
  // pgptls created is in WAL mode already (create_atomically), so this
  // changes nothing and takes no lock; only a file made otherwise (an empty
  // file, an old rollback-journal database) is switched here.
  PGPTLS_CHECK(db.exec("PRAGMA journal_mode=WAL"));
  PGPTLS_CHECK(db.exec("PRAGMA synchronous=FULL"));
  PGPTLS_CHECK(db.exec("PRAGMA foreign_keys=ON"));
  PGPTLS_CHECK(db.migrate(migrations));
  return db;
}

Status SqliteDb::migrate(std::span<const Migration> migrations) {
  for (const Migration& migration : migrations) {
    PGPTLS_TRY(const int before, user_version());
    if (before >= migration.to) {
      continue;
    }
    PGPTLS_TRY(Transaction transaction, begin_immediate());
    // Another process may have migrated while this one waited for the lock.
    PGPTLS_TRY(const int version, user_version());
    if (version >= migration.to) {
      continue;
    }
    if (version != migration.to - 1) {
      return make_error(PinErrc::storage_error, what_ + " " + path_.string() +
                                                    ": no migration from schema version " +
                                                    std::to_string(version));
    }
    PGPTLS_CHECK(exec(migration.sql));
    PGPTLS_CHECK(exec("PRAGMA user_version=" + std::to_string(migration.to)));
    PGPTLS_CHECK(transaction.commit());
  }
  return {};
}

Result<Statement> SqliteDb::prepare(std::string_view sql) {
  // The connection path runs the same few queries on every X.509 peer;
  // compiling each once saves most of the cost of a lookup.
  const auto found = cache_.find(std::string(sql));
  if (found != cache_.end() && !found->second.in_use) {
    found->second.in_use = true;
    return Statement(db_.get(), found->second.statement.get(), &found->second.in_use);
  }
  sqlite3_stmt* raw = nullptr;
  const int rc =
      sqlite3_prepare_v2(db_.get(), sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(raw);
    return sqlite_error(db_.get(), rc, "reading");
  }
  if (found == cache_.end()) {
    CachedStatement& slot = cache_[std::string(sql)];
    slot.statement.reset(raw);
    slot.in_use = true;
    return Statement(db_.get(), raw, &slot.in_use);
  }
  // The cached copy is held by an enclosing caller: use a private one.
  return Statement(db_.get(), raw);
}

Status SqliteDb::exec(std::string_view sql) {
  const std::string text(sql);
  const int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    return sqlite_error(db_.get(), rc, "writing");
  }
  return {};
}

Result<Transaction> SqliteDb::begin_immediate() {
  PGPTLS_CHECK(exec("BEGIN IMMEDIATE"));
  return Transaction(this);
}

Result<int> SqliteDb::user_version() {
  PGPTLS_TRY(Statement statement, prepare("PRAGMA user_version"));
  PGPTLS_TRY(const bool row, statement.step());
  if (!row) {
    return make_error(PinErrc::storage_error, "PRAGMA user_version returned no row");
  }
  return static_cast<int>(statement.column_int64(0));
}

Result<std::string> SqliteDb::integrity_check() {
  PGPTLS_TRY(Statement statement, prepare("PRAGMA integrity_check"));
  std::string report;
  while (true) {
    PGPTLS_TRY(const bool row, statement.step());
    if (!row) {
      break;
    }
    report += report.empty() ? statement.column_text(0) : "; " + statement.column_text(0);
  }
  return report;
}

Error SqliteDb::error(int code, std::string_view doing) const {
  return sqlite_error(db_.get(), code, doing);
}

}  // namespace pgptls::pins
