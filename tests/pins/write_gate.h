// write_gate.h: a PinCache::set_before_write hook for tests: the write
// fails while `failing` (a full or read-only disk) and waits while held (a
// slow disk); wait_entered() returns once the cache's thread is inside it.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

#include "base/result.h"
#include "pins/errors.h"

namespace pgptls::test {

struct WriteGate {
  std::atomic<bool> failing{false};
  std::mutex mutex;
  std::condition_variable changed;
  bool held = false;
  bool entered = false;

  Status pass() {
    std::unique_lock lock(mutex);
    entered = true;
    changed.notify_all();
    changed.wait(lock, [&] { return !held; });
    if (failing) {
      return make_error(pins::PinErrc::storage_error, "database or disk is full (simulated)");
    }
    return {};
  }
  void hold() {
    const std::lock_guard lock(mutex);
    held = true;
    entered = false;
  }
  void release() {
    {
      const std::lock_guard lock(mutex);
      held = false;
    }
    changed.notify_all();
  }
  [[nodiscard]] bool wait_entered() {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, std::chrono::seconds(30), [&] { return entered; });
  }
};

}  // namespace pgptls::test
