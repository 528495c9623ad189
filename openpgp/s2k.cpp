#include "openpgp/s2k.h"

#include <gcrypt.h>
#include <pthread.h>

#include <algorithm>
#include <array>
#include <mutex>
#include <string>
#include <vector>

#include "openpgp/errors.h"

namespace pgptls::openpgp {
namespace {

constexpr std::size_t kSaltSize = 8;         // RFC 9580 §3.7.1.2
constexpr std::size_t kArgon2SaltSize = 16;  // RFC 9580 §3.7.1.4
constexpr std::uint32_t kExpBias = 6;        // RFC 9580 §3.7.1.3 EXPBIAS
constexpr std::uint8_t kArgon2MaxEncodedMemory = 31;
constexpr std::size_t kMaxCardSerialSize = 16;  // GnuPG stores at most 16 octets
constexpr std::array<std::uint8_t, 3> kGnuMagic{'G', 'N', 'U'};

Error malformed(const std::string& what) {
  return make_error(Errc::malformed_packet, "S2K specifier: " + what);
}

// ceil_log2: the smallest e with 2^e >= value (value >= 1).
std::uint8_t ceil_log2(std::uint8_t value) {
  std::uint8_t exponent = 0;
  while ((1U << exponent) < value) {
    ++exponent;
  }
  return exponent;
}

Status read_hash(base::ByteReader& reader, S2kSpecifier& s2k) {
  PGPTLS_TRY(s2k.hash_algorithm, reader.u8());
  if (gcrypt_hash_algorithm(s2k.hash_algorithm) == 0) {
    return make_error(Errc::unsupported_algorithm,
                      "S2K hash algorithm " + std::to_string(s2k.hash_algorithm) +
                          " is not supported; re-export the key with SHA-256 or SHA-1");
  }
  return {};
}

Status read_salt(base::ByteReader& reader, S2kSpecifier& s2k, std::size_t size) {
  PGPTLS_TRY(const ByteView salt, reader.bytes(size));
  s2k.salt = to_bytes(salt);
  return {};
}

Status read_argon2(base::ByteReader& reader, S2kSpecifier& s2k) {
  PGPTLS_CHECK(read_salt(reader, s2k, kArgon2SaltSize));
  PGPTLS_TRY(s2k.argon2_passes, reader.u8());
  PGPTLS_TRY(s2k.argon2_parallelism, reader.u8());
  PGPTLS_TRY(s2k.argon2_encoded_memory, reader.u8());
  // RFC 9580 §3.7.1.4: t and p MUST be non-zero, and encoded_m lies in
  // 3+ceil(log2(p)) .. 31 so that 8*p <= m <= 2^31 KiB.
  if (s2k.argon2_passes == 0 || s2k.argon2_parallelism == 0) {
    return malformed("Argon2 passes and parallelism must be non-zero (RFC 9580 section 3.7.1.4)");
  }
  const auto min_memory = static_cast<std::uint8_t>(3 + ceil_log2(s2k.argon2_parallelism));
  if (s2k.argon2_encoded_memory < min_memory ||
      s2k.argon2_encoded_memory > kArgon2MaxEncodedMemory) {
    return malformed("Argon2 memory exponent " + std::to_string(s2k.argon2_encoded_memory) +
                     " outside " + std::to_string(min_memory) + ".." +
                     std::to_string(kArgon2MaxEncodedMemory));
  }
  return {};
}

Status read_gnu_extension(base::ByteReader& reader, S2kSpecifier& s2k) {
  // GnuPG's private S2K type 101: a hash octet (unused), the magic "GNU",
  // then a mode octet (1 = no secret present, 2 = divert to card followed
  // by a one-octet length and the card serial number).
  PGPTLS_TRY(s2k.hash_algorithm, reader.u8());
  PGPTLS_TRY(const ByteView magic, reader.bytes(kGnuMagic.size()));
  if (!std::equal(magic.begin(), magic.end(), kGnuMagic.begin())) {
    return make_error(Errc::unsupported_algorithm,
                      "S2K type 101 without the GnuPG \"GNU\" marker is not supported");
  }
  PGPTLS_TRY(const std::uint8_t mode, reader.u8());
  switch (mode) {
    case static_cast<std::uint8_t>(GnuS2kMode::dummy):
      s2k.gnu_mode = GnuS2kMode::dummy;
      return {};
    case static_cast<std::uint8_t>(GnuS2kMode::divert_to_card): {
      s2k.gnu_mode = GnuS2kMode::divert_to_card;
      PGPTLS_TRY(const ByteView serial,
                 reader.prefixed_bytes(base::LengthPrefix::u8, 0, kMaxCardSerialSize));
      s2k.card_serial = to_bytes(serial);
      return {};
    }
    default:
      return make_error(
          Errc::unsupported_algorithm,
          "GnuPG S2K extension mode " + std::to_string(1000 + mode) + " is not supported");
  }
}

Error gcrypt_failure(const char* what, gcry_error_t error) {
  return make_error(Errc::invalid_argument,
                    std::string("libgcrypt ") + what + " failed: " + gcry_strerror(error));
}

// LaneThreads: runs the Argon2 lanes of one segment in parallel (libgcrypt
// hands out one job per lane and then waits for all of them). A lane whose
// thread cannot be started runs on the calling thread instead.
class LaneThreads {
 public:
  static int dispatch(void* context, gcry_kdf_job_fn_t job, void* job_data) {
    auto* self = static_cast<LaneThreads*>(context);
    auto* start = new Start{job, job_data};
    pthread_t thread{};
    if (pthread_create(&thread, nullptr, &LaneThreads::run, start) != 0) {
      delete start;
      job(job_data);
      return 0;
    }
    self->threads_.push_back(thread);
    return 0;
  }

  static int wait_all(void* context) {
    auto* self = static_cast<LaneThreads*>(context);
    for (const pthread_t thread : self->threads_) {
      pthread_join(thread, nullptr);
    }
    self->threads_.clear();
    return 0;
  }

  LaneThreads() = default;
  LaneThreads(const LaneThreads&) = delete;
  LaneThreads& operator=(const LaneThreads&) = delete;
  ~LaneThreads() { wait_all(this); }

 private:
  struct Start {
    gcry_kdf_job_fn_t job;
    void* job_data;
  };

  static void* run(void* argument) {
    const Start start = *static_cast<Start*>(argument);
    delete static_cast<Start*>(argument);
    start.job(start.job_data);
    return nullptr;
  }

  std::vector<pthread_t> threads_;
};

Result<base::SecretBytes> derive_argon2(const S2kSpecifier& s2k, ByteView passphrase,
                                        std::size_t key_size) {
  // RFC 9580 §3.7.1.4: Argon2id, version 0x13, tag length = key size.
  // libgcrypt's parameters are {tag length, passes, memory KiB, lanes}.
  const std::array<unsigned long, 4> params{static_cast<unsigned long>(key_size), s2k.argon2_passes,
                                            static_cast<unsigned long>(s2k.argon2_memory_kib()),
                                            s2k.argon2_parallelism};
  gcry_kdf_hd_t handle = nullptr;
  gcry_error_t error = gcry_kdf_open(&handle, GCRY_KDF_ARGON2, GCRY_KDF_ARGON2ID, params.data(),
                                     params.size(), passphrase.data(), passphrase.size(),
                                     s2k.salt.data(), s2k.salt.size(), nullptr, 0, nullptr, 0);
  if (error != 0) {
    return gcrypt_failure("Argon2 setup", error);
  }
  base::SecretBytes key(key_size);
  LaneThreads lanes;
  const gcry_kdf_thread_ops_t ops{&lanes, &LaneThreads::dispatch, &LaneThreads::wait_all};
  error = gcry_kdf_compute(handle, &ops);
  if (error == 0) {
    error = gcry_kdf_final(handle, key.size(), key.data());
  }
  gcry_kdf_close(handle);
  if (error != 0) {
    return gcrypt_failure("Argon2", error);
  }
  return key;
}

}  // namespace

std::uint32_t S2kSpecifier::iterated_octets() const {
  return (std::uint32_t{16} + (coded_count & 15U)) << ((coded_count >> 4U) + kExpBias);
}

std::uint64_t S2kSpecifier::argon2_memory_kib() const {
  return std::uint64_t{1} << argon2_encoded_memory;
}

int gcrypt_hash_algorithm(std::uint8_t openpgp_hash) {
  // RFC 9580 §9.5 hash algorithm IDs.
  switch (openpgp_hash) {
    case 1:
      return GCRY_MD_MD5;
    case 2:
      return GCRY_MD_SHA1;
    case 3:
      return GCRY_MD_RMD160;
    case 8:
      return GCRY_MD_SHA256;
    case 9:
      return GCRY_MD_SHA384;
    case 10:
      return GCRY_MD_SHA512;
    case 11:
      return GCRY_MD_SHA224;
    case 12:
      return GCRY_MD_SHA3_256;
    case 14:
      return GCRY_MD_SHA3_512;
    default:
      return 0;
  }
}

void ensure_libgcrypt() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Another part of the process may have initialised libgcrypt already;
    // then its settings stand.
    if (gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P) != 0) {
      return;
    }
    gcry_check_version(GCRYPT_VERSION);
    gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
    gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
  });
}

Result<S2kSpecifier> read_s2k(base::ByteReader& reader) {
  S2kSpecifier s2k;
  PGPTLS_TRY(const std::uint8_t type, reader.u8());
  s2k.type = static_cast<S2kType>(type);
  switch (s2k.type) {
    case S2kType::simple:
      PGPTLS_CHECK(read_hash(reader, s2k));
      break;
    case S2kType::salted:
      PGPTLS_CHECK(read_hash(reader, s2k));
      PGPTLS_CHECK(read_salt(reader, s2k, kSaltSize));
      break;
    case S2kType::iterated_salted: {
      PGPTLS_CHECK(read_hash(reader, s2k));
      PGPTLS_CHECK(read_salt(reader, s2k, kSaltSize));
      PGPTLS_TRY(s2k.coded_count, reader.u8());
      break;
    }
    case S2kType::argon2:
      PGPTLS_CHECK(read_argon2(reader, s2k));
      break;
    case S2kType::gnu_extension:
      PGPTLS_CHECK(read_gnu_extension(reader, s2k));
      break;
    default:
      return make_error(Errc::unsupported_algorithm,
                        "S2K specifier type " + std::to_string(type) + " is not supported");
  }
  return s2k;
}

Result<base::SecretBytes> derive_s2k_key(const S2kSpecifier& s2k, ByteView passphrase,
                                         std::size_t key_size, const S2kLimits& limits) {
  if (passphrase.empty()) {
    return make_error(Errc::bad_passphrase,
                      "the passphrase is empty; give the key's passphrase (file, fd, "
                      "environment variable or terminal prompt)");
  }
  ensure_libgcrypt();
  int algorithm = 0;
  unsigned long iterations = 0;
  switch (s2k.type) {
    case S2kType::simple:
      algorithm = GCRY_KDF_SIMPLE_S2K;
      break;
    case S2kType::salted:
      algorithm = GCRY_KDF_SALTED_S2K;
      break;
    case S2kType::iterated_salted:
      if (s2k.iterated_octets() > limits.max_iterated_octets) {
        return make_error(Errc::rejected_by_policy,
                          "S2K octet count " + std::to_string(s2k.iterated_octets()) +
                              " exceeds the limit " + std::to_string(limits.max_iterated_octets) +
                              "; raise the S2K limit if this key is trusted");
      }
      algorithm = GCRY_KDF_ITERSALTED_S2K;
      iterations = s2k.iterated_octets();
      break;
    case S2kType::argon2:
      if (s2k.argon2_encoded_memory > limits.max_argon2_encoded_memory ||
          s2k.argon2_passes > limits.max_argon2_passes ||
          s2k.argon2_parallelism > limits.max_argon2_parallelism) {
        return make_error(Errc::rejected_by_policy,
                          "Argon2 parameters (passes " + std::to_string(s2k.argon2_passes) +
                              ", lanes " + std::to_string(s2k.argon2_parallelism) + ", memory " +
                              std::to_string(s2k.argon2_memory_kib()) +
                              " KiB) exceed the limits (passes " +
                              std::to_string(limits.max_argon2_passes) + ", lanes " +
                              std::to_string(limits.max_argon2_parallelism) + ", memory " +
                              std::to_string(std::uint64_t{1} << limits.max_argon2_encoded_memory) +
                              " KiB); raise the S2K limits if this key is trusted");
      }
      return derive_argon2(s2k, passphrase, key_size);
    case S2kType::gnu_extension:
      return make_error(s2k.gnu_mode == GnuS2kMode::divert_to_card ? Errc::key_on_card
                                                                   : Errc::unsupported_algorithm,
                        "a GnuPG stub (S2K 101) holds no secret to derive a key for");
  }
  base::SecretBytes key(key_size);
  const gpg_error_t error = gcry_kdf_derive(passphrase.data(), passphrase.size(), algorithm,
                                            gcrypt_hash_algorithm(s2k.hash_algorithm),
                                            s2k.salt.empty() ? nullptr : s2k.salt.data(),
                                            s2k.salt.size(), iterations, key.size(), key.data());
  if (error != 0) {
    return gcrypt_failure("S2K", error);
  }
  return key;
}

}  // namespace pgptls::openpgp
