// store_corpus.h: 100 000 real certificates for the keyring store
// benchmarks, made once by make_bench_certificate (about half a minute) and
// cached in $TMPDIR (or /tmp)/pgptls-bench-store-v2:
//   all.pgp    every certificate, concatenated (an exported keyring)
//   keys.bin   per certificate: primary fingerprint, subkey fingerprint
//   store/     one file per certificate named by fingerprint (a store
//              directory), written plainly: the store's own atomic, fsynced
//              writes would measure the disk, not the store
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "base/bytes.h"

namespace pgptls::bench {

inline constexpr std::uint32_t kCorpusSize = 100'000;

struct CorpusEntry {
  Bytes primary_fingerprint;
  Bytes subkey_fingerprint;
  std::string domain;
};

struct Corpus {
  std::filesystem::path store_dir;
  Bytes all;                         // content of all.pgp
  std::vector<CorpusEntry> entries;  // in the order of all.pgp
};

// corpus: the cached corpus, made on first use; throws std::runtime_error
// when it cannot be made.
const Corpus& corpus();

}  // namespace pgptls::bench
