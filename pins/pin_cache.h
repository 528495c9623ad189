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
//  * records an OpenPGP login in memory at once (every later decision in
//    this process sees the domain as sticky) and writes it on its thread:
//    a domain's first login at once, repeats at most once per
//    `repeat_interval` (60 s) per domain, all pending ones in one
//    transaction;
//  * waits for the disk only where durability must come before an answer,
//    both once per domain: a decision about a domain whose first OpenPGP
//    login is not durable yet waits for that write; trust on first use
//    (pin_on_first_use) runs on the thread and is waited for, because two
//    processes must never both pin a new domain.
// Thread-safe: several event loops may share one.
//
// Usage:
//   PGPTLS_TRY(std::shared_ptr<keyring::PinCache> pins, keyring::PinCache::open(path));
//   tls::TrustVerifierConfig{pins, openpgp, policy, clock};
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "pins/pin_store.h"

namespace pgptls::keyring {

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
  // Writes what is pending, then stops the thread.
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
  // tried in the same cycle); fails with the cycle's read error.
  [[nodiscard]] Status refresh() override;
  // transactions: how many write transactions the thread committed.
  [[nodiscard]] std::uint64_t transactions() const;

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
    std::optional<Result<TofuOutcome>> outcome;
  };

  PinCache(PinStore store, Options options) : store_(std::move(store)), options_(options) {}
  [[nodiscard]] static Result<std::shared_ptr<const Snapshot>> load(PinStore& store);
  void run();
  // wait_durable: waits while the domain's first login is being written;
  // fails when that write failed (the decision fails closed).
  [[nodiscard]] Status wait_durable(const std::string& domain, std::unique_lock<std::mutex>& lock);

  PinStore store_;  // used by the thread only (and by open)
  const Options options_;
  std::int64_t data_version_ = 0;  // the thread's

  mutable std::mutex mutex_;
  std::condition_variable wake_;  // the thread: work or stop
  std::condition_variable done_;  // callers: a cycle finished
  std::shared_ptr<const Snapshot> snapshot_;
  // Logins recorded here and not yet in the snapshot.
  std::unordered_map<std::string, OpenPgpRecord> recorded_;
  std::unordered_map<std::string, base::TimePoint> last_queued_;
  std::vector<OpenPgpRecord> queue_;
  std::set<std::string> first_pending_;
  std::map<std::string, Error> first_failed_;
  std::vector<std::shared_ptr<TofuJob>> tofu_;
  std::uint64_t refresh_wanted_ = 0;
  std::uint64_t refresh_done_ = 0;
  Status refresh_status_;
  std::uint64_t transactions_ = 0;
  bool stopping_ = false;
  std::thread thread_;  // last: started when everything above exists
};

}  // namespace pgptls::keyring
