#include "base/pending.h"

#include <utility>

namespace pgptls::base {

std::shared_ptr<Pending> Pending::make() {
  return std::make_shared<Pending>();
}

std::shared_ptr<Pending> Pending::finished(Status status) {
  auto pending = make();
  pending->set(std::move(status));
  return pending;
}

void Pending::set(Status status) {
  const std::lock_guard lock(mutex_);
  if (status_) {
    return;
  }
  status_ = std::move(status);
  // Under the lock, so that forget() on another thread returns only once
  // its callback has run or never will.
  for (auto& [id, callback] : callbacks_) {
    callback(*status_);
  }
  callbacks_.clear();
  finished_.notify_all();
}

std::uint64_t Pending::on_ready(Callback callback) {
  std::unique_lock lock(mutex_);
  if (!status_) {
    const std::uint64_t id = next_id_++;
    callbacks_.emplace(id, std::move(callback));
    return id;
  }
  const Status status = *status_;
  lock.unlock();
  callback(status);
  return kRanAtOnce;
}

void Pending::forget(std::uint64_t id) {
  const std::lock_guard lock(mutex_);
  callbacks_.erase(id);
}

std::optional<Status> Pending::status() const {
  const std::lock_guard lock(mutex_);
  return status_;
}

Status Pending::wait() const {
  std::unique_lock lock(mutex_);
  finished_.wait(lock, [this] { return status_.has_value(); });
  return *status_;
}

Status wait_for(const std::shared_ptr<Pending>& pending) {
  return pending ? pending->wait() : Status{};
}

}  // namespace pgptls::base
