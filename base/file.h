// file.h: whole-file reads and crash-safe whole-file writes.
#pragma once

#include <filesystem>

#include "base/bytes.h"
#include "base/result.h"

namespace pgptls::base {

// read_file: the whole file; fails with Errc::io_error (naming the path and
// the system's reason) or Errc::value_too_large when it exceeds max_size.
[[nodiscard]] Result<Bytes> read_file(const std::filesystem::path& path,
                                      std::size_t max_size = std::size_t{256} << 20);

// write_file_atomic: writes to a temporary file in the same directory, fsyncs
// it, renames it over `path` and fsyncs the directory, so a crash leaves
// either the old or the new content, never a mix. `mode` sets permissions.
[[nodiscard]] Status write_file_atomic(const std::filesystem::path& path, ByteView content,
                                       unsigned mode = 0644);

}  // namespace pgptls::base
