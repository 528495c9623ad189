#include "pins/pin_cache.h"

#include <algorithm>

#include "pins/errors.h"

namespace pgptls::pins {
namespace {

// allowed: the test hook's verdict on a write (no hook: go ahead).
Status allowed(const std::function<Status()>& before_write) {
  return before_write ? before_write() : Status{};
}

// enqueue: adds a login to the queue, merged with one of the same domain
// (the earliest first, the latest last), so that a queue kept while the
// disk fails holds one record per domain, not one per minute.
void enqueue(std::vector<OpenPgpRecord>& queue, const OpenPgpRecord& record) {
  const auto same = std::find_if(queue.begin(), queue.end(), [&](const OpenPgpRecord& queued) {
    return queued.domain == record.domain;
  });
  if (same == queue.end()) {
    queue.push_back(record);
    return;
  }
  same->first = std::min(same->first, record.first);
  same->last = std::max(same->last, record.last);
}

}  // namespace

Result<std::shared_ptr<PinCache>> PinCache::open(const std::filesystem::path& path,
                                                 Options options) {
  PGPTLS_TRY(PinStore store, PinStore::open(path));
  // Not make_shared: the constructor is private.
  // The watch exists before the snapshot is read: a write after the read
  // is reported.
  std::shared_ptr<PinCache> cache(new PinCache(std::move(store), options, path));
  PGPTLS_TRY(cache->data_version_, cache->store_.data_version());
  PGPTLS_TRY(cache->snapshot_, load(cache->store_));
  cache->thread_ = std::thread([raw = cache.get()] { raw->run(); });
  return cache;
}

PinCache::~PinCache() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) {
    thread_.join();
  }
  // Nobody may wait for ever on a closed cache.
  const Error closed = make_error(PinErrc::storage_error, "the pin cache was closed");
  for (const auto& [domain, work] : work_) {
    work->set(closed);
  }
  for (const auto& [ticket, reload] : reloads_) {
    reload->set(closed);
  }
}

Result<std::shared_ptr<const PinCache::Snapshot>> PinCache::load(PinStore& store) {
  PGPTLS_TRY(PinSnapshot read, store.snapshot());
  auto snapshot = std::make_shared<Snapshot>();
  for (const Pin& pin : read.pins) {
    snapshot->pins[pin.domain].push_back(pin);
  }
  snapshot->all = std::move(read.pins);
  for (const SettingEntry& entry : read.settings) {
    snapshot->settings[{entry.domain.value_or(""), entry.setting}] = entry.on;
  }
  for (OpenPgpRecord& record : read.openpgp) {
    std::string domain = record.domain;
    snapshot->openpgp.emplace(std::move(domain), std::move(record));
  }
  return std::shared_ptr<const Snapshot>(std::move(snapshot));
}

void PinCache::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    // Woken for work, or the refresh timer (tick() stands for it). Every
    // cycle asks SQLite below, the timer's even when the watch saw nothing:
    // a watch can miss writes (another host on a network file system).
    wake_.wait_for(lock, options_.refresh_interval, [this] {
      return stopping_ || !tofu_.empty() || refresh_wanted_ > refresh_done_ ||
             changes_noted_ > changes_read_ || !first_pending_.empty() || tick_wanted_ > tick_done_;
    });
    const bool stop = stopping_;
    const std::uint64_t ticks = tick_wanted_;
    // A refresh() ticket taken from here on may have queued writes this
    // cycle does not take: the next cycle answers it.
    const std::uint64_t refreshes = refresh_wanted_;
    std::vector<OpenPgpRecord> batch = std::move(queue_);
    queue_.clear();
    std::vector<TofuJob> jobs = std::move(tofu_);
    tofu_.clear();
    const std::function<Status()> hook = before_write_;
    lock.unlock();

    // The disk, off every caller's thread: one transaction for the logins.
    Status written;
    if (!batch.empty()) {
      written = allowed(hook);
      if (written.ok()) {
        written = store_.record_openpgp_auths(batch);
      }
    }
    // Each trust-on-first-use pin in a transaction of its own: the store
    // decides whether another process pinned the domain first.
    std::vector<Status> outcomes;
    for (const TofuJob& job : jobs) {
      Status outcome = allowed(hook);
      if (outcome.ok()) {
        auto tofu = store_.pin_on_first_use(job.domain, job.pin, job.now);
        if (!tofu.ok()) {
          outcome = std::move(tofu).error();
        }
      }
      outcomes.push_back(std::move(outcome));
    }
    // After our own writes: whatever the watch reported up to here (our
    // writes and any other process's) is covered by the version check
    // below, so the catch-ups waiting so far are answered by this cycle.
    lock.lock();
    note_changes();
    const std::uint64_t changes = changes_noted_;
    ++store_reads_;
    lock.unlock();

    bool changed = !batch.empty() || !jobs.empty();
    Status status;
    auto version = store_.data_version();
    if (!version.ok()) {
      status = std::move(version).error();
    } else if (*version != data_version_) {
      data_version_ = *version;
      changed = true;
    }
    std::shared_ptr<const Snapshot> fresh;
    if (changed && status.ok()) {
      auto loaded = load(store_);
      if (loaded.ok()) {
        fresh = std::move(loaded).value();
      } else {
        status = std::move(loaded).error();
      }
    }

    lock.lock();
    Finished finished;
    if (!batch.empty()) {
      if (written.ok()) {
        ++transactions_;
      } else {
        // Kept for the next cycle; a decision about a domain whose first
        // login this was fails closed with the reason until a write works.
        for (const OpenPgpRecord& record : batch) {
          enqueue(queue_, record);
        }
      }
      for (const OpenPgpRecord& record : batch) {
        if (first_pending_.erase(record.domain) != 0) {
          if (!written.ok()) {
            first_failed_.insert_or_assign(record.domain, written.error());
          }
          finish_work(record.domain, written.ok() ? status : written, finished);
        }
        if (written.ok()) {
          first_failed_.erase(record.domain);
        }
      }
    }
    // The snapshot below holds what each job stored; a decision waiting
    // for a job decides again on it (a failed job or reload fails it).
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      finish_work(jobs[i].domain, outcomes[i].ok() ? status : outcomes[i], finished);
    }
    if (fresh) {
      snapshot_ = std::move(fresh);
      // Logins the new snapshot holds need no overlay any more.
      std::erase_if(recorded_, [this](const auto& entry) {
        const auto stored = snapshot_->openpgp.find(entry.first);
        return stored != snapshot_->openpgp.end() && stored->second.last >= entry.second.last;
      });
    }
    refresh_status_ = status;
    refresh_done_ = refreshes;
    changes_read_ = changes;
    tick_done_ = ticks;
    for (auto reload = reloads_.begin();
         reload != reloads_.end() && reload->first <= changes_read_;) {
      finished.emplace_back(std::move(reload->second), status);
      reload = reloads_.erase(reload);
    }
    done_.notify_all();
    lock.unlock();
    // Outside the lock: a completion's callbacks may call into the cache.
    for (auto& [pending, outcome] : finished) {
      pending->set(std::move(outcome));
    }
    lock.lock();
    if (stop) {
      if (queue_.empty() || !written.ok()) {
        return;
      }
    }
  }
}

void PinCache::finish_work(const std::string& domain, const Status& status, Finished& finished) {
  const auto work = work_.find(domain);
  if (work == work_.end()) {
    return;
  }
  finished.emplace_back(std::move(work->second), status);
  work_.erase(work);
}

void PinCache::note_changes() {
  if (watch_.changed()) {
    ++changes_noted_;
    wake_.notify_one();
  }
}

void PinCache::set_before_write(std::function<Status()> hook) {
  const std::lock_guard lock(mutex_);
  before_write_ = std::move(hook);
}

Status PinCache::ready_for(const std::string& domain) const {
  if (work_.count(domain) != 0) {
    return make_error(PinErrc::not_ready,
                      first_pending_.count(domain) != 0
                          ? "the first OpenPGP login of " + domain + " is being written"
                          : "trust on first use of " + domain + " is being written");
  }
  if (const auto failed = first_failed_.find(domain); failed != first_failed_.end()) {
    return failed->second.wrap("recording the OpenPGP login of " + domain);
  }
  return {};
}

std::shared_ptr<base::Pending> PinCache::pending(std::string_view domain_text) {
  auto domain = normalize_domain_input(domain_text);
  if (!domain.ok()) {
    return nullptr;
  }
  const std::lock_guard lock(mutex_);
  const auto work = work_.find(*domain);
  return work == work_.end() ? nullptr : work->second;
}

Result<std::vector<Pin>> PinCache::pins(std::string_view domain_text) {
  PGPTLS_TRY(const std::string domain, normalize_domain_input(domain_text));
  const std::lock_guard lock(mutex_);
  PGPTLS_CHECK(ready_for(domain));
  const auto found = snapshot_->pins.find(domain);
  return found == snapshot_->pins.end() ? std::vector<Pin>() : found->second;
}

Result<std::vector<Pin>> PinCache::all_pins() {
  const std::lock_guard lock(mutex_);
  return snapshot_->all;
}

Result<TofuOutcome> PinCache::pin_on_first_use(std::string_view domain_text, std::string_view pin,
                                               base::TimePoint now) {
  PGPTLS_TRY(const std::string domain, normalize_domain_input(domain_text));
  const std::lock_guard lock(mutex_);
  PGPTLS_CHECK(ready_for(domain));
  if (const auto found = snapshot_->pins.find(domain); found != snapshot_->pins.end()) {
    TofuOutcome outcome;
    outcome.existing = found->second;
    return outcome;
  }
  // A new domain: the store decides, in one transaction on the thread, so
  // that two processes cannot both pin it. Until then every call about
  // the domain answers not_ready, so this process asks only once.
  tofu_.push_back(TofuJob{domain, std::string(pin), now});
  work_.emplace(domain, base::Pending::make());
  wake_.notify_one();
  return make_error(PinErrc::not_ready, "trust on first use of " + domain + " is being written");
}

Result<std::optional<bool>> PinCache::setting(const SettingScope& scope, Setting setting) {
  std::string key;
  if (scope.domain) {
    PGPTLS_TRY(key, normalize_domain_input(*scope.domain));
  }
  const std::lock_guard lock(mutex_);
  const auto found = snapshot_->settings.find({key, setting});
  return found == snapshot_->settings.end() ? std::optional<bool>() : found->second;
}

Result<bool> PinCache::effective_setting(std::string_view domain, Setting which) {
  PGPTLS_TRY(const std::optional<bool> own, setting({std::string(domain)}, which));
  if (own) {
    return *own;
  }
  PGPTLS_TRY(const std::optional<bool> global, setting({}, which));
  return global.value_or(false);
}

Status PinCache::record_openpgp_auth(std::string_view domain_text, base::TimePoint now) {
  PGPTLS_TRY(const std::string domain, normalize_domain_input(domain_text));
  const base::Seconds at = std::chrono::time_point_cast<std::chrono::seconds>(now);
  PGPTLS_CHECK(check_pin_time(at, "OpenPGP authentication time"));
  const std::lock_guard lock(mutex_);
  PGPTLS_CHECK(ready_for(domain));
  const auto stored = snapshot_->openpgp.find(domain);
  const auto overlay = recorded_.find(domain);
  const bool first = stored == snapshot_->openpgp.end() && overlay == recorded_.end();
  OpenPgpRecord& record = recorded_[domain];
  if (first) {
    record = OpenPgpRecord{domain, at, at};
  } else {
    const OpenPgpRecord& known = overlay != recorded_.end() ? record : stored->second;
    record = OpenPgpRecord{domain, std::min(known.first, at), std::max(known.last, at)};
  }
  // A repeat is written when the last write of this domain is older than
  // repeat_interval (the stored `last`, when this process has not written
  // it yet); it waits for the next cycle, batched with the others.
  base::TimePoint last_written{};
  if (const auto queued = last_queued_.find(domain); queued != last_queued_.end()) {
    last_written = queued->second;
  } else if (stored != snapshot_->openpgp.end()) {
    last_written = stored->second.last;
  }
  if (first || now - last_written >= options_.repeat_interval) {
    enqueue(queue_, record);
    last_queued_[domain] = now;
  }
  if (first) {
    first_pending_.insert(domain);
    work_.emplace(domain, base::Pending::make());
    wake_.notify_one();
  }
  return {};
}

Result<std::optional<OpenPgpRecord>> PinCache::openpgp_auth(std::string_view domain_text) {
  PGPTLS_TRY(const std::string domain, normalize_domain_input(domain_text));
  const std::lock_guard lock(mutex_);
  PGPTLS_CHECK(ready_for(domain));
  if (const auto overlay = recorded_.find(domain); overlay != recorded_.end()) {
    return std::optional<OpenPgpRecord>(overlay->second);
  }
  if (const auto stored = snapshot_->openpgp.find(domain); stored != snapshot_->openpgp.end()) {
    return std::optional<OpenPgpRecord>(stored->second);
  }
  return std::optional<OpenPgpRecord>();
}

Status PinCache::refresh() {
  std::unique_lock lock(mutex_);
  const std::uint64_t ticket = ++refresh_wanted_;
  wake_.notify_one();
  // The cycle that answers the ticket took every write queued before it.
  done_.wait(lock, [&] { return refresh_done_ >= ticket; });
  return refresh_status_;
}

std::shared_ptr<base::Pending> PinCache::catch_up() {
  const std::lock_guard lock(mutex_);
  note_changes();
  const std::uint64_t ticket = changes_noted_;
  if (changes_read_ >= ticket) {
    return nullptr;  // nothing written since the last look: the snapshot stands
  }
  // One reload answers every rejection waiting for it.
  std::shared_ptr<base::Pending>& reload = reloads_[ticket];
  if (!reload) {
    reload = base::Pending::make();
  }
  return reload;
}

void PinCache::tick() {
  std::unique_lock lock(mutex_);
  const std::uint64_t ticket = ++tick_wanted_;
  wake_.notify_one();
  done_.wait(lock, [&] { return tick_done_ >= ticket; });
}

std::uint64_t PinCache::store_reads() const {
  const std::lock_guard lock(mutex_);
  return store_reads_;
}

std::uint64_t PinCache::transactions() const {
  const std::lock_guard lock(mutex_);
  return transactions_;
}

}  // namespace pgptls::pins
