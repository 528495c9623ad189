// validate.h: validating a certificate under (Policy, now), in the manner
// of Sequoia's `with_policy` (RFC 9580 §5.2.1, §5.2.3.31, §10.1).
//
// Usage:
//   const ValidatedCert v = keyring::validate(cert, policy, now);
//   if (!v.primary.status) { ... v.primary.status.error().message() ... }
//   for (const auto& uid : v.user_ids) if (uid.status) ...
//   for (const auto& sub : v.subkeys) if (sub.status && (sub.flags & key_flags::authenticate)) ...
//
// Rules: each component's binding is the newest self-signature that is
// cryptographically valid, accepted by the policy and not created after
// now; an expired winning binding makes the component invalid. Signing- or
// certification-capable subkeys need a valid primary-key binding
// back-signature (0x19). Revocations by the primary key with a hard reason
// (none, unspecified, compromised, or unknown) apply from the beginning of
// time; soft reasons (superseded, retired, user ID invalid) apply from
// their creation on, unless a newer self-signature re-validates the
// component. Key expiry comes from the binding's key expiration subpacket.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "keyring/policy.h"
#include "openpgp/cert.h"

namespace pgptls::keyring {

// KeyState: the verdict on the primary key or one subkey.
struct KeyState {
  const openpgp::PublicKey* key = nullptr;
  Status status;                                // ok, or why the key is unusable
  std::uint8_t flags = 0;                       // key flags of the binding (0 if none)
  std::optional<std::uint32_t> expires_at;      // absolute time, if the key expires
  const openpgp::Signature* binding = nullptr;  // the winning self-signature
};

// UserIdState: the verdict on one user ID.
struct UserIdState {
  const openpgp::UserId* user_id = nullptr;
  Status status;
  const openpgp::Signature* self_signature = nullptr;
  bool primary = false;
};

// ValidatedCert: the certificate as seen under (policy, now). It points
// into the Cert, which must outlive it.
struct ValidatedCert {
  const openpgp::Cert* cert = nullptr;
  KeyState primary;
  std::vector<UserIdState> user_ids;  // same order as cert->user_ids
  std::vector<KeyState> subkeys;      // same order as cert->subkeys
};

// to_epoch: seconds since the epoch, clamped to 32 bits as OpenPGP times.
[[nodiscard]] std::uint32_t to_epoch(base::Seconds now);

// is_hard_revocation: RFC 9580 §5.2.3.31 hard reasons (or none given).
[[nodiscard]] bool is_hard_revocation(const openpgp::Signature& revocation);

// check_signature_at: the policy/time/critical-bit checks every signature
// must pass before its cryptography is looked at: unknown critical
// subpacket, missing creation time, creation after now, expiry, hash.
// Errors: unknown_critical_subpacket, malformed_packet, bad_signature
// (future), certification_expired, rejected_by_policy.
[[nodiscard]] Status check_signature_at(const openpgp::Signature& sig, const Policy& policy,
                                        SignatureRole role, std::uint32_t now);

// validate: the verdicts on every component. Never fails as a whole: the
// primary key's status says whether the certificate is usable.
[[nodiscard]] ValidatedCert validate(const openpgp::Cert& cert, const Policy& policy,
                                     base::Seconds now);

}  // namespace pgptls::keyring
