// authority.h: designated signers ("authorities") and the peer decision:
// does an authority directly certify that this key speaks for
// xmpp:<domain>? (depth 1, like an OpenSSH @cert-authority).
//
// Usage:
//   std::vector<Authority> authorities{{signer_cert, {"*.example.org"}}};
//   auto verdict = keyring::check_peer(peer_cert, "a.example.org", authorities, policy, now);
//   if (!verdict) log("rejected: " + verdict.error().message());
//   else verdict->authority_fingerprint, verdict->user_id, verdict->keys
//
//   // Which key may sign in the handshake (key ID or fingerprint from the
//   // TLS Certificate message):
//   const ValidatedCert v = keyring::validate(peer_cert, policy, now);
//   PGPTLS_TRY(const PublicKey* k, keyring::select_authentication_key(v, key_id, policy));
//   // Our own credential: the newest authentication key we hold the secret for.
//   PGPTLS_TRY(const PublicKey* mine, keyring::select_own_authentication_key(v, policy,
//   has_secret));
#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/result.h"
#include "keyring/policy.h"
#include "keyring/validate.h"
#include "openpgp/cert.h"

namespace pgptls::keyring {

// Authority: a designated signer's certificate and the domains it may
// vouch for (OpenSSH host patterns; empty = every domain).
struct Authority {
  openpgp::Cert cert;
  std::vector<std::string> scopes;
};

// PeerAcceptance: why a peer was accepted. Values, not pointers, so a
// verdict may outlive the certificates (e.g. in PeerCache).
struct PeerAcceptance {
  Bytes authority_fingerprint;
  std::string user_id;                   // the certified user ID, as written
  std::string domain;                    // normalized
  std::vector<openpgp::PublicKey> keys;  // usable authentication keys, newest first
};

// DomainCertification: an authority's direct certification of a
// certificate's xmpp:<domain> user ID, as found valid.
struct DomainCertification {
  Bytes authority_fingerprint;
  std::string user_id;  // the certified user ID, as written
  std::string domain;   // normalized
};

// check_domain_certification: the part of check_peer that says who the
// certificate speaks for, without asking what its keys may do: the
// certificate is valid at now, has a valid xmpp:<domain> user ID, and that
// user ID carries a valid, unexpired, unrevoked certification (0x10-0x13) by
// an authority whose own certificate is valid at now and whose scope
// includes the domain. Used by check_peer (which then demands an
// authentication key) and by signed pin statements (an X.509-only
// domain's [SC] certificate has no authentication key, yet vouches for its
// X.509 keys). Reasons
// as check_peer's, except no_usable_key.
[[nodiscard]] Result<DomainCertification> check_domain_certification(
    const openpgp::Cert& cert, std::string_view domain, std::span<const Authority> authorities,
    const Policy& policy, base::Seconds now);

// authority_standing: whether each authority may certify at now: its own
// certificate is valid (validate) and, when its binding carries key flags,
// flagged for certification (0x01, RFC 9580 §5.2.3.29). Same order as
// `authorities`; an error names what is wrong with that authority. It can
// change only at validity_change_after(authorities, now), so a caller that
// decides many peers computes it once per such window and hands it to
// check_peer, instead of every decision validating the authorities again.
[[nodiscard]] std::vector<Status> authority_standing(std::span<const Authority> authorities,
                                                     const Policy& policy, base::Seconds now);

// check_peer: accepts only when the certificate is valid at now, has a
// valid xmpp:<domain> user ID, and that user ID carries a valid, unexpired,
// unrevoked certification (0x10-0x13) by an authority whose own certificate
// is valid at now and whose scope includes the domain, and the certificate
// has at least one usable authentication key. Otherwise one precise
// reason: not_certified, authority_invalid, out_of_scope,
// certification_revoked, certification_expired, bad_signature,
// rejected_by_policy, user_id_revoked, no_matching_user_id, key_revoked,
// key_expired, no_valid_self_signature, no_usable_key, invalid_argument.
[[nodiscard]] Result<PeerAcceptance> check_peer(const openpgp::Cert& cert, std::string_view domain,
                                                std::span<const Authority> authorities,
                                                const Policy& policy, base::Seconds now);
// check_peer: the same decision with the authorities' standing at now
// already known (authority_standing at a time whose window holds now; one
// entry per authority, else Errc::invalid_argument).
[[nodiscard]] Result<PeerAcceptance> check_peer(const openpgp::Cert& cert, std::string_view domain,
                                                std::span<const Authority> authorities,
                                                std::span<const Status> standing,
                                                const Policy& policy, base::Seconds now);

// is_authentication_capable: valid component flagged for authentication
// (0x20), or for signing (0x02) when the policy accepts that.
[[nodiscard]] bool is_authentication_capable(const ValidatedCert& cert, const KeyState& key,
                                             const Policy& policy);

// authentication_keys: every usable authentication key, newest first.
[[nodiscard]] std::vector<const openpgp::PublicKey*> authentication_keys(const ValidatedCert& cert,
                                                                         const Policy& policy);

// select_authentication_key: the component named by a key ID (8 octets) or
// fingerprint (20/32 octets), if it is usable for authentication; else
// Errc::not_found or Errc::no_usable_key with the reason.
[[nodiscard]] Result<const openpgp::PublicKey*> select_authentication_key(const ValidatedCert& cert,
                                                                          ByteView id,
                                                                          const Policy& policy);

// select_own_authentication_key: the newest usable authentication key for
// which have_secret returns true; Errc::no_usable_key otherwise.
[[nodiscard]] Result<const openpgp::PublicKey*> select_own_authentication_key(
    const ValidatedCert& cert, const Policy& policy,
    const std::function<bool(const openpgp::PublicKey&)>& have_secret);

}  // namespace pgptls::keyring
