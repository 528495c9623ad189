// ed25519.h: Ed25519 signature verification (RFC 8032 §5.1.7) through
// libsodium, for OpenPGP signatures by Ed25519 and legacy EdDSA keys and
// for the RFC 6091 engine's Ed25519 handshake signatures (RFC 8422 §5.10).
//
// Why not GnuTLS/Nettle, as for every other algorithm: a verification
// handles only public data, so it may run in variable time, and libsodium's
// does (a variable-time double-scalar multiplication). Nettle, under
// GnuTLS, verifies with its constant-time scalar multiplications at more
// than twice the cost (bench/tls/trust_bench: BM_Ed25519Verify*), and a
// first-contact OpenPGP peer costs a server three such verifications and
// every RFC 6091 handshake one more (the peer's CertificateVerify).
// libsodium is also strict where RFC 8032 §5.1.7 lets a verifier choose: it
// refuses a non-canonical S (S >= L), non-canonical encodings and
// small-order public keys and R; it never accepts what Nettle refuses.
//
// Usage:
//   if (!base::ed25519_verify(point, message, signature)) { ... refused ... }
#pragma once

#include "base/bytes.h"

namespace pgptls::base {

// ed25519_verify: whether `signature` (64 octets, R || S) is a valid
// Ed25519 signature of `message` by the public key `point` (32 octets);
// false for wrong sizes too.
[[nodiscard]] bool ed25519_verify(ByteView point, ByteView message, ByteView signature);

}  // namespace pgptls::base
