// refresh_domains.h: which domains `pgptls pins refresh` visits when none are
// named: every domain known to the pin store and the keyring.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "keyring/keyring_store.h"
#include "pins/pin_store.h"

namespace pgptls::cli {

// known_domains: the domains of every pin, per-domain switch and OpenPGP
// record in the pin store, and of every xmpp:<domain> user ID in the
// keyring; sorted, each once. Fails when the pin store cannot be read.
[[nodiscard]] Result<std::vector<std::string>> known_domains(pins::PinStore& pins,
                                                             const keyring::KeyringStore& keyring);

// normalize_refresh_domains: the operator's DOMAIN arguments, normalised
// (pins::normalize_domain_input) and de-duplicated in their order.
// Fails naming the first invalid domain.
[[nodiscard]] Result<std::vector<std::string>> normalize_refresh_domains(
    const std::vector<std::string>& domains);

}  // namespace pgptls::cli
