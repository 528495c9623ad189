#include "tls/crypto/record_protection.h"

#include <algorithm>
#include <limits>
#include <string>

#include "tls/wire/errors.h"

namespace pgptls::tls {
namespace {

constexpr std::size_t kNonceLength = 12;
constexpr std::size_t kAdditionalDataLength = 13;

gnutls_cipher_algorithm_t gnutls_cipher_for(AeadAlgorithm aead) {
  switch (aead) {
    case AeadAlgorithm::aes_128_gcm:
      return GNUTLS_CIPHER_AES_128_GCM;
    case AeadAlgorithm::aes_256_gcm:
      return GNUTLS_CIPHER_AES_256_GCM;
    case AeadAlgorithm::chacha20_poly1305:
      return GNUTLS_CIPHER_CHACHA20_POLY1305;
  }
  return GNUTLS_CIPHER_UNKNOWN;
}

void put_u64(std::uint8_t* out, std::uint64_t value) {
  for (int i = 0; i < 8; ++i) {
    out[i] = static_cast<std::uint8_t>(value >> (56 - 8 * i));
  }
}

// RFC 5246 §6.2.3.3: additional_data = seq_num + TLSCompressed.type +
// TLSCompressed.version + TLSCompressed.length (of the plaintext).
std::array<std::uint8_t, kAdditionalDataLength> additional_data(std::uint64_t sequence,
                                                                ContentType type,
                                                                std::size_t length) {
  std::array<std::uint8_t, kAdditionalDataLength> ad{};
  put_u64(ad.data(), sequence);
  ad[8] = static_cast<std::uint8_t>(type);
  ad[9] = static_cast<std::uint8_t>(kTls12 >> 8);
  ad[10] = static_cast<std::uint8_t>(kTls12 & 0xFF);
  ad[11] = static_cast<std::uint8_t>(length >> 8);
  ad[12] = static_cast<std::uint8_t>(length & 0xFF);
  return ad;
}

}  // namespace

Result<RecordProtection> RecordProtection::create(const CipherSuite& suite, ByteView key,
                                                  ByteView iv, std::uint64_t first_sequence) {
  if (key.size() != suite.key_length || iv.size() != suite.fixed_iv_length) {
    return make_error(Errc::illegal_parameter,
                      std::string("record key or IV length wrong for ") + std::string(suite.name));
  }
  // gnutls_aead_cipher_init copies the key; the datum only borrows it.
  const gnutls_datum_t key_datum{const_cast<std::uint8_t*>(key.data()),
                                 static_cast<unsigned>(key.size())};
  gnutls_aead_cipher_hd_t raw = nullptr;
  if (gnutls_aead_cipher_init(&raw, gnutls_cipher_for(suite.aead), &key_datum) != 0) {
    return make_error(Errc::internal_error,
                      std::string("GnuTLS refused the record key of ") + std::string(suite.name));
  }
  return RecordProtection(suite, CipherHandle(raw), iv, first_sequence);
}

RecordProtection::RecordProtection(const CipherSuite& suite, CipherHandle cipher, ByteView iv,
                                   std::uint64_t first_sequence)
    : suite_(&suite), cipher_(std::move(cipher)), sequence_(first_sequence) {
  std::copy(iv.begin(), iv.end(), iv_.begin());
}

RecordProtection::~RecordProtection() {
  base::secure_wipe(iv_);
}

Status RecordProtection::next_nonce(std::array<std::uint8_t, 12>& nonce) const {
  // RFC 5246 §6.1: a sequence number must not wrap. The last number that may
  // be used is 2^64 - 2, so that "exhausted" is a state we can still name.
  if (sequence_ == std::numeric_limits<std::uint64_t>::max()) {
    return make_error(Errc::internal_error,
                      "TLS record sequence numbers exhausted; close the connection and reconnect");
  }
  if (suite_->aead == AeadAlgorithm::chacha20_poly1305) {
    // RFC 7905 §2: the 64-bit sequence number, padded on the left to 96 bits,
    // XORed with client_write_IV / server_write_IV.
    nonce = iv_;
    for (int i = 0; i < 8; ++i) {
      nonce[static_cast<std::size_t>(4 + i)] ^=
          static_cast<std::uint8_t>(sequence_ >> (56 - 8 * i));
    }
  } else {
    // RFC 5288 §3: salt (the 4-byte implicit IV) ‖ nonce_explicit; pgptls's
    // nonce_explicit is the sequence number.
    std::copy_n(iv_.begin(), 4, nonce.begin());
    put_u64(nonce.data() + 4, sequence_);
  }
  return {};
}

Status RecordProtection::seal(ContentType type, ByteView plaintext, Bytes& out) {
  if (plaintext.size() > kMaxPlaintextLength) {
    return make_error(Errc::record_overflow, "record plaintext over 2^14 bytes");
  }
  std::array<std::uint8_t, kNonceLength> nonce{};
  PGPTLS_CHECK(next_nonce(nonce));
  auto ad = additional_data(sequence_, type, plaintext.size());

  // Layout: explicit nonce (GCM only) ‖ ciphertext ‖ tag. The plaintext is
  // copied into place and encrypted there (gnutls_aead_cipher_encryptv2), so
  // each byte is written once.
  const std::size_t start = out.size();
  out.reserve(start + sealed_length(plaintext.size()));
  out.insert(out.end(), nonce.begin() + 4,
             nonce.begin() + 4 + static_cast<std::ptrdiff_t>(suite_->record_iv_length));
  const std::size_t body = out.size();
  out.insert(out.end(), plaintext.begin(), plaintext.end());
  out.resize(out.size() + suite_->tag_length);
  const giovec_t ad_iov{ad.data(), ad.size()};
  const giovec_t data_iov{out.data() + body, plaintext.size()};
  std::size_t tag_length = suite_->tag_length;
  if (gnutls_aead_cipher_encryptv2(cipher_.get(), nonce.data(), nonce.size(), &ad_iov, 1, &data_iov,
                                   1, out.data() + body + plaintext.size(), &tag_length) != 0 ||
      tag_length != suite_->tag_length) {
    base::secure_wipe(std::span<std::uint8_t>(out).subspan(start));
    out.resize(start);
    return make_error(Errc::internal_error, "record encryption failed in GnuTLS");
  }
  ++sequence_;
  return {};
}

Result<ByteView> RecordProtection::open_in_place(ContentType type,
                                                 std::span<std::uint8_t> fragment) {
  const std::size_t overhead = suite_->record_iv_length + suite_->tag_length;
  if (fragment.size() < overhead) {
    return make_error(Errc::bad_record_mac,
                      "protected record shorter than its nonce and authentication tag");
  }
  const std::size_t length = fragment.size() - overhead;
  if (length > kMaxPlaintextLength) {
    return make_error(Errc::record_overflow, "protected record holds more than 2^14 bytes");
  }
  std::array<std::uint8_t, kNonceLength> nonce{};
  PGPTLS_CHECK(next_nonce(nonce));
  if (suite_->record_iv_length != 0) {
    // RFC 5288 §3: the receiver takes nonce_explicit from the record.
    std::copy_n(fragment.begin(), suite_->record_iv_length, nonce.begin() + 4);
  }
  auto ad = additional_data(sequence_, type, length);
  const std::span<std::uint8_t> data = fragment.subspan(suite_->record_iv_length, length);
  const giovec_t ad_iov{ad.data(), ad.size()};
  const giovec_t data_iov{data.data(), data.size()};
  if (gnutls_aead_cipher_decryptv2(cipher_.get(), nonce.data(), nonce.size(), &ad_iov, 1, &data_iov,
                                   1, data.data() + length, suite_->tag_length) != 0) {
    // Never leave unauthenticated plaintext behind.
    base::secure_wipe(data);
    return make_error(
        Errc::bad_record_mac,
        "record failed authentication (corrupted or forged data, or mismatched keys)");
  }
  ++sequence_;
  return ByteView(data);
}

Status RecordProtection::open(ContentType type, ByteView fragment, Bytes& plaintext) {
  Bytes work(fragment.begin(), fragment.end());
  auto opened = open_in_place(type, work);
  if (!opened.ok()) {
    plaintext.clear();
    return std::move(opened).error();
  }
  plaintext.assign(opened->begin(), opened->end());
  return {};
}

}  // namespace pgptls::tls
