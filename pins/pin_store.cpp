#include "pins/pin_store.h"

#include <array>
#include <chrono>
#include <limits>

#include "pins/errors.h"

namespace pgptls::pins {
namespace {

// Version 1: pins per domain, switches per domain ('' = global), and the
// domains that authenticated with OpenPGP.
constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE pins (
  domain  TEXT NOT NULL,
  pin     TEXT NOT NULL,
  source  TEXT NOT NULL CHECK (source IN ('manual', 'tofu', 'signed')),
  created INTEGER NOT NULL,
  expires INTEGER,
  note    TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (domain, pin)
);
CREATE TABLE settings (
  domain TEXT NOT NULL,
  name   TEXT NOT NULL CHECK (name IN ('tofu', 'require-openpgp')),
  value  INTEGER NOT NULL CHECK (value IN (0, 1)),
  PRIMARY KEY (domain, name)
);
CREATE TABLE openpgp_auth (
  domain TEXT PRIMARY KEY,
  first  INTEGER NOT NULL,
  last   INTEGER NOT NULL
);
)sql";

// Version 2: the signed pin statements an authority issued per domain.
// A signed pin refers to the statement that carried it and goes
// with it when a newer statement replaces it.
constexpr std::string_view kSchemaV2 = R"sql(
CREATE TABLE pin_statements (
  id                 INTEGER PRIMARY KEY,
  domain             TEXT NOT NULL,
  signer_fingerprint TEXT NOT NULL,
  serial             INTEGER NOT NULL,
  issued             INTEGER NOT NULL,
  expires            INTEGER NOT NULL,
  accepted           INTEGER NOT NULL,
  UNIQUE (domain, signer_fingerprint, serial)
);
ALTER TABLE pins ADD COLUMN statement_id INTEGER
  REFERENCES pin_statements (id) ON DELETE CASCADE;
CREATE INDEX pins_by_statement ON pins (statement_id);
)sql";

// Version 3: the kind of a pin (POSH statements pin whole certificates,
// RFC 7711 §3.1) and the hash of each statement's signed bytes, so that a
// serial reused with other content is seen as the rollback it is.
constexpr std::string_view kSchemaV3 = R"sql(
ALTER TABLE pins ADD COLUMN kind TEXT NOT NULL DEFAULT 'spki'
  CHECK (kind IN ('spki', 'certificate'));
ALTER TABLE pin_statements ADD COLUMN content_sha256 TEXT NOT NULL DEFAULT '';
)sql";

constexpr std::array<Migration, 3> kMigrations{{{1, kSchemaV1}, {2, kSchemaV2}, {3, kSchemaV3}}};

std::int64_t to_unix(base::TimePoint time) {
  return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

base::Seconds from_unix(std::int64_t seconds) {
  return base::Seconds(std::chrono::seconds(seconds));
}

constexpr std::string_view kSelectPins =
    "SELECT domain, pin, source, created, expires, note, kind FROM pins";

// stored_time: a time column; out of range only in a file not written by
// pgptls, so the file is reported as damaged rather than trusted.
Result<base::Seconds> stored_time(std::int64_t seconds) {
  if (seconds < kEarliestPinTime || seconds > kLatestPinTime) {
    return make_error(PinErrc::corrupt_database,
                      "pin database holds a time outside 1970..2199; the file was not written by "
                      "pgptls: restore it from a backup");
  }
  return from_unix(seconds);
}

Result<Pin> read_pin(const Statement& row) {
  Pin pin;
  pin.domain = row.column_text(0);
  pin.pin_sha256 = row.column_text(1);
  PGPTLS_TRY(pin.source, parse_pin_source(row.column_text(2)));
  PGPTLS_TRY(pin.created, stored_time(row.column_int64(3)));
  if (const auto expires = row.column_optional_int64(4)) {
    PGPTLS_TRY(pin.expires, stored_time(*expires));
  }
  pin.note = row.column_text(5);
  PGPTLS_TRY(pin.kind, parse_pin_kind(row.column_text(6)));
  return pin;
}

// collect_rows: every row the statement gives, each read by `read`.
template <typename T>
Result<std::vector<T>> collect_rows(Statement& statement, Result<T> (*read)(const Statement&)) {
  std::vector<T> rows;
  while (true) {
    PGPTLS_TRY(const bool row, statement.step());
    if (!row) {
      return rows;
    }
    PGPTLS_TRY(T value, read(statement));
    rows.push_back(std::move(value));
  }
}

// validated: the pin with its domain normalised and its fields checked.
Result<Pin> validated(const Pin& input) {
  Pin pin = input;
  PGPTLS_TRY(pin.domain, normalize_domain_input(input.domain));
  PGPTLS_TRY(pin.pin_sha256, parse_pin(input.pin_sha256));
  if (pin.note.size() > kMaxNoteLength) {
    return make_error(PinErrc::invalid_argument, "note of " + std::to_string(pin.note.size()) +
                                                     " bytes is longer than 1024; shorten it");
  }
  PGPTLS_CHECK(check_pin_time(pin.created, "creation time"));
  if (pin.expires) {
    PGPTLS_CHECK(check_pin_time(*pin.expires, "expiry time"));
  }
  if (pin.note.find('\0') != std::string::npos) {
    return make_error(PinErrc::invalid_argument, "note contains a NUL character");
  }
  return pin;
}

constexpr std::string_view kSelectStatements =
    "SELECT domain, signer_fingerprint, serial, issued, expires, accepted, content_sha256 "
    "FROM pin_statements";

Result<StatementRecord> read_statement(const Statement& row) {
  StatementRecord record;
  record.domain = row.column_text(0);
  record.signer_fingerprint = row.column_text(1);
  const std::int64_t serial = row.column_int64(2);
  if (serial < 0) {
    return make_error(PinErrc::corrupt_database,
                      "pin database holds a negative statement serial; the file was not written "
                      "by pgptls: restore it from a backup");
  }
  record.serial = static_cast<std::uint64_t>(serial);
  PGPTLS_TRY(record.issued, stored_time(row.column_int64(3)));
  PGPTLS_TRY(record.expires, stored_time(row.column_int64(4)));
  PGPTLS_TRY(record.accepted, stored_time(row.column_int64(5)));
  record.content_sha256 = row.column_text(6);
  return record;
}

// statement_name: how a rollback message names a stored statement.
std::string statement_name(const StatementRecord& record) {
  return "serial " + std::to_string(record.serial) + " by " + record.signer_fingerprint +
         " issued " + base::format_utc(record.issued) + " (accepted " +
         base::format_utc(record.accepted) + ")";
}

Error rollback(const std::string& domain, const std::string& why) {
  return make_error(PinErrc::statement_rollback,
                    "statement for " + domain + " " + why +
                        "; an older statement was replayed, or the publisher went back: it must "
                        "publish a statement with a higher \"serial\" and a later \"issued\"");
}

// validated_statement: the statement with its domain normalised, its pins
// parsed and its times checked.
Result<SignedStatement> validated_statement(const SignedStatement& input, base::TimePoint now) {
  SignedStatement statement = input;
  StatementRecord& record = statement.record;
  PGPTLS_TRY(record.domain, normalize_domain_input(input.record.domain));
  if (record.signer_fingerprint.empty() || record.signer_fingerprint.size() > 64) {
    return make_error(PinErrc::invalid_argument,
                      "statement for " + record.domain + " without a signer fingerprint");
  }
  if (record.serial > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return make_error(PinErrc::invalid_argument,
                      "statement for " + record.domain + " has serial " +
                          std::to_string(record.serial) +
                          ", above the largest the store keeps (2^63-1)");
  }
  PGPTLS_CHECK(check_pin_time(record.issued, "statement issue time"));
  PGPTLS_CHECK(check_pin_time(record.expires, "statement expiry time"));
  if (record.expires <= now) {
    return make_error(PinErrc::statement_expired, "statement for " + record.domain +
                                                      " expired on " +
                                                      base::format_utc(record.expires) +
                                                      "; its publisher must sign a fresh one");
  }
  for (std::string& pin : statement.spki_pins) {
    PGPTLS_TRY(pin, parse_pin(pin));
  }
  for (std::string& pin : statement.certificate_pins) {
    PGPTLS_TRY(pin, parse_pin(pin));
  }
  if (statement.spki_pins.size() + statement.certificate_pins.size() > kMaxPinsPerDomain) {
    return make_error(PinErrc::invalid_argument, "statement for " + record.domain +
                                                     " carries more than " +
                                                     std::to_string(kMaxPinsPerDomain) + " pins");
  }
  return statement;
}

}  // namespace

std::span<const Migration> pin_schema_migrations() {
  return kMigrations;
}

Result<PinStore> PinStore::open(const std::filesystem::path& path) {
  PGPTLS_TRY(SqliteDb db, SqliteDb::open(path, kMigrations, {.what = "pin database"}));
  return PinStore(std::move(db));
}

Result<AddOutcome> PinStore::insert_pin(const Pin& input) {
  PGPTLS_TRY(const Pin pin, validated(input));
  PGPTLS_TRY(Statement exists, db_.prepare("SELECT count(*), sum(pin = ?2) FROM pins "
                                           "WHERE domain = ?1"));
  PGPTLS_CHECK(exists.bind(1, pin.domain));
  PGPTLS_CHECK(exists.bind(2, pin.pin_sha256));
  PGPTLS_TRY(const bool row, exists.step());
  const std::int64_t count = row ? exists.column_int64(0) : 0;
  const bool present = row && exists.column_int64(1) > 0;
  if (!present && static_cast<std::size_t>(count) >= kMaxPinsPerDomain) {
    return make_error(PinErrc::invalid_argument,
                      pin.domain + " already has " + std::to_string(count) +
                          " pins, the most allowed; remove old ones with 'pgptls pin remove'");
  }
  PGPTLS_TRY(Statement insert,
             db_.prepare("INSERT INTO pins (domain, pin, source, created, expires, note, kind) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (domain, pin) DO UPDATE "
                         "SET source = excluded.source, expires = excluded.expires, "
                         "note = excluded.note, kind = excluded.kind, statement_id = NULL"));
  PGPTLS_CHECK(insert.bind(1, pin.domain));
  PGPTLS_CHECK(insert.bind(2, pin.pin_sha256));
  PGPTLS_CHECK(insert.bind(3, pin_source_name(pin.source)));
  PGPTLS_CHECK(insert.bind(4, to_unix(pin.created)));
  PGPTLS_CHECK(insert.bind(
      5, pin.expires ? std::optional<std::int64_t>(to_unix(*pin.expires)) : std::nullopt));
  PGPTLS_CHECK(insert.bind(6, pin.note));
  PGPTLS_CHECK(insert.bind(7, pin_kind_name(pin.kind)));
  PGPTLS_CHECK(insert.run());
  return present ? AddOutcome::updated : AddOutcome::added;
}

Result<AddOutcome> PinStore::add_pin(const Pin& pin) {
  PGPTLS_TRY(Transaction transaction, db_.begin_immediate());
  PGPTLS_TRY(const AddOutcome outcome, insert_pin(pin));
  PGPTLS_CHECK(transaction.commit());
  return outcome;
}

Status PinStore::add_pins(std::span<const Pin> pins) {
  PGPTLS_TRY(Transaction transaction, db_.begin_immediate());
  for (const Pin& pin : pins) {
    auto outcome = insert_pin(pin);
    if (!outcome.ok()) {
      return std::move(outcome).error().wrap(pin.domain);
    }
  }
  return transaction.commit();
}

Status PinStore::remove_pin(std::string_view domain_text, std::string_view pin_text) {
  PGPTLS_TRY(const std::string domain, normalize_domain_input(domain_text));
  PGPTLS_TRY(const std::string pin, parse_pin(pin_text));
  PGPTLS_TRY(Transaction transaction, db_.begin_immediate());
  PGPTLS_TRY(Statement remove, db_.prepare("DELETE FROM pins WHERE domain = ?1 AND pin = ?2 "
                                           "RETURNING pin"));
  PGPTLS_CHECK(remove.bind(1, domain));
  PGPTLS_CHECK(remove.bind(2, pin));
  PGPTLS_TRY(const bool removed, remove.step());
  if (!removed) {
    return make_error(PinErrc::not_found, "no pin " + format_pin(pin) + " for " + domain +
                                              "; see 'pgptls pin list " + domain + "'");
  }
  PGPTLS_CHECK(remove.run());
  return transaction.commit();
}

Result<std::vector<Pin>> PinStore::query_pins(std::string_view domain) {
  PGPTLS_TRY(Statement select,
             db_.prepare(std::string(kSelectPins) + " WHERE domain = ?1 ORDER BY created, pin"));
  PGPTLS_CHECK(select.bind(1, domain));
  return collect_rows(select, read_pin);
}

Result<std::vector<Pin>> PinStore::pins(std::string_view domain_text) {
  PGPTLS_TRY(const std::string domain, normalize_domain_input(domain_text));
  return query_pins(domain);
}

Result<std::vector<Pin>> PinStore::all_pins() {
  PGPTLS_TRY(Statement select,
             db_.prepare(std::string(kSelectPins) + " ORDER BY domain, created, pin"));
  return collect_rows(select, read_pin);
}

Result<TofuOutcome> PinStore::pin_on_first_use(std::string_view domain_text,
                                               std::string_view pin_text, base::TimePoint now) {
  PGPTLS_TRY(const std::string domain, normalize_domain_input(domain_text));
  PGPTLS_TRY(Transaction transaction, db_.begin_immediate());
  TofuOutcome outcome;
  PGPTLS_TRY(outcome.existing, query_pins(domain));
  if (!outcome.existing.empty()) {
    return outcome;
  }
  Pin pin;
  pin.domain = domain;
  pin.pin_sha256 = std::string(pin_text);
  pin.source = PinSource::tofu;
  pin.created = std::chrono::floor<std::chrono::seconds>(now);
  pin.note = "first seen " + base::format_utc(now);
  PGPTLS_TRY(const AddOutcome added, insert_pin(pin));
  (void)added;
  PGPTLS_CHECK(transaction.commit());
  outcome.pinned = true;
  return outcome;
}

Result<std::optional<StatementRecord>> PinStore::query_statement(std::string_view domain,
                                                                 const std::string* signer) {
  PGPTLS_TRY(Statement select,
             db_.prepare(std::string(kSelectStatements) + " WHERE domain = ?1" +
                         (signer != nullptr ? " AND signer_fingerprint = ?2" : "") +
                         " ORDER BY id DESC LIMIT 1"));
  PGPTLS_CHECK(select.bind(1, domain));
  if (signer != nullptr) {
    PGPTLS_CHECK(select.bind(2, *signer));
  }
  PGPTLS_TRY(const bool row, select.step());
  if (!row) {
    return std::optional<StatementRecord>();
  }
  PGPTLS_TRY(StatementRecord record, read_statement(select));
  return std::optional<StatementRecord>(std::move(record));
}

Result<StatementOutcome> PinStore::apply_statement(const SignedStatement& input,
                                                   base::TimePoint now) {
  PGPTLS_TRY(const SignedStatement statement, validated_statement(input, now));
  const StatementRecord& record = statement.record;
  const std::string& domain = record.domain;
  PGPTLS_TRY(const auto latest, query_statement(domain, nullptr));
  PGPTLS_TRY(const auto same_signer, query_statement(domain, &record.signer_fingerprint));

  if (same_signer) {
    if (record.serial < same_signer->serial) {
      return rollback(domain, "has serial " + std::to_string(record.serial) +
                                  ", lower than the accepted " + statement_name(*same_signer));
    }
    if (record.serial == same_signer->serial) {
      if (record.content_sha256 != same_signer->content_sha256) {
        return rollback(domain, "reuses serial " + std::to_string(record.serial) +
                                    " with different content than the accepted " +
                                    statement_name(*same_signer));
      }
      if (latest && latest->signer_fingerprint == record.signer_fingerprint) {
        // The same document again. A statement without "issued" counts
        // from its fetch (RFC 7711 §3.1): refetching it extends its life.
        if (record.expires > same_signer->expires) {
          PGPTLS_TRY(Statement extend,
                     db_.prepare("UPDATE pin_statements SET expires = ?3 WHERE domain = ?1 AND "
                                 "signer_fingerprint = ?2 RETURNING id"));
          PGPTLS_CHECK(extend.bind(1, domain));
          PGPTLS_CHECK(extend.bind(2, record.signer_fingerprint));
          PGPTLS_CHECK(extend.bind(3, to_unix(record.expires)));
          PGPTLS_TRY(const bool updated, extend.step());
          if (updated) {
            const std::int64_t id = extend.column_int64(0);
            PGPTLS_CHECK(extend.run());
            PGPTLS_TRY(Statement pins, db_.prepare("UPDATE pins SET expires = ?2 WHERE "
                                                   "statement_id = ?1"));
            PGPTLS_CHECK(pins.bind(1, id));
            PGPTLS_CHECK(pins.bind(2, to_unix(record.expires)));
            PGPTLS_CHECK(pins.run());
          }
        }
        return StatementOutcome::unchanged;
      }
    }
    if (record.issued < same_signer->issued) {
      return rollback(domain, "was issued " + base::format_utc(record.issued) +
                                  ", before the accepted " + statement_name(*same_signer));
    }
  }
  if (latest && record.issued < latest->issued) {
    return rollback(domain, "was issued " + base::format_utc(record.issued) +
                                ", before the accepted " + statement_name(*latest));
  }

  // Pins that are not signed stay; count them against the per-domain cap.
  PGPTLS_TRY(const std::vector<Pin> existing, query_pins(domain));
  std::size_t kept = 0;
  for (const Pin& pin : existing) {
    if (pin.source != PinSource::signed_list) {
      ++kept;
    }
  }
  if (kept + statement.spki_pins.size() + statement.certificate_pins.size() > kMaxPinsPerDomain) {
    return make_error(
        PinErrc::invalid_argument,
        domain + " has " + std::to_string(kept) + " manual or tofu pins; with the " +
            std::to_string(statement.spki_pins.size() + statement.certificate_pins.size()) +
            " signed ones that exceeds " + std::to_string(kMaxPinsPerDomain) +
            "; remove old ones with 'pgptls pin remove'");
  }

  // Replace: the domain's signed pins go, with this signer's older
  // statement (the pins of other signers' statements went with them).
  PGPTLS_TRY(Statement drop_pins,
             db_.prepare("DELETE FROM pins WHERE domain = ?1 AND source = 'signed'"));
  PGPTLS_CHECK(drop_pins.bind(1, domain));
  PGPTLS_CHECK(drop_pins.run());
  PGPTLS_TRY(Statement drop_statement, db_.prepare("DELETE FROM pin_statements WHERE domain = ?1 "
                                                   "AND signer_fingerprint = ?2"));
  PGPTLS_CHECK(drop_statement.bind(1, domain));
  PGPTLS_CHECK(drop_statement.bind(2, record.signer_fingerprint));
  PGPTLS_CHECK(drop_statement.run());

  PGPTLS_TRY(Statement insert,
             db_.prepare("INSERT INTO pin_statements (domain, signer_fingerprint, serial, "
                         "issued, expires, accepted, content_sha256) VALUES (?1, ?2, ?3, ?4, ?5, "
                         "?6, ?7) RETURNING id"));
  PGPTLS_CHECK(insert.bind(1, domain));
  PGPTLS_CHECK(insert.bind(2, record.signer_fingerprint));
  PGPTLS_CHECK(insert.bind(3, static_cast<std::int64_t>(record.serial)));
  PGPTLS_CHECK(insert.bind(4, to_unix(record.issued)));
  PGPTLS_CHECK(insert.bind(5, to_unix(record.expires)));
  PGPTLS_CHECK(insert.bind(6, to_unix(now)));
  PGPTLS_CHECK(insert.bind(7, record.content_sha256));
  PGPTLS_TRY(const bool inserted, insert.step());
  if (!inserted) {
    return make_error(PinErrc::storage_error, "statement row for " + domain + " was not stored");
  }
  const std::int64_t statement_id = insert.column_int64(0);
  PGPTLS_CHECK(insert.run());

  const std::string note = "signed statement serial " + std::to_string(record.serial) + " by " +
                           record.signer_fingerprint;
  // A manual pin equal to a signed one keeps counting without expiry; a
  // tofu one is now vouched for by the signer.
  auto add = [&](const std::string& pin, PinKind kind) -> Status {
    PGPTLS_TRY(Statement add_pin,
               db_.prepare("INSERT INTO pins (domain, pin, source, created, expires, note, "
                           "statement_id, kind) VALUES (?1, ?2, 'signed', ?3, ?4, ?5, ?6, ?7) "
                           "ON CONFLICT (domain, pin) DO UPDATE SET source = 'signed', "
                           "expires = excluded.expires, note = excluded.note, "
                           "statement_id = excluded.statement_id, kind = excluded.kind "
                           "WHERE pins.source = 'tofu'"));
    PGPTLS_CHECK(add_pin.bind(1, domain));
    PGPTLS_CHECK(add_pin.bind(2, pin));
    PGPTLS_CHECK(add_pin.bind(3, to_unix(now)));
    PGPTLS_CHECK(add_pin.bind(4, to_unix(record.expires)));
    PGPTLS_CHECK(add_pin.bind(5, note));
    PGPTLS_CHECK(add_pin.bind(6, statement_id));
    PGPTLS_CHECK(add_pin.bind(7, pin_kind_name(kind)));
    return add_pin.run();
  };
  for (const std::string& pin : statement.spki_pins) {
    PGPTLS_CHECK(add(pin, PinKind::spki));
  }
  for (const std::string& pin : statement.certificate_pins) {
    PGPTLS_CHECK(add(pin, PinKind::certificate));
  }
  return StatementOutcome::updated;
}

Result<StatementOutcome> PinStore::store_statement(const SignedStatement& statement,
                                                   base::TimePoint now) {
  PGPTLS_TRY(Transaction transaction, db_.begin_immediate());
  PGPTLS_TRY(const StatementOutcome outcome, apply_statement(statement, now));
  PGPTLS_CHECK(transaction.commit());
  return outcome;
}

Result<std::vector<Result<StatementOutcome>>> PinStore::store_statements(
    std::span<const SignedStatement> statements, base::TimePoint now) {
  PGPTLS_TRY(Transaction transaction, db_.begin_immediate());
  std::vector<Result<StatementOutcome>> outcomes;
  outcomes.reserve(statements.size());
  for (const SignedStatement& statement : statements) {
    auto outcome = apply_statement(statement, now);
    // A refused statement wrote nothing (every check comes before the
    // first write); a failing store fails the whole batch.
    if (!outcome.ok()) {
      const auto& code = outcome.error().code;
      if (code == PinErrc::storage_error || code == PinErrc::corrupt_database) {
        return std::move(outcome).error().wrap(statement.record.domain);
      }
    }
    outcomes.push_back(std::move(outcome));
  }
  PGPTLS_CHECK(transaction.commit());
  return outcomes;
}

Result<std::optional<StatementRecord>> PinStore::last_statement(std::string_view domain_text) {
  PGPTLS_TRY(const std::string domain, normalize_domain_input(domain_text));
  return query_statement(domain, nullptr);
}

Result<std::vector<StatementRecord>> PinStore::last_statements() {
  PGPTLS_TRY(Statement select,
             db_.prepare(std::string(kSelectStatements) +
                         " WHERE id IN (SELECT max(id) FROM pin_statements GROUP BY domain) "
                         "ORDER BY domain"));
  return collect_rows(select, read_statement);
}

Result<std::string> PinStore::scope_key(const SettingScope& scope) {
  if (!scope.domain) {
    return std::string();
  }
  return normalize_domain_input(*scope.domain);
}

Status PinStore::write_setting(const SettingScope& scope, Setting setting, bool on) {
  PGPTLS_TRY(const std::string key, scope_key(scope));
  PGPTLS_TRY(Statement upsert, db_.prepare("INSERT INTO settings (domain, name, value) "
                                           "VALUES (?1, ?2, ?3) ON CONFLICT (domain, name) "
                                           "DO UPDATE SET value = excluded.value"));
  PGPTLS_CHECK(upsert.bind(1, key));
  PGPTLS_CHECK(upsert.bind(2, setting_name(setting)));
  PGPTLS_CHECK(upsert.bind(3, std::int64_t{on ? 1 : 0}));
  return upsert.run();
}

Status PinStore::set_setting(const SettingScope& scope, Setting setting, bool on) {
  PGPTLS_TRY(Transaction transaction, db_.begin_immediate());
  PGPTLS_CHECK(write_setting(scope, setting, on));
  return transaction.commit();
}

Result<std::optional<bool>> PinStore::setting(const SettingScope& scope, Setting setting) {
  PGPTLS_TRY(const std::string key, scope_key(scope));
  PGPTLS_TRY(Statement select,
             db_.prepare("SELECT value FROM settings WHERE domain = ?1 AND name = ?2"));
  PGPTLS_CHECK(select.bind(1, key));
  PGPTLS_CHECK(select.bind(2, setting_name(setting)));
  PGPTLS_TRY(const bool row, select.step());
  if (!row) {
    return std::optional<bool>();
  }
  return std::optional<bool>(select.column_int64(0) != 0);
}

Result<bool> PinStore::effective_setting(std::string_view domain, Setting which) {
  PGPTLS_TRY(const std::optional<bool> own, setting({std::string(domain)}, which));
  if (own) {
    return *own;
  }
  PGPTLS_TRY(const std::optional<bool> global, setting({}, which));
  return global.value_or(false);
}

Result<std::vector<SettingEntry>> PinStore::all_settings() {
  PGPTLS_TRY(Statement select,
             db_.prepare("SELECT domain, name, value FROM settings ORDER BY domain, name"));
  std::vector<SettingEntry> entries;
  while (true) {
    PGPTLS_TRY(const bool row, select.step());
    if (!row) {
      return entries;
    }
    SettingEntry entry;
    const std::string domain = select.column_text(0);
    if (!domain.empty()) {
      entry.domain = domain;
    }
    PGPTLS_TRY(entry.setting, parse_setting(select.column_text(1)));
    entry.on = select.column_int64(2) != 0;
    entries.push_back(std::move(entry));
  }
}

Status PinStore::write_openpgp_auth(std::string_view domain_text, std::int64_t first,
                                    std::int64_t last) {
  PGPTLS_TRY(const std::string domain, normalize_domain_input(domain_text));
  PGPTLS_CHECK(check_pin_time(from_unix(first), "OpenPGP authentication time"));
  PGPTLS_CHECK(check_pin_time(from_unix(last), "OpenPGP authentication time"));
  if (last < first) {
    return make_error(PinErrc::invalid_argument,
                      "OpenPGP record for " + domain + " ends before it starts");
  }
  PGPTLS_TRY(Statement upsert,
             db_.prepare("INSERT INTO openpgp_auth (domain, first, last) VALUES (?1, ?2, ?3) "
                         "ON CONFLICT (domain) DO UPDATE SET first = min(first, excluded.first), "
                         "last = max(last, excluded.last)"));
  PGPTLS_CHECK(upsert.bind(1, domain));
  PGPTLS_CHECK(upsert.bind(2, first));
  PGPTLS_CHECK(upsert.bind(3, last));
  return upsert.run();
}

Status PinStore::record_openpgp_auth(std::string_view domain, base::TimePoint now) {
  PGPTLS_TRY(Transaction transaction, db_.begin_immediate());
  PGPTLS_CHECK(write_openpgp_auth(domain, to_unix(now), to_unix(now)));
  return transaction.commit();
}

Status PinStore::record_openpgp_auths(std::span<const OpenPgpRecord> records) {
  PGPTLS_TRY(Transaction transaction, db_.begin_immediate());
  for (const OpenPgpRecord& record : records) {
    PGPTLS_CHECK(write_openpgp_auth(record.domain, to_unix(record.first), to_unix(record.last)));
  }
  return transaction.commit();
}

Result<std::int64_t> PinStore::data_version() {
  PGPTLS_TRY(Statement select, db_.prepare("PRAGMA data_version"));
  PGPTLS_TRY(const bool row, select.step());
  if (!row) {
    return make_error(PinErrc::storage_error, "PRAGMA data_version returned no row");
  }
  return select.column_int64(0);
}

Result<std::optional<OpenPgpRecord>> PinStore::openpgp_auth(std::string_view domain_text) {
  PGPTLS_TRY(const std::string domain, normalize_domain_input(domain_text));
  PGPTLS_TRY(Statement select,
             db_.prepare("SELECT first, last FROM openpgp_auth WHERE domain = ?1"));
  PGPTLS_CHECK(select.bind(1, domain));
  PGPTLS_TRY(const bool row, select.step());
  if (!row) {
    return std::optional<OpenPgpRecord>();
  }
  PGPTLS_TRY(const base::Seconds first, stored_time(select.column_int64(0)));
  PGPTLS_TRY(const base::Seconds last, stored_time(select.column_int64(1)));
  return std::optional<OpenPgpRecord>(OpenPgpRecord{domain, first, last});
}

Result<PinSnapshot> PinStore::snapshot() {
  // One read transaction, so the three lists agree with each other.
  PGPTLS_CHECK(db_.exec("BEGIN"));
  auto read = [this]() -> Result<PinSnapshot> {
    PinSnapshot snapshot;
    PGPTLS_TRY(snapshot.pins, all_pins());
    PGPTLS_TRY(snapshot.settings, all_settings());
    PGPTLS_TRY(Statement select,
               db_.prepare("SELECT domain, first, last FROM openpgp_auth ORDER BY domain"));
    while (true) {
      PGPTLS_TRY(const bool row, select.step());
      if (!row) {
        break;
      }
      PGPTLS_TRY(const base::Seconds first, stored_time(select.column_int64(1)));
      PGPTLS_TRY(const base::Seconds last, stored_time(select.column_int64(2)));
      snapshot.openpgp.push_back(OpenPgpRecord{select.column_text(0), first, last});
    }
    return snapshot;
  };
  auto result = read();
  (void)db_.exec("COMMIT");
  return result;
}

Status PinStore::import(const PinSnapshot& snapshot) {
  PGPTLS_TRY(Transaction transaction, db_.begin_immediate());
  for (const Pin& pin : snapshot.pins) {
    auto outcome = insert_pin(pin);
    if (!outcome.ok()) {
      return std::move(outcome).error().wrap("pin for " + pin.domain);
    }
  }
  for (const SettingEntry& entry : snapshot.settings) {
    PGPTLS_CHECK(write_setting({entry.domain}, entry.setting, entry.on));
  }
  for (const OpenPgpRecord& record : snapshot.openpgp) {
    PGPTLS_CHECK(write_openpgp_auth(record.domain, to_unix(record.first), to_unix(record.last)));
  }
  return transaction.commit();
}

}  // namespace pgptls::pins
