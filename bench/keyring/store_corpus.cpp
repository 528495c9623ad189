#include "bench/keyring/store_corpus.h"

#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "base/encoding.h"
#include "base/file.h"
#include "bench/keyring/store_certgen.h"

namespace pgptls::bench {
namespace {

std::filesystem::path cache_root() {
  const char* tmp = std::getenv("TMPDIR");
  return std::filesystem::path(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") /
         "pgptls-bench-store-v2";
}

void write_plain(const std::filesystem::path& path, ByteView data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  if (!out) {
    throw std::runtime_error("cannot write " + path.string());
  }
}

void make(const std::filesystem::path& root) {
  std::filesystem::remove_all(root);
  std::filesystem::create_directories(root / "store");
  Bytes all;
  Bytes keys;
  for (std::uint32_t n = 0; n < kCorpusSize; ++n) {
    auto cert = make_bench_certificate(n);
    if (!cert.ok()) {
      throw std::runtime_error(cert.error().message());
    }
    write_plain(root / "store" / base::hex_encode_upper(cert->primary_fingerprint), cert->binary);
    all.insert(all.end(), cert->binary.begin(), cert->binary.end());
    keys.insert(keys.end(), cert->primary_fingerprint.begin(), cert->primary_fingerprint.end());
    keys.insert(keys.end(), cert->subkey_fingerprint.begin(), cert->subkey_fingerprint.end());
  }
  write_plain(root / "all.pgp", all);
  write_plain(root / "keys.bin", keys);
  write_plain(root / "complete", as_bytes_view("ok\n"));
}

}  // namespace

const Corpus& corpus() {
  static const Corpus made = [] {
    const auto root = cache_root();
    if (!std::filesystem::exists(root / "complete")) {
      make(root);
    }
    Corpus c;
    c.store_dir = root / "store";
    c.all = *base::read_file(root / "all.pgp", std::size_t{1} << 30);
    const Bytes keys = *base::read_file(root / "keys.bin", std::size_t{1} << 30);
    if (keys.size() != std::size_t{kCorpusSize} * 40) {
      throw std::runtime_error("damaged corpus cache: remove " + root.string());
    }
    for (std::uint32_t n = 0; n < kCorpusSize; ++n) {
      const auto* at = keys.data() + std::size_t{n} * 40;
      c.entries.push_back({Bytes(at, at + 20), Bytes(at + 20, at + 40),
                           "c" + std::to_string(n) + ".bench.example"});
    }
    return c;
  }();
  return made;
}

}  // namespace pgptls::bench
