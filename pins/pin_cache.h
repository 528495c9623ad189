// pin_cache.h: the pin store as an event loop needs it: reads from an
// in-memory copy, writes on a thread of its own.
//
// A handshake's trust decision reads pins, settings and OpenPGP records
// (pin_check.h) and records every OpenPGP login (pin_store.h). Through
// PinStore that is a query per handshake and a durable (fsync'd)
// transaction per OpenPGP login, on the calling thread: in `pgptls serve`,
// the event loop, where one slow disk stalls every connection. PinCache
// instead
//  * answers reads from a snapshot of the whole store, replaced when the
//    file changes: its thread asks SQLite whether another connection
//    committed (PRAGMA data_version) every `refresh_interval` (1 s), so
//    another process's `pgptls pin add` is seen within that time;
//  * before a rejection is final (catch_up), asks the kernel, not SQLite,
//    whether the file was written since the last look (change_watch.h):
//    only then does the caller wait for its thread to reload, and every
//    rejection that arrives meanwhile waits for that same reload. So an
//    operator's `pgptls pin add` counts for the very next connection, and a
//    flood of rejected peers costs no store read;
//  * records an OpenPGP login in memory at once (every later decision in
//    this process sees the domain as sticky) and writes it on its thread:
//    a domain's first login at once, repeats at most once per
//    `repeat_interval` (60 s) per domain, all pending ones in one
//    transaction;
//  * never makes its caller wait for the disk. Where durability must come
//    before an answer (both once per domain) the call fails with
//    PinErrc::not_ready instead, and pending(domain) is the completion
//    to decide again after: every call about a domain whose first OpenPGP
//    login is being written (the next decision about it comes after the
//    write, and fails closed when the write failed), and trust on first
//    use of a new domain (pin_on_first_use queues the store's transaction,
//    which decides, because two processes must never both pin it; while it
//    runs, every call about the domain waits for the same completion, so
//    one process never pins twice). A rejection's catch_up() likewise
//    returns the reload's completion. Off an event loop, pins::settled
//    (pin_store.h) and base::wait_for wait for them.
// Thread-safe: several event loops may share one.
//
// Usage:
//   PGPTLS_TRY(std::shared_ptr<pins::PinCache> pins, pins::PinCache::open(path));
//   tls::TrustVerifierConfig{pins, openpgp, policy, clock};
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/pending.h"
#include "pins/change_watch.h"
#include "pins/pin_store.h"

namespace pgptls::pins {

class PinCache final : public PinAccess {
 public:
  struct Options {
    // How often the thread looks for other processes' changes.
    std::chrono::milliseconds refresh_interval{1000};
    // A returning domain's `last` is written at most this often.
    std::chrono::seconds repeat_interval{60};
  };

  // open: opens the store (see PinStore::open), reads it whole and starts
  // the thread.
  [[nodiscard]] static Result<std::shared_ptr<PinCache>> open(const std::filesystem::path& path,
                                                              Options options);
  [[nodiscard]] static Result<std::shared_ptr<PinCache>> open(const std::filesystem::path& path) {
    return open(path, Options{});
  }
  // Writes what is pending, then stops the thread; completions still
  // unfinished then fail (the cache is closed).
  ~PinCache() override;
  PinCache(const PinCache&) = delete;
  PinCache& operator=(const PinCache&) = delete;

  [[nodiscard]] Result<std::vector<Pin>> pins(std::string_view domain) override;
  [[nodiscard]] Result<std::vector<Pin>> all_pins() override;
  [[nodiscard]] Result<TofuOutcome> pin_on_first_use(std::string_view domain, std::string_view pin,
                                                     base::TimePoint now) override;
  [[nodiscard]] Result<std::optional<bool>> setting(const SettingScope& scope,
                                                    Setting setting) override;
  [[nodiscard]] Result<bool> effective_setting(std::string_view domain, Setting setting) override;
  [[nodiscard]] Status record_openpgp_auth(std::string_view domain, base::TimePoint now) override;
  [[nodiscard]] Result<std::optional<OpenPgpRecord>> openpgp_auth(std::string_view domain) override;

  // refresh: has the thread look at the file now, and returns once the
  // snapshot reflects what it found (the writes queued before it were
  // tried in the same cycle); fails with the cycle's read error. Waits:
  // not for an event loop.
  [[nodiscard]] Status refresh() override;
  // catch_up: see the file comment; the completion's status is the
  // reload's read error.
  [[nodiscard]] std::shared_ptr<base::Pending> catch_up() override;
  // pending: see PinAccess; the status is the write's error, or the
  // reload's after it.
  [[nodiscard]] std::shared_ptr<base::Pending> pending(std::string_view domain) override;
  // tick: has the thread do now what its refresh timer does every
  // refresh_interval, and returns once that cycle finished (tests drive the
  // timer with it instead of waiting for time to pass).
  void tick();
  // set_before_write: tests: `hook` is called on the thread before each
  // write transaction. An error stands for the write's failure (a full or
  // read-only disk); a hook that blocks holds the write (a slow disk).
  void set_before_write(std::function<Status()> hook);
  // transactions: how many write transactions the thread committed.
  [[nodiscard]] std::uint64_t transactions() const;
  // store_reads: how many times the thread asked the store whether it
  // changed (each may reload the snapshot).
  [[nodiscard]] std::uint64_t store_reads() const;

 private:
  // Snapshot: the store as read in one transaction.
  struct Snapshot {
    std::unordered_map<std::string, std::vector<Pin>> pins;    // by domain, oldest first
    std::vector<Pin> all;                                      // by domain, then age
    std::map<std::pair<std::string, Setting>, bool> settings;  // "" = global
    std::unordered_map<std::string, OpenPgpRecord> openpgp;
  };
  struct TofuJob {
    std::string domain;
    std::string pin;
    base::TimePoint now;
  };
  // Finished: completions to finish once the lock is released.
  using Finished = std::vector<std::pair<std::shared_ptr<base::Pending>, Status>>;

  PinCache(PinStore store, Options options, const std::filesystem::path& path)
      : store_(std::move(store)), options_(options), watch_(path) {}
  [[nodiscard]] static Result<std::shared_ptr<const Snapshot>> load(PinStore& store);
  void run();
  // note_changes: under the lock: when the watch saw a write, asks the
  // thread for a reload (a refresh ticket) that every caller from now on
  // waits for.
  void note_changes();
  // ready_for: under the lock: fails with PinErrc::not_ready while disk
  // work about the domain is in flight, and with the write's error when
  // its first login could not be written (the decision fails closed).
  [[nodiscard]] Status ready_for(const std::string& domain) const;
  // finish_work: under the lock: the domain's work is done with `status`.
  void finish_work(const std::string& domain, const Status& status, Finished& finished);

  PinStore store_;  // used by the thread only (and by open)
  const Options options_;
  std::int64_t data_version_ = 0;  // the thread's

  mutable std::mutex mutex_;
  ChangeWatch watch_;             // under the lock
  std::condition_variable wake_;  // the thread: work or stop
  std::condition_variable done_;  // callers: a cycle finished
  std::shared_ptr<const Snapshot> snapshot_;
  // Logins recorded here and not yet in the snapshot.
  std::unordered_map<std::string, OpenPgpRecord> recorded_;
  std::unordered_map<std::string, base::TimePoint> last_queued_;
  std::vector<OpenPgpRecord> queue_;
  std::set<std::string> first_pending_;
  std::map<std::string, Error> first_failed_;
  std::vector<TofuJob> tofu_;
  // The completion of each domain's disk work in flight (a first login, a
  // trust-on-first-use pin): at most one per domain, since every call
  // about the domain waits for it.
  std::unordered_map<std::string, std::shared_ptr<base::Pending>> work_;
  // catch_up(): the reload each change ticket waits for.
  std::map<std::uint64_t, std::shared_ptr<base::Pending>> reloads_;
  // refresh(): answered by a cycle that took its batch after the ticket,
  // so every write queued before it is on disk.
  std::uint64_t refresh_wanted_ = 0;
  std::uint64_t refresh_done_ = 0;
  // catch_up(): changes the watch reported; answered by a cycle whose
  // version check came after the report.
  std::uint64_t changes_noted_ = 0;
  std::uint64_t changes_read_ = 0;
  std::uint64_t tick_wanted_ = 0;
  std::uint64_t tick_done_ = 0;
  std::uint64_t store_reads_ = 0;
  std::function<Status()> before_write_;
  Status refresh_status_;
  std::uint64_t transactions_ = 0;
  bool stopping_ = false;
  std::thread thread_;  // last: started when everything above exists
};

}  // namespace pgptls::pins
