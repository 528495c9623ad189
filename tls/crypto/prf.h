// prf.h: the TLS 1.2 key schedule: PRF (RFC 5246 §5), extended master secret
// (RFC 7627 §4), key block (RFC 5246 §6.3), Finished (RFC 5246 §7.4.9).
// All HMACs go through gnutls_hmac_*; every secret is a base::SecretBytes.
#pragma once

#include <cstddef>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"
#include "base/secret.h"
#include "tls/wire/certificate_type.h"
#include "tls/wire/cipher_suite.h"

namespace pgptls::tls {

inline constexpr std::size_t kMasterSecretLength = 48;  // RFC 5246 §8.1
inline constexpr std::size_t kVerifyDataLength = 12;    // RFC 5246 §7.4.9
inline constexpr std::size_t kRandomLength = 32;        // RFC 5246 §7.4.1.2

// prf: PRF(secret, label, seed) = P_<hash>(secret, label + seed), truncated
// to `length` bytes (RFC 5246 §5). Fails with Errc::internal_error when
// GnuTLS's HMAC fails.
[[nodiscard]] Result<base::SecretBytes> prf(HashAlgorithm hash, ByteView secret,
                                            std::string_view label, ByteView seed,
                                            std::size_t length);

// extended_master_secret: PRF(pre_master_secret, "extended master secret",
// session_hash)[0..47] (RFC 7627 §4), where session_hash is the transcript
// hash up to and including ClientKeyExchange. Fails as prf().
[[nodiscard]] Result<base::SecretBytes> extended_master_secret(HashAlgorithm hash,
                                                               ByteView pre_master_secret,
                                                               ByteView session_hash);

// KeyBlock: the write keys and implicit IVs of both directions (RFC 5246
// §6.3; AEAD suites have no MAC keys).
struct KeyBlock {
  base::SecretBytes client_write_key;
  base::SecretBytes server_write_key;
  base::SecretBytes client_write_iv;
  base::SecretBytes server_write_iv;
};

// derive_key_block: PRF(master_secret, "key expansion", server_random +
// client_random) split into keys and IVs (RFC 5246 §6.3). Fails with
// Errc::internal_error on an HMAC failure, or Errc::illegal_parameter when a
// random is not 32 bytes.
[[nodiscard]] Result<KeyBlock> derive_key_block(const CipherSuite& suite, ByteView master_secret,
                                                ByteView client_random, ByteView server_random);

// finished_verify_data: PRF(master_secret, "client finished" or "server
// finished", transcript_hash)[0..11] (RFC 5246 §7.4.9); `sender` is the side
// that sends the Finished message. Fails as prf().
[[nodiscard]] Result<Bytes> finished_verify_data(HashAlgorithm hash, ByteView master_secret,
                                                 Role sender, ByteView transcript_hash);

// check_finished: computes the expected verify_data and compares it with the
// received one in constant time. Fails with Errc::decrypt_error (RFC 5246
// §7.4.9: a wrong Finished is decrypt_error) naming which side's Finished
// was wrong.
[[nodiscard]] Status check_finished(HashAlgorithm hash, ByteView master_secret, Role sender,
                                    ByteView transcript_hash, ByteView received_verify_data);

}  // namespace pgptls::tls
