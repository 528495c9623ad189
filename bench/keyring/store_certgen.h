// store_certgen.h: makes many distinct, correctly self-signed OpenPGP v4
// certificates quickly, for the keyring store benchmark. gpg needs seconds
// per key; this needs tens of microseconds: Ed25519 keys from GnuTLS
// (gnutls_privkey_generate2), packets written per RFC 4880 / RFC 9580 with
// base::ByteWriter, signatures made with gnutls_privkey_sign_data2.
//
// Each certificate is what `gpg --quick-gen-key xmpp:… ed25519` plus an
// authentication subkey gives: a legacy EdDSA (algorithm 22) primary key
// [SC], the user ID `xmpp:c<N>.bench.example` with a positive
// certification (0x13), and an EdDSA [A] subkey with its binding (0x18).
#pragma once

#include <cstdint>
#include <string>

#include "base/bytes.h"
#include "base/result.h"

namespace pgptls::bench {

// BenchCertificate: one made certificate and what it is found by.
struct BenchCertificate {
  Bytes binary;               // the transferable public key, binary
  Bytes primary_fingerprint;  // 20 bytes
  Bytes subkey_fingerprint;   // 20 bytes
  std::string domain;         // c<N>.bench.example
};

// make_bench_certificate: certificate number `n` (its user ID and creation
// time depend on `n`; its keys are fresh random keys). Fails when GnuTLS
// cannot make or use a key.
[[nodiscard]] Result<BenchCertificate> make_bench_certificate(std::uint32_t n);

}  // namespace pgptls::bench
