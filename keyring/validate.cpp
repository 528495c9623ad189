#include "keyring/validate.h"

#include <algorithm>

#include "openpgp/errors.h"
#include "openpgp/verify.h"

namespace pgptls::keyring {
namespace {

std::string time_text(std::uint64_t seconds) {
  return base::format_utc(base::TimePoint(std::chrono::seconds(seconds)));
}

std::string reason_text(const openpgp::Signature& sig) {
  if (!sig.revocation_reason) {
    return "no reason given";
  }
  switch (*sig.revocation_reason) {
    case openpgp::RevocationReason::unspecified:
      return "unspecified";
    case openpgp::RevocationReason::superseded:
      return "key superseded";
    case openpgp::RevocationReason::compromised:
      return "key compromised";
    case openpgp::RevocationReason::retired:
      return "key retired";
    case openpgp::RevocationReason::user_id_invalid:
      return "user ID no longer valid";
  }
  return "reason " + std::to_string(static_cast<int>(*sig.revocation_reason));
}

// Candidates sorted newest first, so the first valid one wins.
std::vector<const openpgp::Signature*> newest_first(const std::vector<openpgp::Signature>& sigs,
                                                    bool (*wanted)(const openpgp::Signature&),
                                                    const openpgp::PublicKey& issuer) {
  std::vector<const openpgp::Signature*> out;
  for (const auto& sig : sigs) {
    if (wanted(sig) && sig.issuer_may_be(issuer)) {
      out.push_back(&sig);
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const openpgp::Signature* a, const openpgp::Signature* b) {
                     return a->creation_time.value_or(0) > b->creation_time.value_or(0);
                   });
  return out;
}

struct Binding {
  const openpgp::Signature* sig = nullptr;
  Status last_error;  // why the newest candidate failed, when none won
};

// Finds the newest valid self-signature among candidates.
Binding find_binding(const std::vector<const openpgp::Signature*>& candidates,
                     const openpgp::PublicKey& primary, const openpgp::SignedComponents& over,
                     const Policy& policy, std::uint32_t now,
                     const openpgp::PublicKey* backsig_key) {
  Binding result;
  bool have_error = false;
  for (const openpgp::Signature* sig : candidates) {
    if (sig->creation_time && *sig->creation_time > now) {
      continue;  // not yet in effect at `now`
    }
    // Expiry is judged on the winner only, so check everything else first.
    Status status;
    if (sig->has_unknown_critical) {
      status = make_error(openpgp::Errc::unknown_critical_subpacket, sig->unknown_critical_note);
    } else if (!sig->creation_time) {
      status =
          make_error(openpgp::Errc::malformed_packet, "self-signature without a creation time");
    } else {
      status = policy.check_hash(sig->hash_algorithm, SignatureRole::self_signature,
                                 *sig->creation_time);
    }
    if (status) {
      status = openpgp::verify_signature(*sig, primary, over);
    }
    if (status && backsig_key != nullptr) {
      const std::uint8_t flags = sig->key_flags.value_or(0);
      if ((flags & (openpgp::key_flags::sign | openpgp::key_flags::certify)) != 0) {
        // RFC 9580 §5.2.1 (0x18): signing subkeys carry an embedded 0x19
        // back-signature made by the subkey.
        const openpgp::Signature* back = sig->embedded.get();
        if (back == nullptr || back->type != openpgp::SignatureType::primary_key_binding) {
          status = make_error(openpgp::Errc::no_valid_self_signature,
                              "signing subkey binding lacks the primary-key binding "
                              "back-signature (0x19)");
        } else {
          status = check_signature_at(*back, policy, SignatureRole::self_signature, now);
          if (status) {
            status = openpgp::verify_signature(*back, *backsig_key, over);
          }
          if (!status) {
            status = status.error().wrap("back-signature");
          }
        }
      }
    }
    if (status) {
      result.sig = sig;
      return result;
    }
    if (!have_error) {
      result.last_error = status;
      have_error = true;
    }
  }
  if (!have_error) {
    result.last_error = make_error(openpgp::Errc::no_valid_self_signature, "no self-signature");
  }
  return result;
}

// A revocation in effect at now by the primary key, given the binding it
// may override; returns the revocation or nullptr.
const openpgp::Signature* find_revocation(const std::vector<openpgp::Signature>& sigs,
                                          openpgp::SignatureType type,
                                          const openpgp::PublicKey& primary,
                                          const openpgp::SignedComponents& over,
                                          const Policy& policy, std::uint32_t now,
                                          const openpgp::Signature* binding) {
  for (const auto& sig : sigs) {
    if (sig.type != type || !sig.issuer_may_be(primary) || sig.has_unknown_critical ||
        !sig.creation_time) {
      continue;
    }
    if (!policy.check_hash(sig.hash_algorithm, SignatureRole::self_signature, *sig.creation_time)) {
      continue;
    }
    const bool hard = is_hard_revocation(sig);
    if (!hard) {
      if (*sig.creation_time > now) {
        continue;
      }
      // A newer self-signature re-validates a softly revoked component.
      if (binding != nullptr && binding->creation_time.value_or(0) > *sig.creation_time) {
        continue;
      }
    }
    if (!openpgp::verify_signature(sig, primary, over)) {
      continue;
    }
    return &sig;
  }
  return nullptr;
}

bool is_self_certification(const openpgp::Signature& s) {
  return openpgp::is_certification(s.type);
}
bool is_direct_key(const openpgp::Signature& s) {
  return s.type == openpgp::SignatureType::direct_key;
}
bool is_subkey_binding(const openpgp::Signature& s) {
  return s.type == openpgp::SignatureType::subkey_binding;
}

Status expired_at(const std::string& what, std::uint32_t creation,
                  std::optional<std::uint32_t> validity, std::uint32_t now,
                  std::optional<std::uint32_t>& expires_at) {
  if (!validity || *validity == 0) {
    return {};
  }
  const std::uint64_t end = std::uint64_t{creation} + *validity;
  expires_at = static_cast<std::uint32_t>(std::min<std::uint64_t>(end, 0xFFFFFFFF));
  if (end <= now) {
    return make_error(openpgp::Errc::key_expired, what + " expired at " + time_text(end) +
                                                      "; its owner must extend the expiry date");
  }
  return {};
}

}  // namespace

std::uint32_t to_epoch(base::Seconds now) {
  const auto count = now.time_since_epoch().count();
  if (count < 0) {
    return 0;
  }
  return static_cast<std::uint32_t>(std::min<std::int64_t>(count, 0xFFFFFFFF));
}

bool is_hard_revocation(const openpgp::Signature& revocation) {
  if (!revocation.revocation_reason) {
    return true;
  }
  switch (*revocation.revocation_reason) {
    case openpgp::RevocationReason::superseded:
    case openpgp::RevocationReason::retired:
    case openpgp::RevocationReason::user_id_invalid:
      return false;
    default:
      return true;
  }
}

Status check_signature_at(const openpgp::Signature& sig, const Policy& policy, SignatureRole role,
                          std::uint32_t now) {
  if (sig.has_unknown_critical) {
    return make_error(openpgp::Errc::unknown_critical_subpacket,
                      sig.unknown_critical_note +
                          " (RFC 9580 §5.2.3.7 makes the signature "
                          "invalid)");
  }
  if (!sig.creation_time) {
    return make_error(openpgp::Errc::malformed_packet,
                      "signature without a hashed creation time (RFC 9580 §5.2.3.11)");
  }
  if (*sig.creation_time > now) {
    return make_error(openpgp::Errc::bad_signature, "signature created in the future, at " +
                                                        time_text(*sig.creation_time) +
                                                        "; check the clock");
  }
  if (sig.expiration && *sig.expiration != 0 &&
      std::uint64_t{*sig.creation_time} + *sig.expiration <= now) {
    return make_error(
        openpgp::Errc::certification_expired,
        "signature expired at " + time_text(std::uint64_t{*sig.creation_time} + *sig.expiration));
  }
  return policy.check_hash(sig.hash_algorithm, role, *sig.creation_time);
}

ValidatedCert validate(const openpgp::Cert& cert, const Policy& policy, base::Seconds now_seconds) {
  const std::uint32_t now = to_epoch(now_seconds);
  const openpgp::PublicKey& primary = cert.primary;
  ValidatedCert out;
  out.cert = &cert;
  out.primary.key = &primary;
  const std::string primary_name = "key " + primary.fingerprint_hex();

  // User IDs first: the primary user ID's self-signature also binds the
  // primary key (RFC 9580 §5.2.3.10, §5.2.3.19).
  const UserIdState* primary_uid = nullptr;
  for (const auto& uid : cert.user_ids) {
    UserIdState state;
    state.user_id = &uid;
    const openpgp::SignedComponents over{&primary, nullptr, &uid};
    const Binding binding =
        find_binding(newest_first(uid.signatures, is_self_certification, primary), primary, over,
                     policy, now, nullptr);
    const std::string name = "user ID \"" + uid.text() + "\"";
    if (binding.sig == nullptr) {
      state.status = binding.last_error.error().wrap(name + ": no valid self-signature");
    } else {
      state.self_signature = binding.sig;
      state.primary = binding.sig->primary_user_id.value_or(false);
      Status alive = check_signature_at(*binding.sig, policy, SignatureRole::self_signature, now);
      if (!alive) {
        state.status = alive.error().wrap(name + ": self-signature");
      } else if (const openpgp::Signature* rev = find_revocation(
                     uid.signatures, openpgp::SignatureType::certification_revocation, primary,
                     over, policy, now, binding.sig)) {
        state.status = make_error(openpgp::Errc::user_id_revoked,
                                  name + " revoked (" + reason_text(*rev) + ") at " +
                                      time_text(rev->creation_time.value_or(0)));
      }
    }
    out.user_ids.push_back(std::move(state));
  }
  for (const auto& state : out.user_ids) {
    if (state.self_signature == nullptr || !state.status) {
      continue;
    }
    const auto better = [](const UserIdState& a, const UserIdState* b) {
      if (b == nullptr) {
        return true;
      }
      if (a.primary != b->primary) {
        return a.primary;
      }
      return a.self_signature->creation_time.value_or(0) >
             b->self_signature->creation_time.value_or(0);
    };
    if (better(state, primary_uid)) {
      primary_uid = &state;
    }
  }

  KeyState& key = out.primary;
  if (Status ok = policy.check_key(primary); !ok) {
    key.status = ok;
  } else {
    const openpgp::SignedComponents over{&primary, nullptr, nullptr};
    const Binding direct =
        find_binding(newest_first(cert.direct_signatures, is_direct_key, primary), primary, over,
                     policy, now, nullptr);
    key.binding = primary_uid != nullptr ? primary_uid->self_signature : direct.sig;
    if (key.binding == nullptr) {
      // Say why: the most telling failure among user IDs and direct keys.
      Error why = direct.last_error.error();
      for (const auto& state : out.user_ids) {
        if (!state.status && state.status.error().code != openpgp::Errc::no_valid_self_signature) {
          why = state.status.error();
          break;
        }
      }
      key.status = make_error(openpgp::Errc::no_valid_self_signature,
                              primary_name + ": no valid self-signature (" + why.message() + ")");
    } else {
      key.flags = key.binding->key_flags.value_or(
          direct.sig != nullptr ? direct.sig->key_flags.value_or(0) : std::uint8_t{0});
      auto validity = key.binding->key_expiration;
      if (!validity && direct.sig != nullptr) {
        validity = direct.sig->key_expiration;
      }
      key.status = expired_at(primary_name, primary.creation_time, validity, now, key.expires_at);
      if (key.status) {
        if (const openpgp::Signature* rev =
                find_revocation(cert.direct_signatures, openpgp::SignatureType::key_revocation,
                                primary, over, policy, now, key.binding)) {
          key.status = make_error(openpgp::Errc::key_revoked,
                                  primary_name + " revoked (" + reason_text(*rev) + ") at " +
                                      time_text(rev->creation_time.value_or(0)) +
                                      "; its owner must publish a new key");
        }
      }
    }
  }

  for (const auto& sub : cert.subkeys) {
    KeyState state;
    state.key = &sub.key;
    const std::string name = "subkey " + sub.key.fingerprint_hex();
    if (Status ok = policy.check_key(sub.key); !ok) {
      state.status = ok;
      out.subkeys.push_back(std::move(state));
      continue;
    }
    const openpgp::SignedComponents over{&primary, &sub.key, nullptr};
    const Binding binding = find_binding(newest_first(sub.signatures, is_subkey_binding, primary),
                                         primary, over, policy, now, &sub.key);
    if (binding.sig == nullptr) {
      state.status = binding.last_error.error().wrap(name + ": no valid binding signature");
    } else {
      state.binding = binding.sig;
      state.flags = binding.sig->key_flags.value_or(0);
      state.status = check_signature_at(*binding.sig, policy, SignatureRole::self_signature, now);
      if (!state.status) {
        state.status = state.status.error().wrap(name + ": binding signature");
      } else {
        state.status = expired_at(name, sub.key.creation_time, binding.sig->key_expiration, now,
                                  state.expires_at);
      }
      if (state.status) {
        if (const openpgp::Signature* rev =
                find_revocation(sub.signatures, openpgp::SignatureType::subkey_revocation, primary,
                                over, policy, now, binding.sig)) {
          state.status = make_error(openpgp::Errc::key_revoked,
                                    name + " revoked (" + reason_text(*rev) + ") at " +
                                        time_text(rev->creation_time.value_or(0)));
        }
      }
    }
    // A subkey of an unusable certificate is unusable for the same reason
    // (as gpg reports it).
    if (state.status && !key.status) {
      state.status = key.status;
    }
    out.subkeys.push_back(std::move(state));
  }
  return out;
}

}  // namespace pgptls::keyring
