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
//
// make_certified_peer adds an authority's certification (0x10) of the
// user ID and hands back the subkey's secret: a first-contact peer for the
// serve benchmark.
#pragma once

#include <gnutls/abstract.h>

#include <cstdint>
#include <string>

#include "base/bytes.h"
#include "base/gnutls_handles.h"
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

// BenchAuthority: the certifying key: a legacy EdDSA (algorithm 22) key
// such as gpg 2.2's ed25519, and its v4 fingerprint (20 bytes).
struct BenchAuthority {
  gnutls_privkey_t key = nullptr;
  Bytes fingerprint;
};

// BenchPeer: a certified certificate and the secret of its [A] subkey.
struct BenchPeer {
  BenchCertificate certificate;
  base::PrivateKeyHandle subkey_secret;
};

// make_certified_peer: as make_bench_certificate, for the user ID
// xmpp:<domain>, also certified by `authority`. Fails when GnuTLS cannot
// make or use a key.
[[nodiscard]] Result<BenchPeer> make_certified_peer(std::uint32_t n, const std::string& domain,
                                                    const BenchAuthority& authority);

}  // namespace pgptls::bench
