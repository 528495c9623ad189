// trust_verifier.h: the PeerVerifier that makes pgptls's trust decision.
//
//  * OpenPGP certificates go to the keyring side (OpenPgpTrust): accepted
//    when an authority certified the key for the domain. Each acceptance is
//    recorded in the pin store, which makes the domain "sticky".
//  * X.509 certificates and raw public keys (RFC 7250) are accepted when
//    their SubjectPublicKeyInfo matches a pin for the domain
//    (pins::check_x509_pin: manual/signed/tofu pins, expiry, TOFU,
//    require-openpgp; a domain the keyring holds an authority-certified
//    certificate for is sticky: X.509 needs a manual or signed pin).
//  * A raw public key is also accepted when it is the authentication key of
//    an authority-certified OpenPGP certificate for the domain (OpenPGP trust
//    over TLS 1.3).
//  * Optionally (off by default) an X.509 chain that validates against the
//    system trust store with an XMPP name of the domain (RFC 6120 §13.7.1.2,
//    RFC 6125), but never for a sticky or require-openpgp domain.
//
// Without an expected domain (a server before the stream header), the
// verifier returns every domain the credential is authenticated for, and
// rejects a credential authenticated for none.
//
// Usage:
//   auto pins = std::make_shared<pins::PinStore>(pins::PinStore::open(path).value());
//   auto verifier = std::make_shared<tls::TrustVerifier>(
//       tls::TrustVerifierConfig{pins, openpgp_trust, tls::TrustPolicy{}, clock});
//   engine_config.verifier = verifier;
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/result.h"
#include "keyring/authority.h"
#include "keyring/peer_cache.h"
#include "keyring/policy.h"
#include "openpgp/cert.h"
#include "pins/pin_store.h"
#include "tls/engine/peer_verifier.h"

namespace pgptls::tls {

// OpenPgpTrust: the keyring's answers the verifier needs (authorities with
// their scopes, the certificate store, key selection). Implemented over
// the keyring library; the verifier holds no OpenPGP logic itself.
class OpenPgpTrust {
 public:
  virtual ~OpenPgpTrust() = default;
  // verify: an OpenPGP certificate as presented (subkey_cert or
  // subkey_cert_fingerprint resolved through the keyring) for the expected
  // domain, or for any domain it is certified for. The returned signing key
  // is the component key named by the key ID. Rejections name cause and fix.
  [[nodiscard]] virtual Result<VerifiedPeer> verify(const PresentedCertificate& certificate,
                                                    const std::optional<std::string>& domain) = 0;
  // domain_is_certified: the keyring holds an authority-certified,
  // currently valid certificate for the domain.
  [[nodiscard]] virtual Result<bool> domain_is_certified(std::string_view domain) = 0;
  // domains_for_authentication_key: the domains whose authority-certified
  // certificate has this key (DER SubjectPublicKeyInfo) as its valid
  // authentication key.
  [[nodiscard]] virtual Result<std::vector<std::string>> domains_for_authentication_key(
      ByteView spki_der) = 0;
};

// KeyringTrustConfig: the OpenPGP side over the keyring library.
struct KeyringTrustConfig {
  std::vector<keyring::Authority> authorities;  // designated signers with scopes
  // Known peer certificates: resolve subkey_cert_fingerprint, decide which
  // domains are certified (sticky), and bind raw public keys.
  std::vector<openpgp::Cert> certificates;
  keyring::Policy policy = keyring::Policy::standard();
  std::shared_ptr<const base::Clock> clock;  // required
};

// KeyringOpenPgpTrust: OpenPgpTrust over keyring::check_peer (direct
// certification by an authority, in scope, at the clock's now) and
// keyring::select_authentication_key (the component the key ID names).
// Its keyring, authorities and policy never change: a change means a new
// object. So it keeps verdicts in keyring::PeerCache, each for exactly as
// long as it holds (until the next creation or expiry instant in the peer's
// or an authority's certificate): a returning peer costs no signature
// verification beyond the handshake's own, and a refused certificate sent
// again costs no validation either. Refusals have a cache of their own, so
// a flood of refused certificates cannot push accepted peers out. The
// authorities' own validity is computed once per such window, not per peer.
// Thread-safe: verify may run on several event-loop threads at once.
class KeyringOpenPgpTrust final : public OpenPgpTrust {
 public:
  // kCacheCapacity: accepted peers remembered (a few hundred bytes each).
  static constexpr std::size_t kCacheCapacity = 4096;
  // kRefusalCapacity: refused certificates remembered (their reasons).
  static constexpr std::size_t kRefusalCapacity = 1024;

  explicit KeyringOpenPgpTrust(KeyringTrustConfig config);
  [[nodiscard]] Result<VerifiedPeer> verify(const PresentedCertificate& certificate,
                                            const std::optional<std::string>& domain) override;
  [[nodiscard]] Result<bool> domain_is_certified(std::string_view domain) override;
  [[nodiscard]] Result<std::vector<std::string>> domains_for_authentication_key(
      ByteView spki_der) override;

  // cache_hits / cache_misses: how often verify found an accepted verdict
  // (tests, benchmarks); refusal_hits: how often a cached refusal.
  [[nodiscard]] std::uint64_t cache_hits() const { return cache_.hits(); }
  [[nodiscard]] std::uint64_t cache_misses() const { return cache_.misses(); }
  [[nodiscard]] std::uint64_t refusal_hits() const { return refusals_.hits(); }
  // authority_validations: how often the authorities' standing was
  // computed (once per validity window of their certificates).
  [[nodiscard]] std::uint64_t authority_validations() const;

 private:
  [[nodiscard]] base::Seconds now() const;
  // Standing: keyring::authority_standing, valid for times in [from, until).
  struct Standing {
    std::vector<Status> status;
    base::Seconds from;
    base::Seconds until;
  };
  // standing: the authorities' standing at `at`, computed again only when
  // `at` left the window of the last one.
  [[nodiscard]] std::shared_ptr<const Standing> standing(base::Seconds at);
  // find: the keyring's certificate with this primary fingerprint, or null.
  [[nodiscard]] const openpgp::Cert* find(ByteView fingerprint) const;

  // Accepted: what a verdict keeps (values, so it outlives the parsed
  // certificate).
  struct Accepted {
    std::vector<std::string> domains;
    std::string accepted_by;
    openpgp::PublicKey signing_key;
  };
  [[nodiscard]] static std::string cache_key(const PresentedCertificate& certificate,
                                             const std::optional<std::string>& domain);
  // verify_uncached: the full decision at `at`; sets `until` to the first
  // instant at which it may change.
  [[nodiscard]] Result<Accepted> verify_uncached(const PresentedCertificate& certificate,
                                                 const std::optional<std::string>& domain,
                                                 base::Seconds at, base::Seconds& until);

  KeyringTrustConfig config_;
  keyring::PeerCache<Accepted> cache_{kCacheCapacity};
  keyring::PeerCache<Error> refusals_{kRefusalCapacity};
  mutable std::mutex standing_mutex_;
  std::shared_ptr<const Standing> standing_;  // guarded by standing_mutex_
  std::uint64_t standing_computed_ = 0;       // guarded by standing_mutex_
  // Built once, so a handshake looks certificates up instead of scanning a
  // keyring of any size: primary fingerprint -> certificate, xmpp: domain ->
  // the certificates with such a user ID (indexes into config_.certificates).
  std::unordered_map<std::string, std::size_t> by_fingerprint_;
  std::unordered_multimap<std::string, std::size_t> by_domain_;
};

// TrustPolicy: switches of the decision.
struct TrustPolicy {
  // Accept X.509 chains validating against a trust store (off by default).
  bool pkix = false;
  // The trust store for pkix: empty = the system's
  // (gnutls_x509_trust_list_add_system_trust); else a PEM file of CAs.
  std::filesystem::path pkix_ca_file;
  // Process-wide overrides of the pin store's tofu and require-openpgp
  // settings for this run (pins::PinContext): on when set.
  bool force_tofu = false;
  bool force_require_openpgp = false;
};

// TrustVerifierConfig: what the verifier decides with.
struct TrustVerifierConfig {
  // Required. A pins::PinCache in servers: reads from memory, writes off
  // the event loop; a pins::PinStore where blocking does not matter.
  std::shared_ptr<pins::PinAccess> pins;
  std::shared_ptr<OpenPgpTrust> openpgp;  // nullptr: no OpenPGP trust
  TrustPolicy policy;
  std::shared_ptr<const base::Clock> clock;  // required
};

// TrustVerifier: see the file comment. Thread-safe when its pins and its
// OpenPGP trust are (PinCache and KeyringOpenPgpTrust are; a PinStore is
// one connection, for one thread at a time).
//
// It never waits for the disk. Where the pins answer PinErrc::not_ready (a
// trust-on-first-use pin being stored, a domain's first OpenPGP login
// being written) or a rejection must wait for a reload (catch_up), it
// accepts provisionally: the VerifiedPeer carries the presented key and a
// PendingVerdict whose settle step, run once the disk work finished,
// fails closed when that work failed, and otherwise decides again from
// memory (a rejection after a catch-up is then final).
class TrustVerifier final : public PeerVerifier {
 public:
  explicit TrustVerifier(TrustVerifierConfig config) : config_(std::move(config)) {}

  // verify: see PeerVerifier. Rejections fail with Errc::peer_rejected and
  // the reason; pin store or keyring failures keep their own errors.
  [[nodiscard]] Result<VerifiedPeer> verify(const PresentedCertificate& certificate,
                                            const VerifyRequest& request) override;

 private:
  // Deferral: what one decision found it must wait for.
  struct Deferral {
    std::string domain;                    // the domain whose disk work it waits for
    std::shared_ptr<base::Pending> ready;  // that work's completion
    std::optional<VerifiedPeer> openpgp;   // an OpenPGP acceptance waiting for its record
    std::string first_use_pin;             // the pin trust on first use is storing
    // note: when `error` is PinErrc::not_ready about `domain`, notes the
    // work to wait for and returns true.
    bool note(const Error& error, const std::string& about, pins::PinAccess& pins);
  };

  // judge: decide; a decision that must wait (Deferral), or a rejection of
  // a key while the pins may lag behind the file (when `may_catch_up`),
  // becomes a provisional acceptance.
  [[nodiscard]] Result<VerifiedPeer> judge(const PresentedCertificate& certificate,
                                           const VerifyRequest& request, bool may_catch_up);
  // provisional: the acceptance pending `ready`; its settle step decides
  // again (with a catch-up when `may_catch_up`).
  [[nodiscard]] Result<VerifiedPeer> provisional(const PresentedCertificate& certificate,
                                                 const VerifyRequest& request, Deferral deferral,
                                                 bool may_catch_up);
  // decide: one decision on the pins and keyring as they are now.
  [[nodiscard]] Result<VerifiedPeer> decide(const PresentedCertificate& certificate,
                                            const VerifyRequest& request, Deferral& deferral);
  [[nodiscard]] Result<VerifiedPeer> verify_openpgp(const PresentedCertificate& certificate,
                                                    const VerifyRequest& request,
                                                    Deferral& deferral);
  [[nodiscard]] Result<VerifiedPeer> verify_key(const PresentedCertificate& certificate,
                                                const std::string& domain, ByteView spki,
                                                Deferral& deferral);
  [[nodiscard]] Result<VerifiedPeer> verify_key_any_domain(const PresentedCertificate& certificate,
                                                           ByteView spki, Deferral& deferral);

  TrustVerifierConfig config_;
};

}  // namespace pgptls::tls
