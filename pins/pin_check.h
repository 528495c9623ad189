// pin_check.h: the decision for a peer that presents an X.509 certificate or
// a raw public key instead of an OpenPGP certificate: accepted only when its
// SubjectPublicKeyInfo matches a live pin for the domain, or by trust on
// first use where that is allowed.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/pending.h"
#include "base/result.h"
#include "pins/pin_store.h"

namespace pgptls::pins {

// PinContext: what the caller knows about the domain from the keyring.
struct PinContext {
  // The keyring holds an authority-certified OpenPGP certificate for the
  // domain, so the domain may not downgrade to X.509 by TOFU.
  bool keyring_certified = false;
  // Process-wide switches of one program run (`pgptls serve --tofu`,
  // `--require-openpgp`): when set, the setting is on for every domain,
  // whatever the store says; when clear, the store decides.
  bool force_tofu = false;
  bool force_require_openpgp = false;
};

// PinAccepted: why an X.509 key was accepted.
struct PinAccepted {
  std::string pin_sha256;  // the pin that matched (bare base64)
  PinKind kind = PinKind::spki;
  PinSource source = PinSource::manual;
  bool pinned_now = false;  // trust on first use pinned it in this call
  // Set when the store is still deciding the trust-on-first-use pin
  // (pins::PinCache: its transaction runs off the caller's thread):
  // the acceptance is provisional, and final only after deciding again
  // once this finished (its status: the write's error).
  std::shared_ptr<base::Pending> pending;
};

// check_x509_pin: accepts the key `spki_der` for `domain` at `now` when
//  - require-openpgp is off for the domain (or globally), and
//  - a pin for the domain that has not expired matches: an SPKI pin the
//    key, a certificate pin (from a signed POSH statement) the whole
//    `leaf_certificate_der` (empty for raw public keys, which have no
//    certificate, so only SPKI pins apply to them); for an
//    OpenPGP-sticky domain (context.keyring_certified, or the store
//    recorded an OpenPGP authentication) only manual and signed pins count;
//  - or, with tofu on and the domain neither sticky nor pinned at all, the
//    key is pinned (source tofu) and accepted; provisionally (`pending`)
//    while the store decides off the caller's thread.
// Rejections fail with PinErrc::pin_mismatch (or PinErrc::rejected_by_policy for
// require-openpgp) and a message naming the domain, the pins involved and
// the `pgptls pin` command that would change the outcome. Bad input fails
// with PinErrc::invalid_argument, store failures with their own errors.
[[nodiscard]] Result<PinAccepted> check_x509_pin(PinAccess& store, std::string_view domain,
                                                 ByteView spki_der, const PinContext& context,
                                                 base::TimePoint now,
                                                 ByteView leaf_certificate_der = {});

}  // namespace pgptls::pins
