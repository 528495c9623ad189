// stopping_vfs.h: a SQLite VFS for the durability tests that stops the
// process at a chosen file operation, so that a writer is killed at a
// known point inside a transaction (writing a WAL frame, syncing the WAL,
// checkpointing) instead of at a random moment.
#pragma once

#include <cstdint>

namespace pgptls::test {

// install_stopping_vfs: registers, as this process's default VFS, one that
// forwards every call to the previous default and counts the calls that
// change the disk (xWrite, xTruncate, xSync; from 1, over every file SQLite
// opens). At call number `stop_at`, before doing it, it writes
// "STOPPED <write|truncate|sync>-<db|wal|journal|other> <stop_at>\n" to
// `report_fd` and blocks
// forever: the process waits there for the SIGKILL of whoever reads the
// line. Call it in a forked child, before the database is opened; false
// when SQLite refused the registration.
bool install_stopping_vfs(std::uint64_t stop_at, int report_fd);

}  // namespace pgptls::test
