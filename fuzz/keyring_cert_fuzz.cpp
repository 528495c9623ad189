// keyring_cert_fuzz.cpp: armor + packets + certificate building +
// validation + check_peer over arbitrary input. Invariants checked: a
// certificate that parsed serializes, re-parses to the same fingerprint,
// and serializes again to identical bytes; armor written by us reads back.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz/fuzz_require.h"
#include "keyring/authority.h"
#include "keyring/validate.h"
#include "openpgp/armor.h"
#include "openpgp/cert.h"

using pgptls::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pgptls;
  using namespace pgptls::keyring;
  using namespace pgptls::openpgp;
  const ByteView input(data, size);
  const Policy policy = Policy::standard();
  // A fixed time inside the lifetime of the seed keys.
  const base::Seconds now{std::chrono::seconds(1'780'000'000)};

  KeyringParse parsed = parse_keyring(input, policy.limits);
  std::vector<Authority> authorities;
  for (const Cert& cert : parsed.certs) {
    auto bytes = cert.serialize();
    require(bytes.ok());
    auto again = parse_certificate(*bytes);
    require(again.ok());
    require(again->fingerprint() == cert.fingerprint());
    auto bytes2 = again->serialize();
    require(bytes2.ok() && *bytes2 == *bytes);

    const std::string armored = encode_armor("PGP PUBLIC KEY BLOCK", *bytes);
    auto blocks = decode_armor(armored);
    require(blocks.ok() && blocks->size() == 1 && (*blocks)[0].data == *bytes);

    const ValidatedCert valid = validate(cert, policy, now);
    (void)authentication_keys(valid, policy);
    if (authorities.size() < 2) {
      authorities.push_back(Authority{cert, {"*.example", "!bad.example"}});
    }
  }
  for (const Cert& cert : parsed.certs) {
    for (const auto& uid : cert.user_ids) {
      const std::string text = uid.text();
      const auto colon = text.find("xmpp:");
      const std::string domain =
          colon == std::string::npos ? "a.example" : text.substr(colon + 5, 40);
      (void)check_peer(cert, domain, authorities, policy, now);
    }
  }
  return 0;
}
