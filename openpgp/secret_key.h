// secret_key.h: OpenPGP secret-key and secret-subkey packets (RFC 9580
// §5.5.3, v4 and v6), unlocking them with a passphrase, and turning the
// secret into a GnuTLS signing key.
//
// Usage:
//   PGPTLS_TRY(auto keys, openpgp::load_secret_keys(file_bytes));
//   const SecretKeyPacket* packet = openpgp::find_secret_key(keys, key_id);
//   PGPTLS_TRY(base::PrivateKeyHandle key,
//              openpgp::unlock_secret_key(*packet, passphrase));
//
// Protection schemes read: S2K usage 0 (cleartext + 2-octet checksum for
// v4), 254 (CFB + SHA-1 check), 255 (CFB + 2-octet checksum, v4 only) with
// AES-128/192/256, and 253 (AEAD, OCB mode) as RFC 9580 defines for v6 keys.
// GnuPG stubs (S2K 101: gnu-dummy, divert-to-card) parse, and unlocking them
// says where the secret is. Decrypted material only ever lives in
// base::SecretBytes; GnuTLS wipes its own copy when the key is freed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "base/bytes.h"
#include "base/gnutls_handles.h"
#include "base/result.h"
#include "base/secret.h"
#include "openpgp/key_material.h"
#include "openpgp/packet.h"
#include "openpgp/s2k.h"

namespace pgptls::openpgp {

// SecretKeyProtection: how the secret fields of a packet are stored.
enum class SecretKeyProtection : std::uint8_t {
  unprotected,   // S2K usage 0
  cfb_sha1,      // S2K usage 254
  cfb_checksum,  // S2K usage 255 (MalleableCFB, v4 only)
  aead,          // S2K usage 253
  gnu_dummy,     // GnuPG S2K 101 mode 1: the secret was not exported
  gnu_card,      // GnuPG S2K 101 mode 2: the secret is on a smartcard
};

// SecretKeyPacket: one parsed secret key or secret subkey packet.
struct SecretKeyPacket {
  bool subkey = false;  // packet type 7 rather than 5
  PublicKey public_key;
  std::uint8_t s2k_usage = 0;
  SecretKeyProtection protection = SecretKeyProtection::unprotected;
  std::uint8_t cipher = 0;     // RFC 9580 §9.3 ID (protected keys)
  std::uint8_t aead_mode = 0;  // RFC 9580 §9.6 ID (usage 253)
  S2kSpecifier s2k;
  Bytes iv;                  // CFB IV, or the AEAD nonce
  base::SecretBytes secret;  // cleartext fields or ciphertext, as stored
  std::size_t offset = 0;    // packet header offset in its input

  // packet_tag: 5 or 7.
  [[nodiscard]] std::uint8_t packet_tag() const { return subkey ? 7 : 5; }
  // has_secret: false for GnuPG stubs, whose secret is elsewhere.
  [[nodiscard]] bool has_secret() const {
    return protection != SecretKeyProtection::gnu_dummy &&
           protection != SecretKeyProtection::gnu_card;
  }
};

// parse_secret_key_packet: parses the body of a tag 5 or tag 7 packet.
// Nothing is decrypted. Errors: those of read_public_key, and
// Errc::malformed_packet (truncated fields, Argon2 outside AEAD, usage 255
// on a v6 key), Errc::unsupported_algorithm (legacy cipher-ID usage octets,
// ciphers other than AES, AEAD modes other than OCB).
[[nodiscard]] Result<SecretKeyPacket> parse_secret_key_packet(std::uint8_t tag, ByteView body);

// load_secret_keys: every secret key and subkey packet of armored or binary
// input (what `gpg --export-secret-keys` and `sq key export` write); other
// packets are skipped. Errors: armor or framing errors, a packet that does
// not parse (naming its offset), or Errc::not_found when the input holds no
// secret key at all.
[[nodiscard]] Result<std::vector<SecretKeyPacket>> load_secret_keys(
    ByteView armored_or_binary, std::size_t max_packet_size = kDefaultMaxPacketSize);

// find_secret_key: the packet whose key ID (8 octets) or fingerprint (20 or
// 32 octets) is `id`, or nullptr.
[[nodiscard]] const SecretKeyPacket* find_secret_key(std::span<const SecretKeyPacket> keys,
                                                     ByteView id);

// unlock_secret_key: decrypts (if protected) and checks the secret fields,
// and imports them with the public fields into a GnuTLS private key, which
// GnuTLS also checks for consistency. The passphrase is ignored for
// unprotected keys. Errors: Errc::bad_passphrase (wrong passphrase: the
// SHA-1 check, checksum or AEAD tag fails), Errc::key_on_card /
// Errc::not_found (GnuPG stubs), Errc::rejected_by_policy (S2K work above
// the limits), Errc::malformed_packet (damaged cleartext),
// Errc::unsupported_algorithm (encryption-only keys, curves GnuTLS lacks).
[[nodiscard]] Result<base::PrivateKeyHandle> unlock_secret_key(const SecretKeyPacket& packet,
                                                               ByteView passphrase,
                                                               const S2kLimits& limits = {});

// aead_key_encryption_key: RFC 9580 §5.5.3: HKDF-SHA256 of the S2K output,
// no salt, info = packet type octet, version, cipher, AEAD mode.
[[nodiscard]] Result<base::SecretBytes> aead_key_encryption_key(const SecretKeyPacket& packet,
                                                                ByteView s2k_key);

// aead_associated_data: RFC 9580 §5.5.3: the packet type octet in OpenPGP
// format, then the public key packet body.
[[nodiscard]] Bytes aead_associated_data(const SecretKeyPacket& packet);

}  // namespace pgptls::openpgp
