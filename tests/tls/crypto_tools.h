// crypto_tools.h: helpers for the tls crypto tests that cross-check pgptls
// against OpenSSL and GnuTLS tools run by the test.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "base/bytes.h"

namespace pgptls::tls::test {

// openssl_kdf_tls1_prf: runs `openssl kdf ... TLS1-PRF` (OpenSSL's own
// RFC 5246 PRF) and returns its output; the seed includes the label.
// Fails the calling test (ADD_FAILURE) and returns empty on tool errors.
Bytes openssl_tls1_prf(const std::string& digest, ByteView secret, ByteView label_and_seed,
                       std::size_t length);

// run_ok: runs a tool and fails the calling test unless it exits 0; returns
// its stdout.
std::string run_ok(const std::vector<std::string>& argv);

// read_binary / write_binary: whole files.
Bytes read_binary(const std::filesystem::path& path);
void write_binary(const std::filesystem::path& path, ByteView data);

// random_bytes: `count` bytes from a DeterministicRng with this seed.
Bytes random_bytes(std::uint64_t seed, std::size_t count);

}  // namespace pgptls::tls::test
