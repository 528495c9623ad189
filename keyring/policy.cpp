#include "keyring/policy.h"

#include "base/clock.h"
#include "openpgp/errors.h"
#include "openpgp/hash.h"

namespace pgptls::keyring {
namespace {

// The RSA public exponent (field 1) or DSA q (field 1) in bits, leading
// zero octets ignored: both set the cost of a verification.
unsigned exponent_bits(const openpgp::PublicKey& key) {
  if (key.fields.size() < 2) {
    return 0;
  }
  const Bytes& value = key.fields[1];
  std::size_t i = 0;
  while (i < value.size() && value[i] == 0) {
    ++i;
  }
  return static_cast<unsigned>((value.size() - i) * 8);
}

}  // namespace

Policy Policy::standard() {
  return Policy{};
}

Policy Policy::gnutls35_compatible() {
  Policy policy;
  policy.name = "gnutls35_compatible";
  policy.accept_sign_only_for_authentication = true;
  return policy;
}

Policy Policy::strict() {
  Policy policy;
  policy.name = "strict";
  policy.sha1_self_signature_cutoff = 0;
  policy.min_rsa_bits = 3072;
  policy.allow_dsa = false;
  return policy;
}

Status Policy::check_hash(std::uint8_t hash, SignatureRole role,
                          std::uint32_t signature_time) const {
  const std::string where = "policy \"" + name + "\": ";
  switch (static_cast<openpgp::HashAlgorithm>(hash)) {
    case openpgp::HashAlgorithm::md5:
      if (!allow_md5) {
        return make_error(openpgp::Errc::rejected_by_policy,
                          where + "signature uses MD5, which is broken; re-sign with SHA-256");
      }
      return {};
    case openpgp::HashAlgorithm::ripemd160:
      if (!allow_ripemd160) {
        return make_error(openpgp::Errc::rejected_by_policy,
                          where + "signature uses RIPEMD-160; re-sign with SHA-256");
      }
      return {};
    case openpgp::HashAlgorithm::sha1:
      if (role == SignatureRole::certification && !allow_sha1_certifications) {
        return make_error(openpgp::Errc::rejected_by_policy,
                          where +
                              "certification uses SHA-1, which is open to collisions; the "
                              "authority must re-certify with SHA-256 (gpg "
                              "--cert-digest-algo SHA256)");
      }
      if (role == SignatureRole::self_signature && signature_time >= sha1_self_signature_cutoff) {
        return make_error(
            openpgp::Errc::rejected_by_policy,
            where + "self-signature made with SHA-1 at " +
                base::format_utc(base::TimePoint(std::chrono::seconds(signature_time))) +
                "; refresh the key's self-signatures with SHA-256");
      }
      return {};
    case openpgp::HashAlgorithm::sha256:
    case openpgp::HashAlgorithm::sha384:
    case openpgp::HashAlgorithm::sha512:
    case openpgp::HashAlgorithm::sha224:
    case openpgp::HashAlgorithm::sha3_256:
    case openpgp::HashAlgorithm::sha3_512:
      return {};
  }
  return make_error(openpgp::Errc::unsupported_algorithm,
                    where + "unknown hash algorithm " + openpgp::hash_name(hash));
}

Status Policy::check_key(const openpgp::PublicKey& key) const {
  const std::string where = "policy \"" + name + "\": key " + key.fingerprint_hex() + ": ";
  const unsigned bits = key.bits();
  switch (key.algorithm) {
    case openpgp::PublicKeyAlgorithm::rsa:
    case openpgp::PublicKeyAlgorithm::rsa_encrypt_only:
    case openpgp::PublicKeyAlgorithm::rsa_sign_only:
    case openpgp::PublicKeyAlgorithm::elgamal:
      if (bits < min_rsa_bits) {
        return make_error(openpgp::Errc::rejected_by_policy,
                          where + std::to_string(bits) + "-bit " +
                              openpgp::algorithm_name(static_cast<std::uint8_t>(key.algorithm)) +
                              " is below the minimum of " + std::to_string(min_rsa_bits) +
                              " bits; generate a new key");
      }
      if (bits > max_rsa_bits || exponent_bits(key) > max_exponent_bits) {
        return make_error(openpgp::Errc::rejected_by_policy,
                          where + "key parameters exceed the policy caps (" +
                              std::to_string(max_rsa_bits) + "-bit modulus, " +
                              std::to_string(max_exponent_bits) + "-bit exponent)");
      }
      return {};
    case openpgp::PublicKeyAlgorithm::dsa:
      if (!allow_dsa) {
        return make_error(openpgp::Errc::rejected_by_policy, where + "DSA keys are not accepted");
      }
      if (bits < min_dsa_bits) {
        return make_error(openpgp::Errc::rejected_by_policy,
                          where + std::to_string(bits) + "-bit DSA is below the minimum of " +
                              std::to_string(min_dsa_bits) + " bits; generate a new key");
      }
      if (bits > max_rsa_bits || exponent_bits(key) > max_exponent_bits) {
        return make_error(openpgp::Errc::rejected_by_policy,
                          where + "DSA parameters exceed the policy caps (" +
                              std::to_string(max_rsa_bits) + "-bit p, " +
                              std::to_string(max_exponent_bits) + "-bit q)");
      }
      return {};
    case openpgp::PublicKeyAlgorithm::ecdh:
    case openpgp::PublicKeyAlgorithm::ecdsa:
    case openpgp::PublicKeyAlgorithm::eddsa_legacy:
      if (key.curve == openpgp::Curve::unknown) {
        return make_error(openpgp::Errc::unsupported_algorithm, where + "unknown elliptic curve");
      }
      return {};
    case openpgp::PublicKeyAlgorithm::x25519:
    case openpgp::PublicKeyAlgorithm::x448:
    case openpgp::PublicKeyAlgorithm::ed25519:
    case openpgp::PublicKeyAlgorithm::ed448:
      return {};
  }
  return make_error(openpgp::Errc::unsupported_algorithm, where + "unknown algorithm");
}

}  // namespace pgptls::keyring
