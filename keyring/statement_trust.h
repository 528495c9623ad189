// statement_trust.h: who may sign a signed pin statement or bundle, and the verdict that
// PinStore::store_statement then records.
//
// A statement for domain D is accepted when one of its detached signatures
// verifies with
//  (a) a key of an authority whose scope covers D, or
//  (b) a key of a keyring certificate that an authority certified for
//      xmpp:D (check_domain_certification; unlike check_peer, no
//      authentication key is needed): the domain vouches for its own X.509
//      keys with its certified OpenPGP key;
// the signing key valid at `now` (not revoked, not expired, flagged for
// signing) and the signature's hash and key accepted by the policy as for a
// third-party certification. A bundle must be signed by an authority, and
// each domain it lists is accepted only inside that authority's scope.
//
// Usage:
//   const StatementSigners signers{authorities, keyring_certs, policy};
//   PGPTLS_TRY(VerifiedStatement v, verify_statement(json, sig, "a.example", signers, now));
//   PGPTLS_TRY(StatementOutcome o, pins.store_statement(v.pins, now));
//
//   PGPTLS_TRY(VerifiedBundle b, verify_bundle(json, sig, signers, now));
//   for (const SignedStatement& s : b.accepted) pins.store_statement(s, now);
//   for (const BundleRefusal& r : b.refused) report(r.domain, r.error);
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/result.h"
#include "keyring/authority.h"
#include "keyring/policy.h"
#include "openpgp/cert.h"
#include "pins/pin_store.h"
#include "pins/posh_statement.h"

namespace pgptls::keyring {

// StatementSigners: where signers come from. The spans must outlive the
// calls.
struct StatementSigners {
  std::span<const Authority> authorities;
  std::span<const openpgp::Cert> keyring;  // the keyring's certificates
  Policy policy = Policy::standard();
};

// SignerRole: why the signer may sign.
enum class SignerRole {
  authority,             // an authority whose scope covers the domain
  certified_domain_key,  // the domain's own key, certified by an authority
};

// StatementSigner: who signed, as accepted.
struct StatementSigner {
  SignerRole role = SignerRole::authority;
  Bytes certificate_fingerprint;  // the signing certificate's primary key
  Bytes key_fingerprint;          // the component key that made the signature
  Bytes authority_fingerprint;    // the authority (itself, or the certifier of the domain key)
  base::Seconds signed_at{};      // the signature's creation time
};

// kMaxIssuedSkew: how far in the future "issued" may lie (clock skew
// between the publisher and us). Further would let one statement shadow
// every honest later one in the rollback check.
inline constexpr std::int64_t kMaxIssuedSkewSeconds = 3600;

// VerifiedStatement: an accepted single-domain statement.
struct VerifiedStatement {
  std::string domain;  // normalised
  pins::PinStatement statement;
  StatementSigner signer;
  pins::SignedStatement pins;  // for PinStore::store_statement
};

// verify_statement: checks `document` (the exact bytes fetched for
// `domain`) against its detached signature file (binary or armored, one or
// more signatures: one valid signature by an allowed signer is enough).
// Rejections, each with its cause and fix:
//  - malformed_statement / malformed_packet / bad_armor / invalid_argument:
//    the document or the signature file does not parse, the document is a
//    POSH redirect, or "issued" lies in the future;
//  - bad_signature: no signature by a known key verifies over the bytes;
//  - signer_not_allowed: the signer is neither an authority nor a keyring
//    certificate, or its certificate is not certified for xmpp:D;
//  - out_of_scope: an authority signed, but D is outside its scope;
//  - key_expired / key_revoked / no_usable_key / rejected_by_policy /
//    certification_expired: the signing key or signature is not usable now;
//  - domain_mismatch: the "domain" member names another domain;
//  - statement_expired: the statement is past its expiry at `now`.
// Rollback is judged when storing (PinStore::store_statement).
[[nodiscard]] Result<VerifiedStatement> verify_statement(ByteView document, ByteView signature_file,
                                                         std::string_view domain,
                                                         const StatementSigners& signers,
                                                         base::Seconds now,
                                                         const pins::StatementLimits& limits = {});

// BundleRefusal: one domain of a bundle that was not accepted.
struct BundleRefusal {
  std::string domain;
  Error error;
};

// VerifiedBundle: an authority bundle, split into per-domain statements.
struct VerifiedBundle {
  pins::PinBundle bundle;
  StatementSigner signer;
  std::vector<pins::SignedStatement> accepted;  // domains inside the authority's scope
  std::vector<BundleRefusal> refused;           // the others (out_of_scope), reported
};

// verify_bundle: checks an authority bundle and its detached signature.
// The whole bundle is rejected (as verify_statement) when it does not parse,
// is not signed by a valid authority (a keyring certificate is not enough:
// signer_not_allowed), or expired; otherwise each domain outside the
// signing authority's scope is refused on its own (out_of_scope) and the
// others accepted.
[[nodiscard]] Result<VerifiedBundle> verify_bundle(ByteView document, ByteView signature_file,
                                                   const StatementSigners& signers,
                                                   base::Seconds now,
                                                   const pins::StatementLimits& limits = {});

}  // namespace pgptls::keyring
