#include "tests/pins/stopping_vfs.h"

#include <sqlite3.h>
#include <unistd.h>

#include <string>

namespace pgptls::test {
namespace {

// The state of the one stopping VFS of this process (a forked child).
sqlite3_vfs* g_real = nullptr;
std::uint64_t g_stop_at = 0;
std::uint64_t g_calls = 0;
int g_report_fd = -1;

// StoppingFile: our file object; the real VFS's file object follows it in
// the same allocation (szOsFile covers both).
struct StoppingFile {
  sqlite3_file base;
  sqlite3_file* real;
  const char* kind;  // "db", "wal", "journal" or "other", from the open flags
};

sqlite3_file* real_of(sqlite3_file* file) {
  return reinterpret_cast<StoppingFile*>(file)->real;
}

// count: one more call that changes the disk; at the chosen one, report
// and wait to be killed.
void count(const char* what, sqlite3_file* file) {
  if (++g_calls != g_stop_at) {
    return;
  }
  const std::string line = "STOPPED " + std::string(what) + "-" +
                           reinterpret_cast<StoppingFile*>(file)->kind + " " +
                           std::to_string(g_calls) + "\n";
  // Shorter than PIPE_BUF: written whole or not at all (pipe(7)).
  if (::write(g_report_fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
    ::_exit(4);
  }
  for (;;) {
    ::pause();
  }
}

int x_close(sqlite3_file* file) {
  return real_of(file)->pMethods->xClose(real_of(file));
}
int x_read(sqlite3_file* file, void* buffer, int amount, sqlite3_int64 offset) {
  return real_of(file)->pMethods->xRead(real_of(file), buffer, amount, offset);
}
int x_write(sqlite3_file* file, const void* buffer, int amount, sqlite3_int64 offset) {
  count("write", file);
  return real_of(file)->pMethods->xWrite(real_of(file), buffer, amount, offset);
}
int x_truncate(sqlite3_file* file, sqlite3_int64 size) {
  count("truncate", file);
  return real_of(file)->pMethods->xTruncate(real_of(file), size);
}
int x_sync(sqlite3_file* file, int flags) {
  count("sync", file);
  return real_of(file)->pMethods->xSync(real_of(file), flags);
}
int x_file_size(sqlite3_file* file, sqlite3_int64* size) {
  return real_of(file)->pMethods->xFileSize(real_of(file), size);
}
int x_lock(sqlite3_file* file, int level) {
  return real_of(file)->pMethods->xLock(real_of(file), level);
}
int x_unlock(sqlite3_file* file, int level) {
  return real_of(file)->pMethods->xUnlock(real_of(file), level);
}
int x_check_reserved_lock(sqlite3_file* file, int* out) {
  return real_of(file)->pMethods->xCheckReservedLock(real_of(file), out);
}
int x_file_control(sqlite3_file* file, int op, void* arg) {
  return real_of(file)->pMethods->xFileControl(real_of(file), op, arg);
}
int x_sector_size(sqlite3_file* file) {
  return real_of(file)->pMethods->xSectorSize(real_of(file));
}
int x_device_characteristics(sqlite3_file* file) {
  return real_of(file)->pMethods->xDeviceCharacteristics(real_of(file));
}
int x_shm_map(sqlite3_file* file, int region, int size, int extend, void volatile** out) {
  return real_of(file)->pMethods->xShmMap(real_of(file), region, size, extend, out);
}
int x_shm_lock(sqlite3_file* file, int offset, int n, int flags) {
  return real_of(file)->pMethods->xShmLock(real_of(file), offset, n, flags);
}
void x_shm_barrier(sqlite3_file* file) {
  real_of(file)->pMethods->xShmBarrier(real_of(file));
}
int x_shm_unmap(sqlite3_file* file, int delete_flag) {
  return real_of(file)->pMethods->xShmUnmap(real_of(file), delete_flag);
}
int x_fetch(sqlite3_file* file, sqlite3_int64 offset, int amount, void** out) {
  return real_of(file)->pMethods->xFetch(real_of(file), offset, amount, out);
}
int x_unfetch(sqlite3_file* file, sqlite3_int64 offset, void* page) {
  return real_of(file)->pMethods->xUnfetch(real_of(file), offset, page);
}

// The unix VFS's files are version 3 (shared memory for WAL, memory maps).
const sqlite3_io_methods kMethods = {3,
                                     x_close,
                                     x_read,
                                     x_write,
                                     x_truncate,
                                     x_sync,
                                     x_file_size,
                                     x_lock,
                                     x_unlock,
                                     x_check_reserved_lock,
                                     x_file_control,
                                     x_sector_size,
                                     x_device_characteristics,
                                     x_shm_map,
                                     x_shm_lock,
                                     x_shm_barrier,
                                     x_shm_unmap,
                                     x_fetch,
                                     x_unfetch};

int x_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  auto* ours = reinterpret_cast<StoppingFile*>(file);
  ours->real = reinterpret_cast<sqlite3_file*>(ours + 1);
  ours->base.pMethods = nullptr;  // SQLite closes nothing if the open fails
  ours->kind = (flags & SQLITE_OPEN_MAIN_DB) != 0        ? "db"
               : (flags & SQLITE_OPEN_WAL) != 0          ? "wal"
               : (flags & SQLITE_OPEN_MAIN_JOURNAL) != 0 ? "journal"
                                                         : "other";
  const int rc = g_real->xOpen(g_real, name, ours->real, flags, out_flags);
  if (rc == SQLITE_OK && ours->real->pMethods != nullptr) {
    ours->base.pMethods = &kMethods;
  }
  return rc;
}

sqlite3_vfs g_vfs{};

}  // namespace

bool install_stopping_vfs(std::uint64_t stop_at, int report_fd) {
  g_real = sqlite3_vfs_find(nullptr);
  if (g_real == nullptr || g_real->iVersion < 3) {
    return false;
  }
  g_stop_at = stop_at;
  g_calls = 0;
  g_report_fd = report_fd;
  // Everything but xOpen is the real VFS's (names, deletes, time,
  // randomness, system calls).
  g_vfs = *g_real;
  g_vfs.szOsFile = static_cast<int>(sizeof(StoppingFile)) + g_real->szOsFile;
  g_vfs.pNext = nullptr;
  g_vfs.zName = "pgptls-stopping";
  g_vfs.xOpen = x_open;
  return sqlite3_vfs_register(&g_vfs, 1) == SQLITE_OK;
}

}  // namespace pgptls::test
