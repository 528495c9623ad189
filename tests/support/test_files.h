// test_files.h: reading the reference files of tests/data/ (keys, captures).
#pragma once

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "base/bytes.h"

namespace pgptls::test {

inline std::filesystem::path data_dir() {
  return PGPTLS_TEST_DATA_DIR;
}

inline Bytes read_file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline Bytes gnutls_key(const std::string& name) {
  return read_file_bytes(data_dir() / "gnutls-3.5" / "keys" / name);
}

}  // namespace pgptls::test
