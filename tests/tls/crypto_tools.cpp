#include "tests/tls/crypto_tools.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "base/encoding.h"
#include "base/rng.h"
#include "tests/support/process.h"

namespace pgptls::tls::test {

std::string run_ok(const std::vector<std::string>& argv) {
  const pgptls::test::ToolResult result = pgptls::test::run_tool(argv);
  if (!result.ok()) {
    std::string command;
    for (const auto& arg : argv) {
      command += arg + " ";
    }
    ADD_FAILURE() << command << ": " << result.describe();
  }
  return result.out;
}

Bytes openssl_tls1_prf(const std::string& digest, ByteView secret, ByteView label_and_seed,
                       std::size_t length) {
  const std::string out =
      run_ok({"openssl", "kdf", "-keylen", std::to_string(length), "-kdfopt", "digest:" + digest,
              "-kdfopt", "hexsecret:" + base::hex_encode(secret), "-kdfopt",
              "hexseed:" + base::hex_encode(label_and_seed), "TLS1-PRF"});
  // OpenSSL prints "AB:CD:...".
  std::string hex;
  for (const char c : out) {
    if (std::isxdigit(static_cast<unsigned char>(c)) != 0) {
      hex.push_back(c);
    }
  }
  auto decoded = base::hex_decode(hex);
  if (!decoded.ok()) {
    ADD_FAILURE() << "openssl kdf printed no hex: " << out;
    return {};
  }
  return *decoded;
}

Bytes read_binary(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_binary(const std::filesystem::path& path, ByteView data) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

Bytes random_bytes(std::uint64_t seed, std::size_t count) {
  base::DeterministicRng rng(seed);
  Bytes out(count);
  EXPECT_TRUE(rng.fill(out, base::RngLevel::random).ok());
  return out;
}

}  // namespace pgptls::tls::test
