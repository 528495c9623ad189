// temp_dir.h: a private temporary directory removed with everything in it.
#pragma once

#include <filesystem>

namespace pgptls::test {

// TempDir: creates a fresh mode-0700 directory under $TMPDIR (or /tmp) and
// removes it recursively on destruction. gpg needs the 0700 for GNUPGHOME.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  // file: path() / name.
  [[nodiscard]] std::filesystem::path file(const std::filesystem::path& name) const {
    return path_ / name;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace pgptls::test
