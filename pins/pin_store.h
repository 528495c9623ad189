// pin_store.h: the pin database (SQLite, WAL): X.509 key pins per domain,
// the tofu / require-openpgp switches, and the record of domains that have
// authenticated with OpenPGP (which makes them sticky). Safe for several
// processes at once; every write is one transaction that survives kill -9
// once the call returned.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/pending.h"
#include "pins/errors.h"
#include "pins/pin_types.h"
#include "pins/sqlite_db.h"

namespace pgptls::pins {

// kPinSchemaVersion: the schema this build writes. Version 1 held pins,
// settings and OpenPGP authentications; version 2 added the accepted signed
// pin statements that signed pins refer to; version 3 added the
// pin kind (SPKI or whole certificate) and each statement's content hash.
inline constexpr int kPinSchemaVersion = 3;

// pin_schema_migrations: the forward migrations, version 1 first.
[[nodiscard]] std::span<const Migration> pin_schema_migrations();

// SettingScope: one domain, or every domain (global).
struct SettingScope {
  std::optional<std::string> domain;  // nullopt = global
};

// SettingEntry: one stored switch.
struct SettingEntry {
  std::optional<std::string> domain;  // nullopt = global
  Setting setting = Setting::tofu;
  bool on = false;
};

// OpenPgpRecord: a domain that authenticated with OpenPGP.
struct OpenPgpRecord {
  std::string domain;
  base::Seconds first{};
  base::Seconds last{};
};

// TofuOutcome: what pin_on_first_use did.
struct TofuOutcome {
  bool pinned = false;        // the key was pinned now
  std::vector<Pin> existing;  // when not pinned: the pins that were already there
};

enum class AddOutcome { added, updated };

// StatementRecord: an accepted signed pin statement, as stored.
struct StatementRecord {
  std::string domain;              // normalised
  std::string signer_fingerprint;  // uppercase hex of the signing certificate's primary key
  std::uint64_t serial = 0;        // 0 when the statement had none
  base::Seconds issued{};          // "issued", or the time it was fetched
  base::Seconds expires{};         // its pins stop counting from this time on
  base::Seconds accepted{};        // when the store took it (set by store_statement)
  std::string content_sha256;      // base64 SHA-256 of the exact signed bytes
};

// SignedStatement: a statement whose signature was checked (see
// statement_trust.h), with the pins it gives its domain (bare base64).
struct SignedStatement {
  StatementRecord record;
  std::vector<std::string> spki_pins;
  std::vector<std::string> certificate_pins;
};

// StatementOutcome: what store_statement did to the domain's signed pins.
enum class StatementOutcome {
  updated,    // the statement is new: the domain's signed pins were replaced
  unchanged,  // the same statement again (same signer, serial and bytes)
};

// PinSnapshot: everything the store holds, for export and import.
struct PinSnapshot {
  std::vector<Pin> pins;
  std::vector<SettingEntry> settings;
  std::vector<OpenPgpRecord> openpgp;
};

// PinAccess: what a handshake's trust decision reads from the pin store
// and writes to it. PinStore answers from the database on the caller's
// thread; PinCache (pin_cache.h) answers from memory and writes on a thread
// of its own, for event loops. The meaning of each call is PinStore's.
class PinAccess {
 public:
  virtual ~PinAccess() = default;
  [[nodiscard]] virtual Result<std::vector<Pin>> pins(std::string_view domain) = 0;
  [[nodiscard]] virtual Result<std::vector<Pin>> all_pins() = 0;
  [[nodiscard]] virtual Result<TofuOutcome> pin_on_first_use(std::string_view domain,
                                                             std::string_view pin,
                                                             base::TimePoint now) = 0;
  [[nodiscard]] virtual Result<std::optional<bool>> setting(const SettingScope& scope,
                                                            Setting setting) = 0;
  [[nodiscard]] virtual Result<bool> effective_setting(std::string_view domain,
                                                       Setting setting) = 0;
  [[nodiscard]] virtual Status record_openpgp_auth(std::string_view domain,
                                                   base::TimePoint now) = 0;
  [[nodiscard]] virtual Result<std::optional<OpenPgpRecord>> openpgp_auth(
      std::string_view domain) = 0;
  // refresh: makes the answers reflect every change committed so far, by
  // any process, and returns then (it may wait for the disk: not for an
  // event loop).
  [[nodiscard]] virtual Status refresh() = 0;
  // catch_up: what a rejection calls before it is final (an operator's
  // `pgptls pin add` must count for the very next connection): nullptr
  // when the answers already reflect every change committed so far, else
  // the completion of the reload after which they do (its status: the
  // reload's error), to decide again then. Cheap when nothing changed: a
  // flood of rejected peers must not cost a store read each. Never waits.
  [[nodiscard]] virtual std::shared_ptr<base::Pending> catch_up() = 0;
  // pending: the disk work that the calls about `domain` answered
  // PinErrc::not_ready for (its first OpenPGP login being written, its
  // trust-on-first-use pin being decided), or nullptr when there is none
  // any more (ask again). Its status is that work's outcome: a failed
  // trust-on-first-use write fails the decision that waited for it.
  [[nodiscard]] virtual std::shared_ptr<base::Pending> pending(std::string_view domain) = 0;
};

// settled: a synchronous helper for callers off the event loop: runs
// `call` (a PinAccess call about `domain`), and while it answers
// PinErrc::not_ready waits for the domain's pending work and runs it
// again; a failed wait is the answer.
template <class Call>
auto settled(PinAccess& pins, std::string_view domain, Call call) -> decltype(call()) {
  for (;;) {
    auto answer = call();
    if (answer.ok() || answer.error().code != make_error_code(PinErrc::not_ready)) {
      return answer;
    }
    if (Status waited = base::wait_for(pins.pending(domain)); !waited.ok()) {
      return std::move(waited).error();
    }
  }
}

// PinStore: one SQLite connection. Use it from one thread at a time (open
// one per thread or guard it); separate processes and connections may
// share the file freely.
class PinStore final : public PinAccess {
 public:
  // open: opens or creates the database (see SqliteDb::open for damaged
  // files, which are never modified).
  [[nodiscard]] static Result<PinStore> open(const std::filesystem::path& path);

  // add_pin: stores a pin (domain normalised, pin validated); an existing
  // pin for the domain gets the new source, expiry and note. Fails with
  // PinErrc::invalid_argument for bad input or past the per-domain cap.
  [[nodiscard]] Result<AddOutcome> add_pin(const Pin& pin);
  // add_pins: add_pin for each, all in one transaction (import).
  [[nodiscard]] Status add_pins(std::span<const Pin> pins);
  // remove_pin: fails with PinErrc::not_found when the domain has no such pin.
  [[nodiscard]] Status remove_pin(std::string_view domain, std::string_view pin);
  // pins: the domain's pins (expired ones included), oldest first.
  [[nodiscard]] Result<std::vector<Pin>> pins(std::string_view domain) override;
  // all_pins: every pin, by domain then age.
  [[nodiscard]] Result<std::vector<Pin>> all_pins() override;

  // pin_on_first_use: in one transaction, pins `pin` (source tofu) when the
  // domain has no pin at all; otherwise returns the pins it has. Two
  // processes seeing a new domain at once cannot both pin.
  [[nodiscard]] Result<TofuOutcome> pin_on_first_use(std::string_view domain, std::string_view pin,
                                                     base::TimePoint now) override;

  // store_statement: in one transaction, checks the statement against the
  // last one accepted for its domain and, when it is newer, replaces the
  // domain's signed pins with its pins (source signed, expiring with the
  // statement, linked to it). Manual pins equal to a signed one stay manual;
  // a tofu pin equal to one becomes signed. Rejected with
  // PinErrc::statement_rollback when the statement has a lower serial than the
  // last one by the same signer, reuses its serial with different bytes,
  // or was issued before the last one accepted for the domain (any
  // signer); PinErrc::statement_expired when it expired by `now`;
  // PinErrc::invalid_argument for bad input or too many pins. Serials are
  // compared per signer: an authority's bundle and the domain's own
  // statements number independently, while "issued" orders them all.
  // The same statement again is `unchanged` (its expiry is refreshed when
  // it counts from the fetch time).
  [[nodiscard]] Result<StatementOutcome> store_statement(const SignedStatement& statement,
                                                         base::TimePoint now);
  // store_statements: store_statement for each (a bundle's domains, a
  // refresh's results) in ONE durable transaction: one fsync instead of one
  // per domain. Each statement gets its own outcome or refusal (a refused
  // statement changes nothing); a storage failure fails the whole batch and
  // nothing changes.
  [[nodiscard]] Result<std::vector<Result<StatementOutcome>>> store_statements(
      std::span<const SignedStatement> statements, base::TimePoint now);
  // last_statement: the statement whose pins the domain has now, if any.
  [[nodiscard]] Result<std::optional<StatementRecord>> last_statement(std::string_view domain);
  // last_statements: last_statement of every domain, by domain.
  [[nodiscard]] Result<std::vector<StatementRecord>> last_statements();

  // set_setting / clear_setting: the switch for a domain or globally.
  [[nodiscard]] Status set_setting(const SettingScope& scope, Setting setting, bool on);
  // setting: the stored value for exactly this scope, if any.
  [[nodiscard]] Result<std::optional<bool>> setting(const SettingScope& scope,
                                                    Setting setting) override;
  // effective_setting: the domain's value, else the global one, else off.
  [[nodiscard]] Result<bool> effective_setting(std::string_view domain, Setting setting) override;
  // all_settings: every stored switch, global ones first.
  [[nodiscard]] Result<std::vector<SettingEntry>> all_settings();

  // record_openpgp_auth: notes that the domain authenticated with OpenPGP
  // at `now` (keeps the first time, updates the last).
  [[nodiscard]] Status record_openpgp_auth(std::string_view domain, base::TimePoint now) override;
  // refresh: nothing to do: every answer is read from the file.
  [[nodiscard]] Status refresh() override { return {}; }
  [[nodiscard]] std::shared_ptr<base::Pending> catch_up() override { return nullptr; }
  // pending: nothing is ever pending: every write is done before it returns.
  [[nodiscard]] std::shared_ptr<base::Pending> pending(std::string_view /*domain*/) override {
    return nullptr;
  }
  // record_openpgp_auths: record_openpgp_auth for each record (first and
  // last kept as the earliest and latest), in ONE durable transaction.
  [[nodiscard]] Status record_openpgp_auths(std::span<const OpenPgpRecord> records);
  // data_version: changes whenever another connection (any process) has
  // committed to the file since the last call (PRAGMA data_version): a
  // cheap "did anything change" for in-memory copies.
  [[nodiscard]] Result<std::int64_t> data_version();
  // openpgp_auth: the record for the domain, if it ever authenticated.
  [[nodiscard]] Result<std::optional<OpenPgpRecord>> openpgp_auth(std::string_view domain) override;

  // snapshot: the whole store, read in one transaction.
  [[nodiscard]] Result<PinSnapshot> snapshot();
  // import: adds every pin (as add_pin), sets every setting and merges
  // every OpenPGP record, all in one transaction: on failure nothing
  // changes.
  [[nodiscard]] Status import(const PinSnapshot& snapshot);

  // database: the underlying connection (integrity checks in tests and
  // tools).
  [[nodiscard]] SqliteDb& database() { return db_; }

 private:
  explicit PinStore(SqliteDb db) : db_(std::move(db)) {}
  [[nodiscard]] Result<AddOutcome> insert_pin(const Pin& pin);
  [[nodiscard]] Result<std::vector<Pin>> query_pins(std::string_view domain);
  [[nodiscard]] Result<std::string> scope_key(const SettingScope& scope);
  [[nodiscard]] Status write_setting(const SettingScope& scope, Setting setting, bool on);
  [[nodiscard]] Result<StatementOutcome> apply_statement(const SignedStatement& statement,
                                                         base::TimePoint now);
  [[nodiscard]] Result<std::optional<StatementRecord>> query_statement(std::string_view domain,
                                                                       const std::string* signer);
  [[nodiscard]] Status write_openpgp_auth(std::string_view domain, std::int64_t first,
                                          std::int64_t last);

  SqliteDb db_;
};

}  // namespace pgptls::pins
