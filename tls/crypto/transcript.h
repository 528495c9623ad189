// transcript.h: the running hash of the handshake messages (RFC 5246
// §7.4.9 "handshake_messages"), used for Finished, the extended master
// secret session hash (RFC 7627 §3) and CertificateVerify.
#pragma once

#include <gnutls/crypto.h>

#include <memory>
#include <optional>
#include <type_traits>

#include "base/bytes.h"
#include "base/result.h"
#include "tls/wire/cipher_suite.h"

namespace pgptls::tls {

// Transcript: the handshake messages (each with its 4-byte header, as sent
// on the wire, excluding HelloRequest and records of other types). Before
// the cipher suite is known the messages are buffered; select_hash() then
// hashes the buffer and every later message with gnutls_hash_*.
//
// CertificateVerify (RFC 5246 §7.4.8) signs the *messages*, not a hash, with
// the hash of the chosen signature scheme; so the messages are kept until
// release_messages() is called (after CertificateVerify is sent or checked).
//
// Usage:
//   Transcript t;
//   PGPTLS_CHECK(t.append(client_hello_bytes));
//   PGPTLS_CHECK(t.append(server_hello_bytes));
//   PGPTLS_CHECK(t.select_hash(suite.prf_hash));
//   ...
//   PGPTLS_TRY(const Bytes session_hash, t.current_hash());   // after ClientKeyExchange
class Transcript {
 public:
  Transcript() = default;
  Transcript(Transcript&&) noexcept = default;
  Transcript& operator=(Transcript&&) noexcept = default;

  // append: adds one or more whole handshake messages. Fails with
  // Errc::internal_error if GnuTLS's hash fails, or Errc::invalid_state when
  // messages were released and no hash is selected.
  [[nodiscard]] Status append(ByteView handshake_messages);

  // select_hash: fixes the hash (the suite's PRF hash) and hashes what was
  // buffered. Fails with Errc::invalid_state when called twice.
  [[nodiscard]] Status select_hash(HashAlgorithm hash);

  // current_hash: the hash of everything appended so far; the running hash
  // continues (gnutls_hash_copy). Fails with Errc::invalid_state before
  // select_hash().
  [[nodiscard]] Result<Bytes> current_hash() const;

  // messages: every message appended so far, until release_messages().
  [[nodiscard]] ByteView messages() const { return messages_; }
  [[nodiscard]] bool messages_released() const { return released_; }

  // release_messages: drops the kept messages (only the hash goes on).
  void release_messages();

  [[nodiscard]] std::optional<HashAlgorithm> hash() const { return hash_; }

 private:
  struct HashDeleter {
    void operator()(gnutls_hash_hd_t handle) const noexcept { gnutls_hash_deinit(handle, nullptr); }
  };
  using HashHandle = std::unique_ptr<std::remove_pointer_t<gnutls_hash_hd_t>, HashDeleter>;

  Bytes messages_;
  bool released_ = false;
  std::optional<HashAlgorithm> hash_;
  HashHandle running_;
};

}  // namespace pgptls::tls
