#include "keyring/statement_trust.h"

#include <chrono>

#include "base/encoding.h"
#include "keyring/domain.h"
#include "keyring/ranked_reason.h"
#include "keyring/validate.h"
#include "openpgp/errors.h"
#include "openpgp/hash.h"
#include "openpgp/verify.h"

namespace pgptls::keyring {
namespace {

// Failed candidates are ranked by how far they got (ranked_reason.h).
using Reason = RankedReason;

// A signer nobody knows gets no rank: it is the message when nothing else
// came closer.
enum Rank {
  kSignerUnusable = 1,
  kSignatureUnusable = 2,
  kBadSignature = 3,
  kNotCertified = 4,
  kOutOfScope = 5,
};

// Candidate: a certificate that may have made a signature, and why it may.
struct Candidate {
  const openpgp::Cert* cert = nullptr;
  const Authority* authority = nullptr;  // role (a) when set, else role (b)
};

// signing_capable: RFC 9580 §5.2.3.29: a key signs documents only when its
// binding flags it for signing (0x02); a primary key whose self-signature
// carries no key flags at all is taken as able to sign, as keys before the
// subpacket existed were.
bool signing_capable(const KeyState& state, bool is_primary) {
  if (state.key == nullptr || !state.key->can_sign()) {
    return false;
  }
  if ((state.flags & openpgp::key_flags::sign) != 0) {
    return true;
  }
  return is_primary && (state.binding == nullptr || !state.binding->key_flags);
}

// SignatureCheck: one signature against the candidates.
struct SignatureCheck {
  const openpgp::Signature& sig;
  ByteView document;
  const Policy& policy;
  base::Seconds now;
};

// verify_with: whether `sig` verifies with a usable key of `cert`; the key
// that made it, or the reason (ranked) it does not.
std::optional<const openpgp::PublicKey*> verify_with(const SignatureCheck& check,
                                                     const openpgp::Cert& cert, Reason& reason) {
  const ValidatedCert valid = validate(cert, check.policy, check.now);
  const std::string who = "certificate " + cert.fingerprint_hex();
  std::vector<std::pair<const KeyState*, bool>> states{{&valid.primary, true}};
  for (const KeyState& sub : valid.subkeys) {
    states.emplace_back(&sub, false);
  }
  for (const auto& [state, is_primary] : states) {
    if (state->key == nullptr || !check.sig.names_issuer(*state->key)) {
      continue;
    }
    const std::string key = "key " + state->key->fingerprint_hex() + " of " + who;
    if (!valid.primary.status) {
      reason.offer(kSignerUnusable, valid.primary.status.error().wrap("statement signed by " + key +
                                                                      ", which is not valid now"));
      continue;
    }
    if (!state->status) {
      reason.offer(kSignerUnusable, state->status.error().wrap("statement signed by " + key +
                                                               ", which is not valid now"));
      continue;
    }
    if (!signing_capable(*state, is_primary)) {
      reason.offer(kSignerUnusable,
                   make_error(openpgp::Errc::no_usable_key,
                              "statement signed by " + key +
                                  ", which is not flagged for signing (0x02); sign with a "
                                  "signing key (gpg --quick-add-key FPR ed25519 sign)"));
      continue;
    }
    if (auto status = check.policy.check_key(*state->key); !status) {
      reason.offer(kSignerUnusable, status.error().wrap("statement signed by " + key));
      continue;
    }
    // Judged as a third-party certification: the publisher chooses the
    // signed bytes, so SHA-1 collisions matter (RFC 9580 §9.5).
    if (auto status = check_signature_at(check.sig, check.policy, SignatureRole::certification,
                                         to_epoch(check.now));
        !status) {
      reason.offer(kSignatureUnusable, status.error().wrap("statement signature by " + key));
      continue;
    }
    if (auto status = openpgp::verify_document_signature(check.sig, *state->key, check.document);
        !status) {
      reason.offer(kBadSignature,
                   make_error(openpgp::Errc::bad_signature,
                              "the signature by " + key +
                                  " does not verify over the document: the document was changed "
                                  "after signing, or the signature belongs to another document; "
                                  "fetch both again or ask the publisher to re-sign"));
      continue;
    }
    return state->key;
  }
  return std::nullopt;
}

// AcceptedSigner: a signature that verified with an allowed signer.
struct AcceptedSigner {
  StatementSigner signer;
  const Authority* authority = nullptr;  // the signing authority, for role (a)
};

// find_signer: the first signature of the file made by an allowed signer.
// With a domain, authorities must cover it and keyring certificates must be
// certified for it; without one (bundles), only authorities may sign and
// the scope is judged per domain by the caller.
Result<AcceptedSigner> find_signer(ByteView document, ByteView signature_file,
                                   const std::optional<std::string>& domain,
                                   const StatementSigners& signers, base::Seconds now) {
  PGPTLS_TRY(const std::vector<openpgp::Signature> signatures,
             openpgp::parse_detached_signatures(signature_file));
  Reason reason;
  std::vector<std::string> issuers;
  for (const openpgp::Signature& sig : signatures) {
    issuers.push_back(sig.issuer_text());
    const SignatureCheck check{sig, document, signers.policy, now};
    std::vector<Candidate> candidates;
    for (const Authority& authority : signers.authorities) {
      if (authority.cert.find_key(sig.issuer_fingerprint.value_or(Bytes{})) != nullptr ||
          (sig.issuer_key_id && authority.cert.find_key(*sig.issuer_key_id) != nullptr)) {
        candidates.push_back({&authority.cert, &authority});
      }
    }
    if (domain) {
      for (const openpgp::Cert& cert : signers.keyring) {
        if (cert.find_key(sig.issuer_fingerprint.value_or(Bytes{})) != nullptr ||
            (sig.issuer_key_id && cert.find_key(*sig.issuer_key_id) != nullptr)) {
          candidates.push_back({&cert, nullptr});
        }
      }
    }
    for (const Candidate& candidate : candidates) {
      const auto key = verify_with(check, *candidate.cert, reason);
      if (!key) {
        continue;
      }
      StatementSigner signer;
      signer.certificate_fingerprint = candidate.cert->fingerprint();
      signer.key_fingerprint = (*key)->fingerprint;
      signer.signed_at = base::Seconds(std::chrono::seconds(sig.creation_time.value_or(0)));
      if (candidate.authority != nullptr) {
        if (domain && !in_scope(candidate.authority->scopes, *domain)) {
          reason.offer(kOutOfScope,
                       make_error(openpgp::Errc::out_of_scope,
                                  "the statement for " + *domain + " is signed by authority " +
                                      candidate.cert->fingerprint_hex() +
                                      ", but that domain is outside its scope; widen the "
                                      "authority's --scope or have an authority for " +
                                      *domain + " sign it"));
          continue;
        }
        signer.role = SignerRole::authority;
        signer.authority_fingerprint = candidate.cert->fingerprint();
        return AcceptedSigner{std::move(signer), candidate.authority};
      }
      // A domain's own key may sign its statement when an authority
      // certified the certificate for xmpp:D; the signing key's own validity and signing
      // flag were checked above. No authentication key is required: an
      // X.509-only domain's certificate typically has none.
      auto peer = check_domain_certification(*candidate.cert, *domain, signers.authorities,
                                             signers.policy, now);
      if (!peer.ok()) {
        reason.offer(kNotCertified, make_error(openpgp::Errc::signer_not_allowed,
                                               "the statement for " + *domain +
                                                   " is signed by keyring "
                                                   "certificate " +
                                                   candidate.cert->fingerprint_hex() +
                                                   ", which may not vouch for " + *domain + ": " +
                                                   peer.error().message() +
                                                   "; an authority must certify its xmpp:" +
                                                   *domain + " user ID (gpg --quick-sign-key)"));
        continue;
      }
      signer.role = SignerRole::certified_domain_key;
      signer.authority_fingerprint = peer->authority_fingerprint;
      return AcceptedSigner{std::move(signer), nullptr};
    }
  }
  if (reason.error) {
    return *reason.error;
  }
  std::string names;
  for (const std::string& issuer : issuers) {
    names += (names.empty() ? "" : ", ") + issuer;
  }
  const std::string what = domain ? "the statement for " + *domain : std::string("the bundle");
  return make_error(
      openpgp::Errc::signer_not_allowed,
      what + " is signed by " + names + ", which is " +
          (domain ? "neither a configured authority nor a certificate in the keyring; add the "
                    "signer as an authority ('pgptls authority add') or import the domain's "
                    "certified certificate into the keyring"
                  : "not a configured authority; only authorities may sign bundles: add it "
                    "with 'pgptls authority add' if you trust it"));
}

Result<std::string> content_hash(ByteView document) {
  PGPTLS_TRY(const Bytes value,
             openpgp::digest(static_cast<std::uint8_t>(openpgp::HashAlgorithm::sha256), document));
  return base::base64_encode(value);
}

std::vector<std::string> encoded(const std::vector<Bytes>& digests) {
  std::vector<std::string> out;
  out.reserve(digests.size());
  for (const Bytes& value : digests) {
    out.push_back(base::base64_encode(value));
  }
  return out;
}

Status check_issued(const std::optional<base::Seconds>& issued, base::Seconds now,
                    const std::string& what) {
  if (issued && *issued > now + std::chrono::seconds(kMaxIssuedSkewSeconds)) {
    return make_error(openpgp::Errc::malformed_statement,
                      what + " says it was issued " + base::format_utc(*issued) +
                          ", in the future (now " + base::format_utc(now) +
                          "); check the publisher's and this host's clocks");
  }
  return {};
}

Status check_expiry(base::Seconds expiry, const std::optional<base::Seconds>& issued,
                    base::Seconds now, const std::string& what) {
  if (expiry <= now) {
    return make_error(openpgp::Errc::statement_expired,
                      what + (issued ? " issued " + base::format_utc(*issued) : std::string()) +
                          " expired on " + base::format_utc(expiry) +
                          "; its publisher must sign a fresh one");
  }
  return {};
}

}  // namespace

Result<VerifiedStatement> verify_statement(ByteView document, ByteView signature_file,
                                           std::string_view domain_text,
                                           const StatementSigners& signers, base::Seconds now,
                                           const pins::StatementLimits& limits) {
  PGPTLS_TRY(const std::string domain, normalize_domain(domain_text));
  const std::string what = "the statement for " + domain;
  PGPTLS_TRY(const pins::PoshDocument parsed, pins::parse_posh_document(document, limits));
  const auto* statement = std::get_if<pins::PinStatement>(&parsed);
  if (statement == nullptr) {
    return make_error(openpgp::Errc::malformed_statement,
                      what +
                          " is a POSH redirect (\"url\"), not a statement; follow the "
                          "redirect and verify the document it names");
  }
  PGPTLS_TRY(AcceptedSigner accepted, find_signer(document, signature_file, domain, signers, now));
  if (statement->domain && *statement->domain != domain) {
    return make_error(openpgp::Errc::domain_mismatch,
                      what + " names the domain \"" + *statement->domain +
                          "\" in its \"domain\" member: it was published for another domain "
                          "(a copied statement); the publisher of " +
                          domain + " must sign its own");
  }
  PGPTLS_CHECK(check_issued(statement->issued, now, what));
  const base::Seconds expiry =
      pins::statement_expiry(statement->issued, statement->expires_seconds, now);
  PGPTLS_CHECK(check_expiry(expiry, statement->issued, now, what));

  VerifiedStatement verified;
  verified.domain = domain;
  verified.statement = *statement;
  verified.signer = std::move(accepted.signer);
  pins::StatementRecord& record = verified.pins.record;
  record.domain = domain;
  record.signer_fingerprint = base::hex_encode_upper(verified.signer.certificate_fingerprint);
  record.serial = statement->serial.value_or(0);
  record.issued = statement->issued.value_or(now);
  record.expires = expiry;
  PGPTLS_TRY(record.content_sha256, content_hash(document));
  verified.pins.spki_pins = encoded(statement->pins.spki_sha256);
  verified.pins.certificate_pins = encoded(statement->pins.certificate_sha256);
  return verified;
}

Result<VerifiedBundle> verify_bundle(ByteView document, ByteView signature_file,
                                     const StatementSigners& signers, base::Seconds now,
                                     const pins::StatementLimits& limits) {
  PGPTLS_TRY(pins::PinBundle bundle, pins::parse_pin_bundle(document, limits));
  PGPTLS_TRY(AcceptedSigner accepted,
             find_signer(document, signature_file, std::nullopt, signers, now));
  const std::string what = "the bundle (serial " + std::to_string(bundle.serial) + ")";
  PGPTLS_CHECK(check_issued(bundle.issued, now, what));
  const base::Seconds expiry = pins::statement_expiry(bundle.issued, bundle.expires_seconds, now);
  PGPTLS_CHECK(check_expiry(expiry, bundle.issued, now, what));
  PGPTLS_TRY(const std::string hash, content_hash(document));

  VerifiedBundle verified;
  verified.signer = std::move(accepted.signer);
  const std::string signer_hex = base::hex_encode_upper(verified.signer.certificate_fingerprint);
  for (const auto& [name, pins] : bundle.domains) {
    auto domain = normalize_domain(name);
    if (!domain.ok()) {
      verified.refused.push_back({name, std::move(domain).error()});
      continue;
    }
    if (!in_scope(accepted.authority->scopes, *domain)) {
      verified.refused.push_back(
          {*domain, make_error(openpgp::Errc::out_of_scope,
                               "the bundle lists " + *domain +
                                   ", but that domain is outside "
                                   "the scope of its signer, authority " +
                                   signer_hex +
                                   "; its pins were not taken: widen the authority's --scope "
                                   "if it should vouch for " +
                                   *domain)});
      continue;
    }
    pins::SignedStatement statement;
    statement.record.domain = *domain;
    statement.record.signer_fingerprint = signer_hex;
    statement.record.serial = bundle.serial;
    statement.record.issued = bundle.issued;
    statement.record.expires = expiry;
    statement.record.content_sha256 = hash;
    statement.spki_pins = encoded(pins.spki_sha256);
    statement.certificate_pins = encoded(pins.certificate_sha256);
    verified.accepted.push_back(std::move(statement));
  }
  verified.bundle = std::move(bundle);
  return verified;
}

}  // namespace pgptls::keyring
