// tls_engine_fuzz.h: the fixed world of the RFC 6091 engine fuzz targets:
// certtool-made Ed25519 credentials (fuzz/data/tls_engine), a fixed RNG and
// clock, and a verifier that accepts any X.509 leaf GnuTLS can read (so
// fuzzing reaches the states after certificate verification).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "base/bytes.h"
#include "tls/rfc6091/rfc6091_engine.h"

namespace pgptls::fuzz {

// engine_config: the configuration of the fuzzed client or server.
tls::Rfc6091Config engine_config(tls::Role role);

// split_chunks: fuzz input as [uint16 length][bytes]..., the last chunk
// taking whatever is left; each chunk is one feed() call.
std::vector<ByteView> split_chunks(ByteView input);

// join_chunks: the inverse, for writing seeds.
Bytes join_chunks(const std::vector<Bytes>& chunks);

// drive: feeds the chunks to the engine, sending nothing anywhere, and
// exercises the application data and close paths once established.
void drive(tls::Engine& engine, ByteView input);

}  // namespace pgptls::fuzz
