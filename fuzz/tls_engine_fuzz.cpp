// tls_engine_fuzz.cpp: the whole RFC 6091 client or server (picked by
// PGPTLS_FUZZ_ROLE) driven by fuzz input, fed in chunks as network bytes.
#include <cstddef>
#include <cstdint>

#include "fuzz/tls_engine_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto engine = pgptls::tls::make_rfc6091_engine(
      pgptls::fuzz::engine_config(pgptls::tls::Role::PGPTLS_FUZZ_ROLE));
  if (!engine.ok()) {
    __builtin_trap();
  }
  pgptls::fuzz::drive(**engine, pgptls::ByteView(data, size));
  return 0;
}
