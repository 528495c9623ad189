#include "keyring/authority.h"

#include <algorithm>
#include <optional>

#include "base/encoding.h"
#include "keyring/domain.h"
#include "keyring/ranked_reason.h"
#include "openpgp/errors.h"
#include "openpgp/verify.h"

namespace pgptls::keyring {
namespace {

// Failed candidates are ranked by how far they got (ranked_reason.h).
using Reason = RankedReason;

}  // namespace

bool is_authentication_capable(const ValidatedCert& cert, const KeyState& key,
                               const Policy& policy) {
  if (!cert.primary.status || !key.status || key.key == nullptr || !key.key->can_sign()) {
    return false;
  }
  if ((key.flags & openpgp::key_flags::authenticate) != 0) {
    return true;
  }
  return policy.accept_sign_only_for_authentication && (key.flags & openpgp::key_flags::sign) != 0;
}

std::vector<const openpgp::PublicKey*> authentication_keys(const ValidatedCert& cert,
                                                           const Policy& policy) {
  std::vector<const openpgp::PublicKey*> keys;
  if (is_authentication_capable(cert, cert.primary, policy)) {
    keys.push_back(cert.primary.key);
  }
  for (const auto& sub : cert.subkeys) {
    if (is_authentication_capable(cert, sub, policy)) {
      keys.push_back(sub.key);
    }
  }
  std::stable_sort(keys.begin(), keys.end(),
                   [](const openpgp::PublicKey* a, const openpgp::PublicKey* b) {
                     return a->creation_time > b->creation_time;
                   });
  return keys;
}

Result<const openpgp::PublicKey*> select_authentication_key(const ValidatedCert& cert, ByteView id,
                                                            const Policy& policy) {
  const std::string id_text = base::hex_encode_upper(id);
  auto pick = [&](const KeyState& state) -> std::optional<Result<const openpgp::PublicKey*>> {
    const Bytes& ref = id.size() == 8 ? state.key->key_id : state.key->fingerprint;
    if (!std::equal(id.begin(), id.end(), ref.begin(), ref.end())) {
      return std::nullopt;
    }
    if (!cert.primary.status) {
      return Result<const openpgp::PublicKey*>(cert.primary.status.error());
    }
    if (!state.status) {
      return Result<const openpgp::PublicKey*>(state.status.error());
    }
    if (!is_authentication_capable(cert, state, policy)) {
      return Result<const openpgp::PublicKey*>(
          make_error(openpgp::Errc::no_usable_key,
                     "key " + id_text + " is not flagged for authentication" +
                         (policy.accept_sign_only_for_authentication ? " or signing" : "") +
                         "; add an authentication subkey (gpg --quick-add-key FPR ed25519 auth)"));
    }
    return Result<const openpgp::PublicKey*>(state.key);
  };
  if (auto r = pick(cert.primary)) {
    return std::move(*r);
  }
  for (const auto& sub : cert.subkeys) {
    if (auto r = pick(sub)) {
      return std::move(*r);
    }
  }
  return make_error(openpgp::Errc::not_found, "certificate " + cert.primary.key->fingerprint_hex() +
                                                  " has no key " + id_text);
}

Result<const openpgp::PublicKey*> select_own_authentication_key(
    const ValidatedCert& cert, const Policy& policy,
    const std::function<bool(const openpgp::PublicKey&)>& have_secret) {
  if (!cert.primary.status) {
    return cert.primary.status.error();
  }
  for (const openpgp::PublicKey* key : authentication_keys(cert, policy)) {
    if (have_secret(*key)) {
      return key;
    }
  }
  return make_error(openpgp::Errc::no_usable_key,
                    "certificate " + cert.primary.key->fingerprint_hex() +
                        " has no valid authentication key whose secret key we hold; import the "
                        "secret key or add an authentication subkey");
}

namespace {

// standing_of: one authority's standing (see authority_standing).
Status standing_of(const Authority& authority, const Policy& policy, base::Seconds now) {
  const ValidatedCert av = validate(authority.cert, policy, now);
  Status status = av.primary.status;
  if (status && av.primary.binding != nullptr && av.primary.binding->key_flags &&
      (av.primary.flags & openpgp::key_flags::certify) == 0) {
    status = make_error(openpgp::Errc::authority_invalid,
                        "its key is not flagged for certification (0x01)");
  }
  return status;
}

// find_certification: check_domain_certification, also handing out the
// validated certificate so that check_peer does not validate it twice.
// `standing`: the authorities' standing at now, or empty to validate each
// authority when a certification names it (at most once per call).
Result<DomainCertification> find_certification(const openpgp::Cert& cert,
                                               std::string_view domain_in,
                                               std::span<const Authority> authorities,
                                               std::span<const Status> standing,
                                               const Policy& policy, base::Seconds now_seconds,
                                               ValidatedCert& valid) {
  if (!standing.empty() && standing.size() != authorities.size()) {
    return make_error(openpgp::Errc::invalid_argument,
                      "authority standing does not match the authorities");
  }
  PGPTLS_TRY(const std::string domain, normalize_domain(domain_in));
  const std::uint32_t now = to_epoch(now_seconds);
  const std::string peer = "peer key " + cert.fingerprint_hex();
  valid = validate(cert, policy, now_seconds);
  if (!valid.primary.status) {
    return valid.primary.status.error().wrap(peer);
  }
  const std::string wanted = "xmpp:" + domain;
  Reason reason;
  bool any_uid = false;
  std::vector<std::optional<Status>> authority_status(authorities.size());
  for (std::size_t a = 0; a < standing.size(); ++a) {
    authority_status[a] = standing[a];
  }
  for (std::size_t u = 0; u < cert.user_ids.size(); ++u) {
    const openpgp::UserId& uid = cert.user_ids[u];
    if (uid.is_attribute || xmpp_domain_of(uid.text()) != domain) {
      continue;
    }
    any_uid = true;
    const UserIdState& uid_state = valid.user_ids[u];
    if (!uid_state.status) {
      reason.offer(1, uid_state.status.error().wrap(peer));
      continue;
    }
    for (const openpgp::Signature& sig : uid.signatures) {
      if (!openpgp::is_certification(sig.type) || sig.names_issuer(cert.primary)) {
        continue;
      }
      for (std::size_t a = 0; a < authorities.size(); ++a) {
        const Authority& authority = authorities[a];
        const openpgp::PublicKey& signer = authority.cert.primary;
        if (!sig.names_issuer(signer)) {
          continue;
        }
        const std::string who = "authority " + signer.fingerprint_hex();
        if (!authority_status[a]) {
          authority_status[a] = standing_of(authority, policy, now_seconds);
        }
        if (!*authority_status[a]) {
          reason.offer(2, make_error(openpgp::Errc::authority_invalid,
                                     peer + ": certified by " + who + ", which is not valid now: " +
                                         authority_status[a]->error().message()));
          continue;
        }
        if (!in_scope(authority.scopes, domain)) {
          reason.offer(3, make_error(openpgp::Errc::out_of_scope,
                                     peer + ": " + who + " certified " + wanted +
                                         ", but that domain is outside its scope; widen the "
                                         "authority's --scope or use another authority"));
          continue;
        }
        Status status = check_signature_at(sig, policy, SignatureRole::certification, now);
        if (status) {
          status = openpgp::verify_signature(sig, signer, {&cert.primary, nullptr, &uid});
        }
        if (!status) {
          reason.offer(4,
                       status.error().wrap(peer + ": certification of " + wanted + " by " + who));
          continue;
        }
        // RFC 9580 §5.2.1 (0x30): a certification revocation by the same
        // key revokes its earlier certifications of this user ID.
        bool revoked = false;
        for (const openpgp::Signature& rev : uid.signatures) {
          if (rev.type != openpgp::SignatureType::certification_revocation ||
              !rev.names_issuer(signer) || rev.has_unknown_critical || !rev.creation_time ||
              *rev.creation_time < *sig.creation_time ||
              (*rev.creation_time > now && !is_hard_revocation(rev)) ||
              !policy.check_hash(rev.hash_algorithm, SignatureRole::certification,
                                 *rev.creation_time) ||
              !openpgp::verify_signature(rev, signer, {&cert.primary, nullptr, &uid})) {
            continue;
          }
          revoked = true;
          break;
        }
        if (revoked) {
          reason.offer(5,
                       make_error(openpgp::Errc::certification_revoked,
                                  peer + ": " + who + " revoked its certification of " + wanted));
          continue;
        }
        DomainCertification certified;
        certified.authority_fingerprint = signer.fingerprint;
        certified.user_id = uid.text();
        certified.domain = domain;
        return certified;
      }
    }
  }
  if (reason.error) {
    return *reason.error;
  }
  if (!any_uid) {
    return make_error(openpgp::Errc::no_matching_user_id, peer + " has no user ID " + wanted +
                                                              "; the peer presented a key for "
                                                              "another domain");
  }
  return make_error(openpgp::Errc::not_certified,
                    peer + " (" + wanted +
                        ") is not certified by any configured authority; ask an authority to "
                        "certify it (gpg --quick-sign-key)");
}

}  // namespace

std::vector<Status> authority_standing(std::span<const Authority> authorities, const Policy& policy,
                                       base::Seconds now) {
  std::vector<Status> standing;
  standing.reserve(authorities.size());
  for (const Authority& authority : authorities) {
    standing.push_back(standing_of(authority, policy, now));
  }
  return standing;
}

Result<DomainCertification> check_domain_certification(const openpgp::Cert& cert,
                                                       std::string_view domain,
                                                       std::span<const Authority> authorities,
                                                       const Policy& policy, base::Seconds now) {
  ValidatedCert valid;
  return find_certification(cert, domain, authorities, {}, policy, now, valid);
}

Result<PeerAcceptance> check_peer(const openpgp::Cert& cert, std::string_view domain,
                                  std::span<const Authority> authorities, const Policy& policy,
                                  base::Seconds now) {
  return check_peer(cert, domain, authorities, {}, policy, now);
}

Result<PeerAcceptance> check_peer(const openpgp::Cert& cert, std::string_view domain,
                                  std::span<const Authority> authorities,
                                  std::span<const Status> standing, const Policy& policy,
                                  base::Seconds now) {
  ValidatedCert valid;
  PGPTLS_TRY(DomainCertification certified,
             find_certification(cert, domain, authorities, standing, policy, now, valid));
  // Authentication keys depend on the certificate alone, not on which
  // certification was found, so the first valid certification decides
  // (the reason is then the same for every certification).
  const auto keys = authentication_keys(valid, policy);
  if (keys.empty()) {
    return make_error(openpgp::Errc::no_usable_key,
                      "peer key " + cert.fingerprint_hex() + " (xmpp:" + certified.domain +
                          ") has no valid key flagged for authentication" +
                          (policy.accept_sign_only_for_authentication ? " or signing" : "") +
                          "; add an authentication subkey");
  }
  PeerAcceptance accepted;
  accepted.authority_fingerprint = std::move(certified.authority_fingerprint);
  accepted.user_id = std::move(certified.user_id);
  accepted.domain = std::move(certified.domain);
  for (const openpgp::PublicKey* key : keys) {
    accepted.keys.push_back(*key);
  }
  return accepted;
}

}  // namespace pgptls::keyring
