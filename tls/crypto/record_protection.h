// record_protection.h: AEAD protection of TLS 1.2 records for one direction
// (RFC 5246 §6.2.3.3), AES-GCM per RFC 5288 and ChaCha20-Poly1305 per
// RFC 7905, through gnutls_aead_cipher_*.
#pragma once

#include <gnutls/crypto.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <type_traits>

#include "base/bytes.h"
#include "base/result.h"
#include "base/secret.h"
#include "tls/wire/cipher_suite.h"
#include "tls/wire/content_type.h"

namespace pgptls::tls {

// The largest plaintext and protected fragments (RFC 5246 §6.2.1, §6.2.3).
inline constexpr std::size_t kMaxPlaintextLength = std::size_t{1} << 14;
inline constexpr std::size_t kMaxCiphertextLength = kMaxPlaintextLength + 256;

// RecordProtection: the write or read state of one direction: key, implicit
// IV and the 64-bit sequence number (RFC 5246 §6.1), which starts at 0 and
// goes up by one per record. Sequence numbers never wrap: once the next
// number would be 2^64-1, seal/open fail (RFC 5246 §6.1 requires
// renegotiation or closing before a wrap; pgptls closes).
//
// Nonces: AES-GCM uses salt(4, implicit) ‖ explicit(8), and sends the
// explicit part in each record; pgptls sends the sequence number there
// (RFC 5288 §3 allows it; it never repeats under one key). ChaCha20-Poly1305
// XORs the padded sequence number into the 12-byte IV and sends no explicit
// nonce (RFC 7905 §2). Additional data: seq_num ‖ type ‖ version ‖ length of
// the plaintext (RFC 5246 §6.2.3.3).
//
// Usage (one per direction, made from the key block):
//   PGPTLS_TRY(auto writer, RecordProtection::create(suite, kb.client_write_key,
//                                                     kb.client_write_iv));
//   PGPTLS_CHECK(writer.seal(ContentType::handshake, plaintext, out));   // appends fragment
//   PGPTLS_CHECK(reader.open(ContentType::handshake, fragment, plain));  // replaces `plain`
class RecordProtection {
 public:
  // create: fails with Errc::illegal_parameter when key or IV have the wrong
  // length for the suite, Errc::internal_error when GnuTLS refuses the key.
  // `first_sequence` is 0 in a handshake; tests pass larger values to reach
  // the end of the sequence space.
  [[nodiscard]] static Result<RecordProtection> create(const CipherSuite& suite, ByteView key,
                                                       ByteView iv,
                                                       std::uint64_t first_sequence = 0);

  RecordProtection(RecordProtection&&) noexcept = default;
  RecordProtection& operator=(RecordProtection&&) noexcept = default;
  ~RecordProtection();

  // seal: protects one record's plaintext (at most 2^14 bytes) and appends
  // the fragment (explicit nonce ‖ ciphertext ‖ tag) to `out`; the caller
  // writes the 5-byte record header in front. Fails with
  // Errc::record_overflow on a larger plaintext, Errc::internal_error when
  // the sequence numbers are exhausted or GnuTLS fails.
  [[nodiscard]] Status seal(ContentType type, ByteView plaintext, Bytes& out);

  // open: authenticates and decrypts one record's fragment into `plaintext`
  // (replacing its contents). Fails with Errc::bad_record_mac when the
  // fragment is too short or does not authenticate (RFC 5246 §6.2.3.3),
  // Errc::record_overflow when the plaintext would exceed 2^14 bytes, and
  // Errc::internal_error when the sequence numbers are exhausted.
  [[nodiscard]] Status open(ContentType type, ByteView fragment, Bytes& plaintext);

  // open_in_place: as open(), decrypting inside `fragment` (no copy); returns
  // the plaintext as a view into it. On failure the fragment is wiped.
  [[nodiscard]] Result<ByteView> open_in_place(ContentType type, std::span<std::uint8_t> fragment);

  // sealed_length: the fragment length seal() makes for a plaintext length.
  [[nodiscard]] std::size_t sealed_length(std::size_t plaintext_length) const {
    return suite_->record_iv_length + plaintext_length + suite_->tag_length;
  }

  // sequence: the number the next record will use.
  [[nodiscard]] std::uint64_t sequence() const { return sequence_; }
  // remaining_records: how many more records this direction may protect.
  [[nodiscard]] std::uint64_t remaining_records() const {
    return std::numeric_limits<std::uint64_t>::max() - sequence_;
  }
  [[nodiscard]] const CipherSuite& suite() const { return *suite_; }

 private:
  struct CipherDeleter {
    void operator()(gnutls_aead_cipher_hd_t handle) const noexcept {
      gnutls_aead_cipher_deinit(handle);
    }
  };
  using CipherHandle =
      std::unique_ptr<std::remove_pointer_t<gnutls_aead_cipher_hd_t>, CipherDeleter>;

  RecordProtection(const CipherSuite& suite, CipherHandle cipher, ByteView iv,
                   std::uint64_t first_sequence);

  // next_nonce: the 12-byte nonce of the current sequence number; fails when
  // the sequence space is exhausted.
  [[nodiscard]] Status next_nonce(std::array<std::uint8_t, 12>& nonce) const;

  const CipherSuite* suite_;
  CipherHandle cipher_;
  std::array<std::uint8_t, 12> iv_{};  // implicit IV, left-aligned (4 or 12 bytes)
  std::uint64_t sequence_ = 0;
};

}  // namespace pgptls::tls
