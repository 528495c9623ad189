#include "openpgp/secret_key.h"

#include <gcrypt.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>

#include <algorithm>
#include <array>
#include <string>
#include <utility>

#include "base/errors.h"
#include "base/gnutls_datum.h"
#include "openpgp/armor.h"
#include "openpgp/errors.h"

namespace pgptls::openpgp {
namespace {

constexpr std::uint8_t kUsageUnprotected = 0;
constexpr std::uint8_t kUsageAead = 253;
constexpr std::uint8_t kUsageCfbSha1 = 254;
constexpr std::uint8_t kUsageCfbChecksum = 255;
constexpr std::uint8_t kAeadOcb = 2;  // RFC 9580 §9.6
constexpr std::size_t kOcbNonceSize = 15;
constexpr std::size_t kAeadTagSize = 16;
constexpr std::size_t kSha1Size = 20;
constexpr std::size_t kChecksumSize = 2;
constexpr std::size_t kAesBlockSize = 16;

// Cipher: the symmetric ciphers we unlock keys with (RFC 9580 §9.3).
struct Cipher {
  std::uint8_t id;
  int gcrypt_id;
  std::size_t key_size;
};
constexpr std::array<Cipher, 3> kCiphers{{
    {7, GCRY_CIPHER_AES128, 16},
    {8, GCRY_CIPHER_AES192, 24},
    {9, GCRY_CIPHER_AES256, 32},
}};

const Cipher* find_cipher(std::uint8_t id) {
  for (const Cipher& cipher : kCiphers) {
    if (cipher.id == id) {
      return &cipher;
    }
  }
  return nullptr;
}

Error malformed(const std::string& what) {
  return make_error(Errc::malformed_packet, "secret key packet: " + what);
}

std::string key_name(const SecretKeyPacket& packet) {
  return std::string(packet.subkey ? "secret subkey 0x" : "secret key 0x") +
         packet.public_key.key_id_hex();
}

// GcryptCipher: an open libgcrypt cipher handle, closed (and its key
// schedule wiped by libgcrypt) on every path.
class GcryptCipher {
 public:
  GcryptCipher() = default;
  ~GcryptCipher() {
    if (handle_ != nullptr) {
      gcry_cipher_close(handle_);
    }
  }
  GcryptCipher(const GcryptCipher&) = delete;
  GcryptCipher& operator=(const GcryptCipher&) = delete;
  // open: opens `algorithm` in `mode` with `key` and `iv`; 0 or the first
  // error.
  gcry_error_t open(int algorithm, int mode, ByteView key, ByteView iv) {
    gcry_error_t error = gcry_cipher_open(&handle_, algorithm, mode, 0);
    if (error == 0) {
      error = gcry_cipher_setkey(handle_, key.data(), key.size());
    }
    if (error == 0) {
      error = gcry_cipher_setiv(handle_, iv.data(), iv.size());
    }
    return error;
  }
  [[nodiscard]] gcry_cipher_hd_t get() const { return handle_; }

 private:
  gcry_cipher_hd_t handle_ = nullptr;
};

Error gcrypt_failure(const char* what, gcry_error_t error) {
  return make_error(Errc::invalid_argument,
                    std::string("libgcrypt ") + what + " failed: " + gcry_strerror(error));
}

// Protection parameters ------------------------------------------------------

Status read_protection(base::ByteReader& reader, SecretKeyPacket& packet) {
  const bool v6 = packet.public_key.version == 6;
  PGPTLS_TRY(packet.cipher, reader.u8());
  if (packet.s2k_usage == kUsageAead) {
    PGPTLS_TRY(packet.aead_mode, reader.u8());
  }
  if (v6) {
    // RFC 9580 §5.5.3: v6 keys carry the S2K specifier with a 1-octet length.
    PGPTLS_TRY(auto s2k_reader, reader.prefixed(base::LengthPrefix::u8));
    PGPTLS_TRY(packet.s2k, read_s2k(s2k_reader));
    if (!s2k_reader.empty()) {
      return malformed("S2K specifier shorter than its length octet says");
    }
  } else {
    PGPTLS_TRY(packet.s2k, read_s2k(reader));
  }
  if (packet.s2k.type == S2kType::gnu_extension) {
    // GnuPG stubs carry no IV and no secret (RFC 9580 §3.7.1 leaves 100-110
    // to private use; GnuPG documents 101 in its DETAILS file).
    packet.protection = packet.s2k.gnu_mode == GnuS2kMode::divert_to_card
                            ? SecretKeyProtection::gnu_card
                            : SecretKeyProtection::gnu_dummy;
    return {};
  }
  // RFC 9580 §3.7.2.1: Argon2 only with AEAD; anything else is malformed.
  if (packet.s2k.type == S2kType::argon2 && packet.s2k_usage != kUsageAead) {
    return malformed("Argon2 S2K used without AEAD protection (RFC 9580 section 3.7.2.1)");
  }
  if (find_cipher(packet.cipher) == nullptr) {
    return make_error(Errc::unsupported_algorithm,
                      "secret key cipher " + std::to_string(packet.cipher) +
                          " (only AES-128/192/256 are supported; re-protect the key, e.g. "
                          "gpg --s2k-cipher-algo AES256 --edit-key ... passwd)");
  }
  std::size_t iv_size = kAesBlockSize;
  if (packet.s2k_usage == kUsageAead) {
    if (packet.aead_mode != kAeadOcb) {
      return make_error(
          Errc::unsupported_algorithm,
          "secret key AEAD mode " + std::to_string(packet.aead_mode) + " (only OCB is supported)");
    }
    iv_size = kOcbNonceSize;
  }
  PGPTLS_TRY(const ByteView iv, reader.bytes(iv_size));
  packet.iv = to_bytes(iv);
  return {};
}

Status read_secret_fields(base::ByteReader& reader, SecretKeyPacket& packet) {
  PGPTLS_TRY(packet.s2k_usage, reader.u8());
  const bool v6 = packet.public_key.version == 6;
  switch (packet.s2k_usage) {
    case kUsageUnprotected:
      packet.protection = SecretKeyProtection::unprotected;
      break;
    case kUsageAead:
    case kUsageCfbSha1:
    case kUsageCfbChecksum: {
      if (v6 && packet.s2k_usage == kUsageCfbChecksum) {
        return malformed(
            "S2K usage 255 (MalleableCFB) is not allowed in a v6 key "
            "(RFC 9580 section 3.7.2.1)");
      }
      packet.protection = packet.s2k_usage == kUsageAead      ? SecretKeyProtection::aead
                          : packet.s2k_usage == kUsageCfbSha1 ? SecretKeyProtection::cfb_sha1
                                                              : SecretKeyProtection::cfb_checksum;
      if (v6) {
        // RFC 9580 §5.5.3: a 1-octet count of the protection parameters.
        PGPTLS_TRY(auto params, reader.prefixed(base::LengthPrefix::u8));
        PGPTLS_CHECK(read_protection(params, packet));
        if (!params.empty()) {
          return malformed("protection parameters longer than their fields");
        }
      } else {
        PGPTLS_CHECK(read_protection(reader, packet));
      }
      if (!packet.has_secret()) {
        return {};  // GnuPG stubs end here; anything after is not a secret
      }
      break;
    }
    default:
      // RFC 9580 §3.7.2.1: a bare cipher ID means MD5-based LegacyCFB.
      return make_error(Errc::unsupported_algorithm,
                        "secret key uses S2K usage " + std::to_string(packet.s2k_usage) +
                            " (pre-RFC 2440 LegacyCFB); re-export it with a current gpg");
  }
  const ByteView rest = reader.take_rest();
  packet.secret.assign(rest.begin(), rest.end());
  if (packet.secret.empty()) {
    return malformed("no secret key material");
  }
  return {};
}

// Secret material ------------------------------------------------------------

// read_secret_mpi: an MPI (RFC 9580 §3.2) of decrypted material, copied into
// wiped memory.
Result<base::SecretBytes> read_secret_mpi(base::ByteReader& reader) {
  const auto value = read_mpi_octets(reader);
  if (!value) {
    return malformed("secret material truncated in an MPI");
  }
  return base::SecretBytes(value->begin(), value->end());
}

Result<base::SecretBytes> read_secret_native(base::ByteReader& reader, std::size_t size) {
  auto value = reader.bytes(size);
  if (!value) {
    return malformed("secret material shorter than its " + std::to_string(size) +
                     "-octet native key");
  }
  return base::SecretBytes(value->begin(), value->end());
}

// read_secret_material: the algorithm-specific secret fields (RFC 9580
// §5.5.5), which must fill the cleartext exactly.
Result<std::vector<base::SecretBytes>> read_secret_material(PublicKeyAlgorithm algorithm,
                                                            ByteView cleartext) {
  base::ByteReader reader(cleartext);
  std::vector<base::SecretBytes> fields;
  int mpis = 0;
  std::size_t native = 0;
  switch (algorithm) {
    case PublicKeyAlgorithm::rsa:
    case PublicKeyAlgorithm::rsa_encrypt_only:
    case PublicKeyAlgorithm::rsa_sign_only:
      mpis = 4;  // d, p, q, u
      break;
    case PublicKeyAlgorithm::dsa:
    case PublicKeyAlgorithm::elgamal:
    case PublicKeyAlgorithm::ecdsa:
    case PublicKeyAlgorithm::eddsa_legacy:
    case PublicKeyAlgorithm::ecdh:
      mpis = 1;
      break;
    case PublicKeyAlgorithm::x25519:
    case PublicKeyAlgorithm::ed25519:
      native = 32;
      break;
    case PublicKeyAlgorithm::x448:
      native = 56;
      break;
    case PublicKeyAlgorithm::ed448:
      native = 57;
      break;
  }
  for (int i = 0; i < mpis; ++i) {
    PGPTLS_TRY(auto value, read_secret_mpi(reader));
    fields.push_back(std::move(value));
  }
  if (native != 0) {
    PGPTLS_TRY(auto value, read_secret_native(reader, native));
    fields.push_back(std::move(value));
  }
  // RFC 9580 §5.5.3: cleartext whose length does not align with the fields
  // is unusable.
  if (!reader.empty()) {
    return malformed(std::to_string(reader.remaining()) + " octets after the secret key fields");
  }
  return fields;
}

std::uint16_t checksum16(ByteView data) {
  std::uint32_t sum = 0;
  for (const std::uint8_t octet : data) {
    sum += octet;
  }
  return static_cast<std::uint16_t>(sum & 0xFFFFU);
}

// Decryption ---------------------------------------------------------------

Result<base::SecretBytes> cfb_decrypt(const SecretKeyPacket& packet, const Cipher& cipher,
                                      const base::SecretBytes& key) {
  GcryptCipher handle;
  gcry_error_t error = handle.open(cipher.gcrypt_id, GCRY_CIPHER_MODE_CFB, key, packet.iv);
  base::SecretBytes cleartext(packet.secret.size());
  if (error == 0) {
    error = gcry_cipher_decrypt(handle.get(), cleartext.data(), cleartext.size(),
                                packet.secret.data(), packet.secret.size());
  }
  if (error != 0) {
    return gcrypt_failure("CFB decryption", error);
  }
  return cleartext;
}

Error wrong_passphrase(const SecretKeyPacket& packet) {
  return make_error(Errc::bad_passphrase,
                    key_name(packet) +
                        ": the passphrase does not unlock it (or the key is damaged); "
                        "check the passphrase source");
}

// strip_check: splits off the trailing check value of CFB-protected or
// unprotected v4 material and compares it in constant time.
Result<base::SecretBytes> strip_check(const SecretKeyPacket& packet, base::SecretBytes cleartext,
                                      bool sha1, bool wrong_means_passphrase) {
  const std::size_t check_size = sha1 ? kSha1Size : kChecksumSize;
  if (cleartext.size() <= check_size) {
    return malformed("secret material shorter than its check value");
  }
  const std::size_t body_size = cleartext.size() - check_size;
  const ByteView body(cleartext.data(), body_size);
  const ByteView stored(cleartext.data() + body_size, check_size);
  base::SecretBytes computed(check_size);
  if (sha1) {
    gcry_md_hash_buffer(GCRY_MD_SHA1, computed.data(), body.data(), body.size());
  } else {
    const std::uint16_t sum = checksum16(body);
    computed[0] = static_cast<std::uint8_t>(sum >> 8U);
    computed[1] = static_cast<std::uint8_t>(sum & 0xFFU);
  }
  if (!base::constant_time_equal(ByteView(computed.data(), computed.size()), stored)) {
    if (wrong_means_passphrase) {
      return wrong_passphrase(packet);
    }
    return malformed(key_name(packet) +
                     ": checksum of the cleartext secret does not match; "
                     "the key file is damaged, export it again");
  }
  cleartext.resize(body_size);
  return cleartext;
}

Result<base::SecretBytes> aead_decrypt(const SecretKeyPacket& packet, const Cipher& cipher,
                                       const base::SecretBytes& kek) {
  if (packet.secret.size() <= kAeadTagSize) {
    return malformed("AEAD-protected material shorter than its tag");
  }
  const std::size_t body_size = packet.secret.size() - kAeadTagSize;
  const Bytes associated = aead_associated_data(packet);
  GcryptCipher handle;
  gcry_error_t error = handle.open(cipher.gcrypt_id, GCRY_CIPHER_MODE_OCB, kek, packet.iv);
  if (error == 0) {
    error = gcry_cipher_authenticate(handle.get(), associated.data(), associated.size());
  }
  if (error == 0) {
    error = gcry_cipher_final(handle.get());  // the next decrypt is the last
  }
  base::SecretBytes cleartext(body_size);
  if (error == 0) {
    error = gcry_cipher_decrypt(handle.get(), cleartext.data(), cleartext.size(),
                                packet.secret.data(), body_size);
  }
  if (error != 0) {
    return gcrypt_failure("OCB decryption", error);
  }
  // libgcrypt compares the tag in constant time.
  if (gcry_cipher_checktag(handle.get(), packet.secret.data() + body_size, kAeadTagSize) != 0) {
    return wrong_passphrase(packet);
  }
  return cleartext;
}

Result<base::SecretBytes> decrypt(const SecretKeyPacket& packet, ByteView passphrase,
                                  const S2kLimits& limits) {
  const bool v4 = packet.public_key.version != 6;
  switch (packet.protection) {
    case SecretKeyProtection::unprotected: {
      // RFC 9580 §5.5.3: v4 cleartext carries a 2-octet checksum; v6 none.
      if (!v4) {
        return packet.secret;
      }
      return strip_check(packet, packet.secret, false, false);
    }
    case SecretKeyProtection::gnu_dummy:
      return make_error(Errc::not_found,
                        key_name(packet) +
                            " is a GnuPG stub without its secret (gnu-dummy S2K 101): export "
                            "the key from the keyring that holds its secret, with gpg "
                            "--export-secret-keys");
    case SecretKeyProtection::gnu_card:
      return make_error(Errc::key_on_card,
                        key_name(packet) +
                            " lives on an OpenPGP smartcard (GnuPG divert-to-card stub, S2K "
                            "101); pgptls needs the secret in a file");
    case SecretKeyProtection::cfb_sha1:
    case SecretKeyProtection::cfb_checksum:
    case SecretKeyProtection::aead:
      break;
  }
  const Cipher* cipher = find_cipher(packet.cipher);
  if (cipher == nullptr) {
    return make_error(Errc::unsupported_algorithm, "secret key cipher");
  }
  PGPTLS_TRY(const base::SecretBytes key,
             derive_s2k_key(packet.s2k, passphrase, cipher->key_size, limits));
  if (packet.protection == SecretKeyProtection::aead) {
    PGPTLS_TRY(const base::SecretBytes kek,
               aead_key_encryption_key(packet, ByteView(key.data(), key.size())));
    return aead_decrypt(packet, *cipher, kek);
  }
  PGPTLS_TRY(base::SecretBytes cleartext, cfb_decrypt(packet, *cipher, key));
  return strip_check(packet, std::move(cleartext),
                     packet.protection == SecretKeyProtection::cfb_sha1, true);
}

// GnuTLS import --------------------------------------------------------------

// left_pad: a big-endian value widened to `size` octets (MPIs drop leading
// zero octets; EC scalars and EdDSA seeds are fixed-width).
Result<base::SecretBytes> left_pad(const base::SecretBytes& value, std::size_t size) {
  if (value.size() > size) {
    return malformed("secret scalar wider than its curve");
  }
  base::SecretBytes padded(size - value.size(), 0);
  padded.insert(padded.end(), value.begin(), value.end());
  return padded;
}

Error unsupported_for_signing(const PublicKey& key) {
  return make_error(Errc::unsupported_algorithm,
                    algorithm_name(static_cast<std::uint8_t>(key.algorithm)) + " key 0x" +
                        key.key_id_hex() +
                        " cannot sign, so it cannot authenticate TLS; use a signing key "
                        "(RSA, ECDSA, Ed25519)");
}

template <class Buffer>
bool is_zero(const Buffer& value) {
  return std::all_of(value.begin(), value.end(), [](std::uint8_t octet) { return octet == 0; });
}

Result<base::PrivateKeyHandle> import_private_key(const PublicKey& key,
                                                  const std::vector<base::SecretBytes>& secret) {
  // No public or secret value of a signing algorithm is ever zero. Refusing
  // zeros here also keeps degenerate input away from GnuTLS's raw importers,
  // whose error paths leak on such values (found by fuzzing).
  if (std::any_of(key.fields.begin(), key.fields.end(), is_zero<Bytes>) ||
      std::any_of(secret.begin(), secret.end(), is_zero<base::SecretBytes>)) {
    return malformed("key 0x" + key.key_id_hex() + " has a zero-valued key field");
  }
  gnutls_privkey_t raw = nullptr;
  if (gnutls_privkey_init(&raw) < 0) {
    return make_error(Errc::invalid_argument, "gnutls_privkey_init failed");
  }
  base::PrivateKeyHandle handle(raw);
  int rc = GNUTLS_E_INVALID_REQUEST;
  switch (key.algorithm) {
    case PublicKeyAlgorithm::rsa:
    case PublicKeyAlgorithm::rsa_sign_only: {
      // RFC 9580 §5.5.5.1 stores u = p^-1 mod q; GnuTLS (PKCS #1) wants the
      // coefficient q^-1 mod p. Swapping p and q makes OpenPGP's u exactly
      // GnuTLS's coefficient.
      const gnutls_datum_t n = base::datum_of(key.fields[0]);
      const gnutls_datum_t e = base::datum_of(key.fields[1]);
      const gnutls_datum_t d = base::datum_of(secret[0]);
      const gnutls_datum_t p = base::datum_of(secret[2]);
      const gnutls_datum_t q = base::datum_of(secret[1]);
      const gnutls_datum_t u = base::datum_of(secret[3]);
      rc = gnutls_privkey_import_rsa_raw(raw, &n, &e, &d, &p, &q, &u, nullptr, nullptr);
      break;
    }
    case PublicKeyAlgorithm::dsa: {
      const gnutls_datum_t p = base::datum_of(key.fields[0]);
      const gnutls_datum_t q = base::datum_of(key.fields[1]);
      const gnutls_datum_t g = base::datum_of(key.fields[2]);
      const gnutls_datum_t y = base::datum_of(key.fields[3]);
      const gnutls_datum_t x = base::datum_of(secret[0]);
      rc = gnutls_privkey_import_dsa_raw(raw, &p, &q, &g, &y, &x);
      break;
    }
    case PublicKeyAlgorithm::ecdsa: {
      PGPTLS_TRY(const EcdsaPoint point, ecdsa_point(key));
      PGPTLS_TRY(const base::SecretBytes k, left_pad(secret[0], point.width));
      const gnutls_datum_t x = base::datum_of(point.x);
      const gnutls_datum_t y = base::datum_of(point.y);
      const gnutls_datum_t kd = base::datum_of(k);
      rc = gnutls_privkey_import_ecc_raw(raw, point.curve, &x, &y, &kd);
      break;
    }
    case PublicKeyAlgorithm::eddsa_legacy:
    case PublicKeyAlgorithm::ed25519:
    case PublicKeyAlgorithm::ed448: {
      const bool ed448 = key.algorithm == PublicKeyAlgorithm::ed448;
      const std::size_t width = ed448 ? 57 : 32;
      const Bytes& point = key.fields[0];
      ByteView native(point);
      if (key.algorithm == PublicKeyAlgorithm::eddsa_legacy) {
        // RFC 9580 §11.2.2: prefixed native point 0x40 || x.
        if (key.curve != Curve::ed25519_legacy || point.size() != 33 || point[0] != 0x40) {
          return malformed("legacy EdDSA public point is not 0x40 followed by 32 octets");
        }
        native = native.subspan(1);
      }
      // RFC 9580 §5.5.5.5: the legacy secret is the native seed as an MPI,
      // which drops leading zero octets.
      PGPTLS_TRY(const base::SecretBytes k, left_pad(secret[0], width));
      const gnutls_datum_t x = base::datum_of(native);
      const gnutls_datum_t kd = base::datum_of(k);
      rc = gnutls_privkey_import_ecc_raw(
          raw, ed448 ? GNUTLS_ECC_CURVE_ED448 : GNUTLS_ECC_CURVE_ED25519, &x, nullptr, &kd);
      break;
    }
    case PublicKeyAlgorithm::rsa_encrypt_only:
    case PublicKeyAlgorithm::elgamal:
    case PublicKeyAlgorithm::ecdh:
    case PublicKeyAlgorithm::x25519:
    case PublicKeyAlgorithm::x448:
      return unsupported_for_signing(key);
  }
  if (rc < 0) {
    return make_error(Errc::malformed_packet,
                      "secret key 0x" + key.key_id_hex() +
                          ": GnuTLS refused the key material: " + gnutls_strerror(rc));
  }
  // The secret must belong to the public key it came with; a damaged or
  // tampered unprotected key would otherwise sign with a stranger's key.
  rc = gnutls_privkey_verify_params(raw);
  if (rc < 0) {
    return make_error(Errc::malformed_packet,
                      "secret key 0x" + key.key_id_hex() +
                          ": secret and public key material do not match: " + gnutls_strerror(rc));
  }
  return handle;
}

}  // namespace

Result<SecretKeyPacket> parse_secret_key_packet(std::uint8_t tag, ByteView body) {
  if (tag != static_cast<std::uint8_t>(PacketTag::secret_key) &&
      tag != static_cast<std::uint8_t>(PacketTag::secret_subkey)) {
    return make_error(Errc::invalid_argument,
                      "packet type " + std::to_string(tag) + " is not a secret key packet");
  }
  SecretKeyPacket packet;
  packet.subkey = tag == static_cast<std::uint8_t>(PacketTag::secret_subkey);
  base::ByteReader reader(body);
  PGPTLS_TRY(packet.public_key, read_public_key(reader));
  auto fields = read_secret_fields(reader, packet);
  if (!fields.ok()) {
    if (fields.error().code == base::Errc::truncated) {
      return malformed("truncated protection parameters of key 0x" +
                       packet.public_key.key_id_hex());
    }
    return std::move(fields).error();
  }
  return packet;
}

Result<std::vector<SecretKeyPacket>> load_secret_keys(ByteView armored_or_binary,
                                                      std::size_t max_packet_size) {
  PGPTLS_TRY(const auto blocks, decode_armor_or_binary(armored_or_binary));
  std::vector<SecretKeyPacket> keys;
  for (const ArmorBlock& block : blocks) {
    PGPTLS_TRY(const auto packets, split_packets(block.data, max_packet_size));
    for (const RawPacket& raw : packets) {
      if (raw.tag != static_cast<std::uint8_t>(PacketTag::secret_key) &&
          raw.tag != static_cast<std::uint8_t>(PacketTag::secret_subkey)) {
        continue;
      }
      auto packet = parse_secret_key_packet(raw.tag, raw.body);
      if (!packet.ok()) {
        return packet.error().wrap("secret key packet at offset " + std::to_string(raw.offset));
      }
      packet->offset = raw.offset;
      keys.push_back(std::move(packet).value());
    }
  }
  if (keys.empty()) {
    return make_error(Errc::not_found,
                      "the input holds no secret key packet; export the key with gpg "
                      "--export-secret-keys or sq key export, not the public certificate");
  }
  return keys;
}

const SecretKeyPacket* find_secret_key(std::span<const SecretKeyPacket> keys, ByteView id) {
  for (const SecretKeyPacket& key : keys) {
    const Bytes& wanted = id.size() == key.public_key.key_id.size() ? key.public_key.key_id
                                                                    : key.public_key.fingerprint;
    if (std::equal(id.begin(), id.end(), wanted.begin(), wanted.end())) {
      return &key;
    }
  }
  return nullptr;
}

Result<base::SecretBytes> aead_key_encryption_key(const SecretKeyPacket& packet, ByteView s2k_key) {
  const Cipher* cipher = find_cipher(packet.cipher);
  if (cipher == nullptr) {
    return make_error(Errc::unsupported_algorithm, "secret key cipher");
  }
  // RFC 5869 §2.2: no salt means HashLen zero octets.
  const std::array<std::uint8_t, 32> salt{};
  const std::array<std::uint8_t, 4> info{static_cast<std::uint8_t>(0xC0U | packet.packet_tag()),
                                         packet.public_key.version, packet.cipher,
                                         packet.aead_mode};
  base::SecretBytes prk(32);
  const gnutls_datum_t ikm = base::datum_of(s2k_key);
  const gnutls_datum_t salt_datum = base::datum_of(salt);
  int rc = gnutls_hkdf_extract(GNUTLS_MAC_SHA256, &ikm, &salt_datum, prk.data());
  base::SecretBytes kek(cipher->key_size);
  if (rc >= 0) {
    const gnutls_datum_t prk_datum = base::datum_of(prk);
    const gnutls_datum_t info_datum = base::datum_of(info);
    rc = gnutls_hkdf_expand(GNUTLS_MAC_SHA256, &prk_datum, &info_datum, kek.data(), kek.size());
  }
  if (rc < 0) {
    return make_error(
        Errc::invalid_argument,
        std::string("HKDF for the key encryption key failed: ") + gnutls_strerror(rc));
  }
  return kek;
}

Bytes aead_associated_data(const SecretKeyPacket& packet) {
  Bytes data;
  data.reserve(1 + packet.public_key.body.size());
  data.push_back(static_cast<std::uint8_t>(0xC0U | packet.packet_tag()));
  data.insert(data.end(), packet.public_key.body.begin(), packet.public_key.body.end());
  return data;
}

Result<base::PrivateKeyHandle> unlock_secret_key(const SecretKeyPacket& packet, ByteView passphrase,
                                                 const S2kLimits& limits) {
  ensure_libgcrypt();
  PGPTLS_TRY(const base::SecretBytes cleartext, decrypt(packet, passphrase, limits));
  PGPTLS_TRY(const auto fields, read_secret_material(packet.public_key.algorithm,
                                                     ByteView(cleartext.data(), cleartext.size())));
  return import_private_key(packet.public_key, fields);
}

}  // namespace pgptls::openpgp
