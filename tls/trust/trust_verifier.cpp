#include "tls/trust/trust_verifier.h"

#include <gnutls/crypto.h>

#include <algorithm>
#include <string>

#include "base/encoding.h"
#include "keyring/domain.h"
#include "keyring/keyring_store.h"
#include "keyring/peer_cache.h"
#include "keyring/validate.h"
#include "openpgp/errors.h"
#include "openpgp/key_material.h"
#include "pins/errors.h"
#include "pins/pin_check.h"
#include "pins/pin_types.h"
#include "tls/crypto/gnutls_keys.h"
#include "tls/trust/pkix_verify.h"
#include "tls/wire/errors.h"

namespace pgptls::tls {
namespace {

// as_rejection: a pin decision's refusal becomes peer_rejected (so the peer
// gets certificate_unknown), keeping its message; other failures (the
// store) stay what they are.
Error as_rejection(Error error) {
  if (error.code == pins::PinErrc::pin_mismatch ||
      error.code == pins::PinErrc::rejected_by_policy) {
    return make_error(Errc::peer_rejected, error.context);
  }
  return error;
}

bool contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// xmpp_domains: the domains of a certificate's xmpp: user IDs.
std::vector<std::string> xmpp_domains(const openpgp::Cert& cert) {
  std::vector<std::string> domains;
  for (const openpgp::UserId& user_id : cert.user_ids) {
    if (user_id.is_attribute) {
      continue;
    }
    if (auto domain = keyring::xmpp_domain_of(user_id.text());
        domain && !contains(domains, *domain)) {
      domains.push_back(*domain);
    }
  }
  return domains;
}

}  // namespace

base::Seconds KeyringOpenPgpTrust::now() const {
  return std::chrono::time_point_cast<std::chrono::seconds>(config_.clock->now());
}

Result<VerifiedPeer> KeyringOpenPgpTrust::verify(const PresentedCertificate& certificate,
                                                 const std::optional<std::string>& domain) {
  const base::Seconds at = now();
  const std::string key = cache_key(certificate, domain);
  std::optional<Accepted> accepted = cache_.find(key, at);
  if (!accepted) {
    if (std::optional<Error> refusal = refusals_.find(key, at)) {
      return *std::move(refusal);
    }
    base::Seconds until = at;
    auto fresh = verify_uncached(certificate, domain, at, until);
    if (!fresh.ok()) {
      // A refusal is as much a function of the certificate, the keyring,
      // the authorities, the policy and the time as an acceptance, so it
      // holds for the same window.
      refusals_.store(key, fresh.error(), at, until);
      return std::move(fresh).error();
    }
    accepted = std::move(fresh).value();
    cache_.store(key, *accepted, at, until);
  }
  VerifiedPeer peer;
  peer.type = CertificateType::openpgp;
  peer.domains = accepted->domains;
  peer.accepted_by = accepted->accepted_by;
  PGPTLS_TRY(peer.signing_key, openpgp::to_gnutls_pubkey(accepted->signing_key));
  return peer;
}

std::string KeyringOpenPgpTrust::cache_key(const PresentedCertificate& certificate,
                                           const std::optional<std::string>& domain) {
  // SHA-256 of what the peer presented (the whole key, or the fingerprint
  // form), then the key ID it signs with, then the domain asked for.
  std::string key(32, '\0');
  const Bytes& presented = certificate.openpgp_transferable_key.empty()
                               ? certificate.openpgp_fingerprint
                               : certificate.openpgp_transferable_key;
  const char form = certificate.openpgp_transferable_key.empty() ? 'F' : 'K';
  gnutls_hash_fast(GNUTLS_DIG_SHA256, presented.data(), presented.size(), key.data());
  key.push_back(form);
  key.push_back(static_cast<char>(certificate.openpgp_key_id.size()));
  key.append(certificate.openpgp_key_id.begin(), certificate.openpgp_key_id.end());
  if (domain) {
    key.push_back('=');
    key.append(*domain);
  } else {
    key.push_back('*');
  }
  return key;
}

Result<KeyringOpenPgpTrust::Accepted> KeyringOpenPgpTrust::verify_uncached(
    const PresentedCertificate& certificate, const std::optional<std::string>& domain,
    base::Seconds at, base::Seconds& until) {
  // Until a certificate is found, the verdict depends on the presented
  // bytes and the keyring alone, which never change for this object.
  until = keyring::kNoValidityChange;
  // RFC 6091 §3.3: the whole key (subkey_cert), or only its fingerprint
  // (subkey_cert_fingerprint), which must name a certificate we hold.
  std::optional<openpgp::Cert> parsed;
  const openpgp::Cert* cert = nullptr;
  if (!certificate.openpgp_transferable_key.empty()) {
    auto one =
        openpgp::parse_certificate(certificate.openpgp_transferable_key, config_.policy.limits);
    if (!one.ok()) {
      return make_error(Errc::bad_certificate,
                        "the peer's OpenPGP certificate does not parse: " + one.error().message());
    }
    parsed = std::move(one).value();
    // The keyring's copy of the same certificate counts too: a revocation
    // the operator imported is not in the copy the peer chose to send.
    const openpgp::Cert* known = find(parsed->fingerprint());
    auto merged = keyring::with_keyring_copy(std::move(*parsed), known);
    if (!merged.ok()) {
      return make_error(Errc::bad_certificate, "the peer's " + merged.error().message());
    }
    parsed = std::move(merged).value();
    cert = &*parsed;
  } else {
    cert = find(certificate.openpgp_fingerprint);
    if (cert == nullptr) {
      return make_error(Errc::certificate_unobtainable,
                        "the peer sent only the fingerprint " +
                            base::hex_encode_upper(certificate.openpgp_fingerprint) +
                            ", and the keyring has no such certificate; import the peer's "
                            "certificate into the keyring");
    }
  }

  const std::shared_ptr<const Standing> authorities = standing(at);
  // authorities->until is the authorities' next change after `at` too.
  until = std::min(keyring::validity_change_after(*cert, at), authorities->until);

  std::vector<std::string> candidates;
  if (domain) {
    candidates.push_back(*domain);
  } else {
    candidates = xmpp_domains(*cert);
  }
  Accepted accepted;
  std::vector<openpgp::PublicKey> usable;  // authentication keys, from the first acceptance
  std::string refusals;
  for (const std::string& candidate : candidates) {
    auto acceptance = keyring::check_peer(*cert, candidate, config_.authorities,
                                          authorities->status, config_.policy, at);
    if (!acceptance.ok()) {
      refusals += (refusals.empty() ? "" : "; ") + acceptance.error().message();
      continue;
    }
    accepted.domains.push_back(acceptance->domain);
    if (!accepted.accepted_by.empty()) {
      accepted.accepted_by += "; ";
    }
    accepted.accepted_by += "authority " +
                            base::hex_encode_upper(acceptance->authority_fingerprint) +
                            " certified '" + acceptance->user_id + "'";
    if (usable.empty()) {
      usable = std::move(acceptance->keys);
    }
  }
  if (accepted.domains.empty()) {
    return make_error(
        Errc::peer_rejected,
        "OpenPGP certificate " + cert->fingerprint_hex() +
            // check_peer's reasons each name their own fix.
            (candidates.empty() ? std::string(" has no xmpp: user ID; the peer's operator must "
                                              "add one (xmpp:DOMAIN) and get it certified by a "
                                              "configured authority")
                                : " is not accepted: " + refusals));
  }
  // The component key that signs in the handshake, named by the key ID:
  // check_peer already listed the usable authentication keys, so the
  // certificate is not validated a second time.
  const ByteView id = certificate.openpgp_key_id;
  const auto named = std::find_if(usable.begin(), usable.end(), [&](const openpgp::PublicKey& k) {
    const Bytes& ref = id.size() == 8 ? k.key_id : k.fingerprint;
    return std::equal(id.begin(), id.end(), ref.begin(), ref.end());
  });
  if (named != usable.end()) {
    accepted.signing_key = *named;
  } else {
    // Not a usable key: validate again only to say why.
    const keyring::ValidatedCert validated = keyring::validate(*cert, config_.policy, at);
    auto key = keyring::select_authentication_key(validated, id, config_.policy);
    if (!key.ok()) {
      return make_error(Errc::peer_rejected, "key " + base::hex_encode_upper(id) +
                                                 " named in the handshake cannot authenticate: " +
                                                 key.error().message());
    }
    accepted.signing_key = **key;
  }
  return accepted;
}

std::shared_ptr<const KeyringOpenPgpTrust::Standing> KeyringOpenPgpTrust::standing(
    base::Seconds at) {
  const std::lock_guard lock(standing_mutex_);
  if (standing_ == nullptr || at < standing_->from || at >= standing_->until) {
    auto fresh = std::make_shared<Standing>();
    fresh->status = keyring::authority_standing(config_.authorities, config_.policy, at);
    fresh->from = at;
    fresh->until = keyring::validity_change_after(config_.authorities, at);
    standing_ = std::move(fresh);
    ++standing_computed_;
  }
  return standing_;
}

std::uint64_t KeyringOpenPgpTrust::authority_validations() const {
  const std::lock_guard lock(standing_mutex_);
  return standing_computed_;
}

KeyringOpenPgpTrust::KeyringOpenPgpTrust(KeyringTrustConfig config) : config_(std::move(config)) {
  for (std::size_t i = 0; i < config_.certificates.size(); ++i) {
    const openpgp::Cert& cert = config_.certificates[i];
    const Bytes& fingerprint = cert.fingerprint();
    by_fingerprint_.emplace(std::string(fingerprint.begin(), fingerprint.end()), i);
    for (const std::string& domain : xmpp_domains(cert)) {
      by_domain_.emplace(domain, i);
    }
  }
}

const openpgp::Cert* KeyringOpenPgpTrust::find(ByteView fingerprint) const {
  const auto found = by_fingerprint_.find(std::string(fingerprint.begin(), fingerprint.end()));
  return found == by_fingerprint_.end() ? nullptr : &config_.certificates[found->second];
}

Result<bool> KeyringOpenPgpTrust::domain_is_certified(std::string_view domain) {
  PGPTLS_TRY(const std::string normalized, keyring::normalize_domain(domain));
  const base::Seconds at = now();
  const std::shared_ptr<const Standing> authorities = standing(at);
  const auto [first, last] = by_domain_.equal_range(normalized);
  for (auto entry = first; entry != last; ++entry) {
    const openpgp::Cert& cert = config_.certificates[entry->second];
    if (keyring::check_peer(cert, normalized, config_.authorities, authorities->status,
                            config_.policy, at)
            .ok()) {
      return true;
    }
  }
  return false;
}

Result<std::vector<std::string>> KeyringOpenPgpTrust::domains_for_authentication_key(
    ByteView spki_der) {
  std::vector<std::string> domains;
  const base::Seconds at = now();
  const std::shared_ptr<const Standing> authorities = standing(at);
  for (const openpgp::Cert& cert : config_.certificates) {
    for (const std::string& domain : xmpp_domains(cert)) {
      auto acceptance = keyring::check_peer(cert, domain, config_.authorities, authorities->status,
                                            config_.policy, at);
      if (!acceptance.ok()) {
        continue;
      }
      for (const openpgp::PublicKey& key : acceptance->keys) {
        auto handle = openpgp::to_gnutls_pubkey(key);
        if (!handle.ok()) {
          continue;  // an algorithm GnuTLS cannot express as SPKI
        }
        PGPTLS_TRY(const Bytes spki, spki_of(handle->get()));
        if (std::equal(spki.begin(), spki.end(), spki_der.begin(), spki_der.end()) &&
            !contains(domains, acceptance->domain)) {
          domains.push_back(acceptance->domain);
        }
      }
    }
  }
  return domains;
}

bool TrustVerifier::Deferral::note(const Error& error, const std::string& about,
                                   pins::PinAccess& pins) {
  if (error.code != pins::PinErrc::not_ready) {
    return false;
  }
  if (!ready) {
    domain = about;
    ready = pins.pending(about);
    if (!ready) {
      ready = base::Pending::finished({});  // finished meanwhile: decide again at once
    }
  }
  return true;
}

Result<VerifiedPeer> TrustVerifier::verify(const PresentedCertificate& certificate,
                                           const VerifyRequest& request) {
  if (!config_.pins || !config_.clock) {
    return make_error(Errc::invalid_state, "trust verifier needs a pin store and a clock");
  }
  return judge(certificate, request, true);
}

Result<VerifiedPeer> TrustVerifier::judge(const PresentedCertificate& certificate,
                                          const VerifyRequest& request, bool may_catch_up) {
  Deferral deferral;
  auto verdict = decide(certificate, request, deferral);
  if (!verdict.ok() && verdict.error().code == pins::PinErrc::not_ready && deferral.ready) {
    return provisional(certificate, request, std::move(deferral), may_catch_up);
  }
  if (may_catch_up && !verdict.ok() && verdict.error().code == Errc::peer_rejected &&
      certificate.type != CertificateType::openpgp) {
    // The pins may come from a snapshot (pins::PinCache): before a
    // rejection is final, catch up with what operators committed since
    // (`pgptls pin add` counts for the next connection), and decide again
    // from memory after the reload; that decision is final. Catching up
    // reads nothing when nothing was committed, so a flood of rejected
    // peers costs no store read.
    if (std::shared_ptr<base::Pending> reload = config_.pins->catch_up()) {
      Deferral after;
      after.ready = std::move(reload);
      return provisional(certificate, request, std::move(after), false);
    }
  }
  return verdict;
}

Result<VerifiedPeer> TrustVerifier::provisional(const PresentedCertificate& certificate,
                                                const VerifyRequest& request, Deferral deferral,
                                                bool may_catch_up) {
  VerifiedPeer peer;
  if (deferral.openpgp) {
    peer = std::move(*deferral.openpgp);
  } else {
    peer.type = certificate.type;
    Bytes spki = certificate.raw_public_key;
    if (certificate.type == CertificateType::x509) {
      if (certificate.x509_chain.empty()) {
        return make_error(Errc::bad_certificate, "the peer sent an empty X.509 chain");
      }
      PGPTLS_TRY(spki, spki_of_x509(certificate.x509_chain.front()));
    }
    PGPTLS_TRY(peer.signing_key, public_key_from_spki(spki));
    if (request.expected_domain) {
      peer.domains = {*request.expected_domain};
    }
  }
  const std::string about = deferral.domain.empty() ? "" : " of " + deferral.domain;
  peer.accepted_by = "pending: waiting for the pin store's disk work" + about;
  // The engine checks the peer's signature with this key; the final
  // verdict must be about the same key.
  PGPTLS_TRY(Bytes key, spki_of(peer.signing_key.get()));
  auto pending = std::make_shared<PendingVerdict>();
  pending->ready = std::move(deferral.ready);
  pending->settle = [verifier = std::make_shared<TrustVerifier>(config_), certificate, request,
                     about, first_use = std::move(deferral.first_use_pin), key = std::move(key),
                     may_catch_up](const Status& ready) -> Result<VerifiedPeer> {
    if (!ready.ok()) {
      // Fail closed: the write (or reload) this decision needed failed.
      return ready.error().wrap("the pin store's disk work" + about + " failed");
    }
    PGPTLS_TRY(VerifiedPeer peer, verifier->judge(certificate, request, may_catch_up));
    if (peer.pending) {
      return peer;  // waits again (other disk work came first)
    }
    PGPTLS_TRY(const Bytes settled, spki_of(peer.signing_key.get()));
    if (settled != key) {
      return make_error(Errc::internal_error,
                        "the final verdict accepted another key than the provisional one");
    }
    // The pin this connection asked the store for: say it was pinned now.
    if (!first_use.empty() && peer.accepted_by == "pin sha256/" + first_use + " (tofu)") {
      peer.accepted_by = "tofu " + peer.accepted_by;
    }
    return peer;
  };
  peer.pending = std::move(pending);
  return peer;
}

Result<VerifiedPeer> TrustVerifier::decide(const PresentedCertificate& certificate,
                                           const VerifyRequest& request, Deferral& deferral) {
  if (certificate.type == CertificateType::openpgp) {
    return verify_openpgp(certificate, request, deferral);
  }
  Bytes spki;
  if (certificate.type == CertificateType::raw_public_key) {
    spki = certificate.raw_public_key;
  } else {
    if (certificate.x509_chain.empty()) {
      return make_error(Errc::bad_certificate, "the peer sent an empty X.509 chain");
    }
    PGPTLS_TRY(spki, spki_of_x509(certificate.x509_chain.front()));
  }
  if (!request.expected_domain) {
    return verify_key_any_domain(certificate, spki, deferral);
  }
  PGPTLS_TRY(const std::string domain, keyring::normalize_domain(*request.expected_domain));
  return verify_key(certificate, domain, spki, deferral);
}

Result<VerifiedPeer> TrustVerifier::verify_openpgp(const PresentedCertificate& certificate,
                                                   const VerifyRequest& request,
                                                   Deferral& deferral) {
  if (!config_.openpgp) {
    return make_error(Errc::peer_rejected,
                      "the peer presented an OpenPGP certificate, but no OpenPGP authorities "
                      "are configured; add one with 'pgptls authority add'");
  }
  PGPTLS_TRY(VerifiedPeer peer, config_.openpgp->verify(certificate, request.expected_domain));
  // Remember that these domains speak OpenPGP: they may not fall back to an
  // X.509 key pinned by TOFU later (downgrade protection). Failing to record
  // it fails the connection rather than silently weakening the protection.
  for (const std::string& domain : peer.domains) {
    Status recorded = config_.pins->record_openpgp_auth(domain, config_.clock->now());
    if (!recorded.ok()) {
      // The domain's first login is being written: this decision comes
      // after it (and fails closed if it fails).
      if (deferral.note(recorded.error(), domain, *config_.pins)) {
        deferral.openpgp = std::move(peer);
      }
      return std::move(recorded).error();
    }
  }
  return peer;
}

Result<VerifiedPeer> TrustVerifier::verify_key(const PresentedCertificate& certificate,
                                               const std::string& domain, ByteView spki,
                                               Deferral& deferral) {
  auto verdict = [&]() -> Result<VerifiedPeer> {
    VerifiedPeer peer;
    peer.type = certificate.type;
    peer.domains = {domain};
    PGPTLS_TRY(peer.signing_key, public_key_from_spki(spki));

    // An OpenPGP-bound raw key: the authentication key of a certificate an
    // authority certified for this domain.
    bool certified = false;
    if (config_.openpgp) {
      PGPTLS_TRY(certified, config_.openpgp->domain_is_certified(domain));
      if (certificate.type == CertificateType::raw_public_key && certified) {
        PGPTLS_TRY(const auto domains, config_.openpgp->domains_for_authentication_key(spki));
        if (contains(domains, domain)) {
          peer.accepted_by = "authority-certified OpenPGP authentication key (raw public key)";
          PGPTLS_CHECK(config_.pins->record_openpgp_auth(domain, config_.clock->now()));
          return peer;
        }
      }
    }

    const pins::PinContext context{certified, config_.policy.force_tofu,
                                   config_.policy.force_require_openpgp};
    // Certificate pins (signed POSH statements) match the leaf itself.
    const ByteView leaf = certificate.type == CertificateType::x509
                              ? ByteView(certificate.x509_chain.front())
                              : ByteView();
    auto pinned =
        pins::check_x509_pin(*config_.pins, domain, spki, context, config_.clock->now(), leaf);
    if (pinned.ok() && pinned->pending) {
      // Trust on first use, decided by the store off this thread.
      deferral.domain = domain;
      deferral.ready = pinned->pending;
      deferral.first_use_pin = pinned->pin_sha256;
      return make_error(pins::PinErrc::not_ready,
                        "trust on first use of " + domain + " is being written");
    }
    if (pinned.ok()) {
      peer.accepted_by = std::string(pinned->pinned_now ? "tofu pin sha256/" : "pin sha256/") +
                         pinned->pin_sha256 + " (" +
                         std::string(pins::pin_source_name(pinned->source)) + ")";
      return peer;
    }
    const Error refusal = std::move(pinned).error();
    if (refusal.code != pins::PinErrc::pin_mismatch) {
      return as_rejection(refusal);  // require-openpgp, or a store failure
    }

    // Optional PKIX, never for a domain that is sticky to OpenPGP.
    if (config_.policy.pkix && certificate.type == CertificateType::x509) {
      PGPTLS_TRY(const auto record, config_.pins->openpgp_auth(domain));
      if (!certified && !record) {
        auto pkix = pkix_verify(certificate.x509_chain, domain, config_.policy.pkix_ca_file,
                                config_.clock->now());
        if (pkix.ok()) {
          peer.accepted_by = "pkix " + *pkix;
          return peer;
        }
        return make_error(
            Errc::peer_rejected,
            refusal.context + "; nor does it validate as PKIX: " + pkix.error().context);
      }
    }
    return as_rejection(refusal);
  }();
  if (!verdict.ok()) {
    (void)deferral.note(verdict.error(), domain, *config_.pins);
  }
  return verdict;
}

Result<VerifiedPeer> TrustVerifier::verify_key_any_domain(const PresentedCertificate& certificate,
                                                          ByteView spki, Deferral& deferral) {
  PGPTLS_TRY(const std::string presented, pins::pin_from_spki(spki));
  std::string leaf_hash;
  if (certificate.type == CertificateType::x509) {
    PGPTLS_TRY(leaf_hash, pins::certificate_pin(certificate.x509_chain.front()));
  }
  std::vector<std::string> candidates;
  PGPTLS_TRY(const auto all, config_.pins->all_pins());
  for (const pins::Pin& pin : all) {
    const bool match = pin.kind == pins::PinKind::certificate
                           ? !leaf_hash.empty() && pin.pin_sha256 == leaf_hash
                           : pin.pin_sha256 == presented;
    if (match && !contains(candidates, pin.domain)) {
      candidates.push_back(pin.domain);
    }
  }
  if (certificate.type == CertificateType::raw_public_key && config_.openpgp) {
    PGPTLS_TRY(const auto bound, config_.openpgp->domains_for_authentication_key(spki));
    for (const std::string& domain : bound) {
      if (!contains(candidates, domain)) {
        candidates.push_back(domain);
      }
    }
  }
  // Each candidate domain gets the full decision (expiry, sticky, policy);
  // TOFU cannot apply: every candidate already has a pin or a binding.
  VerifiedPeer accepted;
  accepted.type = certificate.type;
  std::string refusals;
  for (const std::string& domain : candidates) {
    auto verdict = verify_key(certificate, domain, spki, deferral);
    if (!verdict.ok() && verdict.error().code == pins::PinErrc::not_ready) {
      return verdict;  // the whole decision waits for that domain's disk work
    }
    if (verdict.ok()) {
      accepted.domains.push_back(domain);
      if (!accepted.accepted_by.empty()) {
        accepted.accepted_by += "; ";
      }
      accepted.accepted_by += domain + ": " + verdict->accepted_by;
    } else {
      refusals += "; " + verdict.error().context;
    }
  }
  if (accepted.domains.empty()) {
    const std::string shown = pins::format_pin(presented);
    return make_error(Errc::peer_rejected,
                      std::string(certificate_type_name(certificate.type)) + " key (" + shown +
                          ") is not authenticated for any domain" + refusals +
                          "; the peer's domain is not known yet, so trust on first use cannot "
                          "apply; pin it with 'pgptls pin add DOMAIN " +
                          presented + "' if you trust it");
  }
  PGPTLS_TRY(accepted.signing_key, public_key_from_spki(spki));
  return accepted;
}

}  // namespace pgptls::tls
