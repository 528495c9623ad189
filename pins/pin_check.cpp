#include "pins/pin_check.h"

#include <algorithm>
#include <vector>

#include "pins/errors.h"

namespace pgptls::pins {
namespace {

bool counts_for(const Pin& pin, bool sticky) {
  return !sticky || pin.source != PinSource::tofu;
}

std::string add_command(const std::string& domain, const std::string& pin) {
  return "'pgptls pin add " + domain + " " + pin + "'";
}

// sticky_reason: why X.509 by TOFU is not enough for this domain, or empty.
Result<std::string> sticky_reason(PinAccess& store, const std::string& domain,
                                  const PinContext& context) {
  if (context.keyring_certified) {
    return std::string("the keyring holds an authority-certified OpenPGP certificate for " +
                       domain);
  }
  PGPTLS_TRY(const std::optional<OpenPgpRecord> record, store.openpgp_auth(domain));
  if (record) {
    return domain + " authenticated with OpenPGP on " + base::format_utc(record->last);
  }
  return std::string();
}

}  // namespace

Result<PinAccepted> check_x509_pin(PinAccess& store, std::string_view domain_text,
                                   ByteView spki_der, const PinContext& context,
                                   base::TimePoint now, ByteView leaf_certificate_der) {
  PGPTLS_TRY(const std::string domain, normalize_domain_input(domain_text));
  PGPTLS_TRY(const std::string presented, pin_from_spki(spki_der));
  const std::string shown = format_pin(presented);
  // RFC 7711 §3.1: POSH fingerprints hash the whole certificate, so they
  // match only the very certificate presented, never a raw key.
  std::string certificate_hash;
  if (!leaf_certificate_der.empty()) {
    PGPTLS_TRY(certificate_hash, certificate_pin(leaf_certificate_der));
  }
  const auto matches = [&](const Pin& pin) {
    if (pin.kind == PinKind::certificate) {
      return !certificate_hash.empty() && pin.pin_sha256 == certificate_hash;
    }
    return pin.pin_sha256 == presented;
  };
  const auto accepted = [](const Pin& pin) {
    return PinAccepted{pin.pin_sha256, pin.kind, pin.source, false, nullptr};
  };

  if (context.force_require_openpgp) {
    return make_error(PinErrc::rejected_by_policy,
                      "x509 key for " + domain + " refused (" + shown +
                          "): require-openpgp is on for this run (--require-openpgp); the peer "
                          "must authenticate with OpenPGP, or run without --require-openpgp");
  }
  PGPTLS_TRY(const bool require_openpgp, store.effective_setting(domain, Setting::require_openpgp));
  if (require_openpgp) {
    PGPTLS_TRY(const std::optional<bool> own, store.setting({domain}, Setting::require_openpgp));
    const std::string scope = own ? "'pgptls pin require-openpgp " + domain + " off'"
                                  : "'pgptls pin require-openpgp --global off'";
    return make_error(PinErrc::rejected_by_policy,
                      "x509 key for " + domain + " refused (" + shown + "): require-openpgp is on" +
                          (own ? " for " + domain : " globally") +
                          "; the peer must authenticate with OpenPGP, or allow X.509 with " +
                          scope);
  }

  PGPTLS_TRY(const std::string sticky, sticky_reason(store, domain, context));
  PGPTLS_TRY(std::vector<Pin> pins, store.pins(domain));

  // RFC 7469 §2.6: a key is accepted when it matches any one of the pins,
  // which is what makes backup pins work for key rotation.
  for (const Pin& pin : pins) {
    if (matches(pin) && pin.live_at(now) && counts_for(pin, !sticky.empty())) {
      return accepted(pin);
    }
  }
  // The key matches a pin that does not count: say which and why.
  for (const Pin& pin : pins) {
    if (!matches(pin)) {
      continue;
    }
    if (!pin.live_at(now)) {
      if (pin.source == PinSource::signed_list) {
        return make_error(
            PinErrc::pin_mismatch,
            "x509 key for " + domain + " matches a signed " + std::string(pin_kind_name(pin.kind)) +
                " pin " + format_pin(pin.pin_sha256) + " whose statement expired on " +
                base::format_utc(*pin.expires) +
                "; fetch a fresh statement with 'pgptls pins refresh " + domain +
                "', or pin the key with " + add_command(domain, presented) + " if you trust it");
      }
      return make_error(PinErrc::pin_mismatch,
                        "x509 key for " + domain + " matches a pin that expired on " +
                            base::format_utc(*pin.expires) + " (" + shown + "); renew it with " +
                            add_command(domain, presented) +
                            " --expires DATE if you still trust it");
    }
    return make_error(PinErrc::pin_mismatch,
                      "x509 key for " + domain + " matches only a tofu pin (" + shown + "), but " +
                          sticky + ", so X.509 needs a manual or signed pin; add it with " +
                          add_command(domain, presented) + " if you trust it");
  }

  PGPTLS_TRY(const bool stored_tofu, store.effective_setting(domain, Setting::tofu));
  const bool tofu = context.force_tofu || stored_tofu;
  if (pins.empty() && tofu) {
    if (!sticky.empty()) {
      return make_error(PinErrc::pin_mismatch,
                        "x509 key for " + domain + " matches no pin (" + shown +
                            "); trust on first use does not apply because " + sticky +
                            "; add it with " + add_command(domain, presented) + " if you trust it");
    }
    auto first_use = store.pin_on_first_use(domain, presented, now);
    if (!first_use.ok() && first_use.error().code == PinErrc::not_ready) {
      // The store decides off this thread: accepted provisionally, final
      // once the caller decided again after the write (which may find
      // another process's pin, or fail).
      PinAccepted provisional{presented, PinKind::spki, PinSource::tofu, true, nullptr};
      provisional.pending = store.pending(domain);
      if (!provisional.pending) {
        provisional.pending = base::Pending::finished({});  // done meanwhile
      }
      return provisional;
    }
    PGPTLS_TRY(TofuOutcome outcome, std::move(first_use));
    if (outcome.pinned) {
      return PinAccepted{presented, PinKind::spki, PinSource::tofu, true, nullptr};
    }
    // Another process pinned the domain between our read and our write:
    // decide again against what it stored.
    pins = std::move(outcome.existing);
    for (const Pin& pin : pins) {
      if (matches(pin) && pin.live_at(now)) {
        return accepted(pin);
      }
    }
  }

  const auto tofu_pin = std::find_if(pins.begin(), pins.end(), [&](const Pin& pin) {
    return pin.source == PinSource::tofu && pin.live_at(now);
  });
  if (tofu_pin != pins.end()) {
    return make_error(PinErrc::pin_mismatch,
                      "x509 key for " + domain + " changed: pinned on first use " +
                          format_pin(tofu_pin->pin_sha256) + " on " +
                          base::format_utc(tofu_pin->created) + ", presented " + shown +
                          "; if the change is expected, replace it with 'pgptls pin remove " +
                          domain + " " + tofu_pin->pin_sha256 + "' and " +
                          add_command(domain, presented));
  }
  return make_error(PinErrc::pin_mismatch, "x509 key for " + domain + " matches no pin (" + shown +
                                               "); add it with " + add_command(domain, presented) +
                                               " if you trust it");
}

}  // namespace pgptls::pins
