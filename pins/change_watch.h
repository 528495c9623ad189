// change_watch.h: tells, without asking SQLite and without blocking,
// whether the pin database may have changed since the last look.
//
// PinCache answers from a snapshot; before a rejection is final it must
// know whether another process (`pgptls pin add`) committed since. Asking
// SQLite (PRAGMA data_version) means a round trip to the cache's thread per
// rejected peer. Instead the kernel says it: an inotify watch on the
// database's directory queues an event for every write to the database or
// its write-ahead log (and for a file renamed into place), in the writer's
// write() call, so before the writing process exits. changed() drains that
// queue (a non-blocking read) and says whether anything concerned the
// database. It may say yes without a change (the cache's own writes, a
// checkpoint); it never says no after a write it has not reported.
//
// Where inotify is not available (no watches left, another kernel),
// changed() always says yes: the cache then asks SQLite every time, which is
// slower and just as correct.
//
// Not thread-safe: PinCache calls it under its lock.
//
// Usage:
//   pins::ChangeWatch watch(path);
//   if (watch.changed()) { /* look at the file */ }
#pragma once

#include <filesystem>
#include <string>

namespace pgptls::pins {

class ChangeWatch {
 public:
  explicit ChangeWatch(const std::filesystem::path& database);
  ~ChangeWatch();
  ChangeWatch(const ChangeWatch&) = delete;
  ChangeWatch& operator=(const ChangeWatch&) = delete;

  // changed: whether the database, its -wal or -journal file was written,
  // created, replaced or removed since the last call (or the watch
  // overflowed, or there is no watch).
  [[nodiscard]] bool changed();
  // watching: false when inotify could not be set up (changed() is then
  // always true).
  [[nodiscard]] bool watching() const { return fd_ >= 0; }

 private:
  [[nodiscard]] bool concerns_database(const std::string& name) const;

  int fd_ = -1;
  std::string name_;  // the database's file name in its directory
};

}  // namespace pgptls::pins
