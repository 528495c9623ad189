#include "cli/refresh_domains.h"

#include <algorithm>
#include <set>

#include "keyring/domain.h"
#include "pins/pin_types.h"

namespace pgptls::cli {

Result<std::vector<std::string>> known_domains(pins::PinStore& pins,
                                               const keyring::KeyringStore& keyring) {
  PGPTLS_TRY(const pins::PinSnapshot snapshot, pins.snapshot());
  std::set<std::string> domains;
  for (const pins::Pin& pin : snapshot.pins) {
    domains.insert(pin.domain);
  }
  for (const pins::SettingEntry& setting : snapshot.settings) {
    if (setting.domain) {
      domains.insert(*setting.domain);
    }
  }
  for (const pins::OpenPgpRecord& record : snapshot.openpgp) {
    domains.insert(record.domain);
  }
  for (const openpgp::Cert& cert : keyring.certificates()) {
    for (const openpgp::UserId& user_id : cert.user_ids) {
      if (user_id.is_attribute) {
        continue;
      }
      if (auto domain = keyring::xmpp_domain_of(user_id.text())) {
        domains.insert(std::move(*domain));
      }
    }
  }
  return std::vector<std::string>(domains.begin(), domains.end());
}

Result<std::vector<std::string>> normalize_refresh_domains(
    const std::vector<std::string>& domains) {
  std::vector<std::string> normalized;
  for (const std::string& domain : domains) {
    PGPTLS_TRY(std::string name, pins::normalize_domain_input(domain));
    if (std::find(normalized.begin(), normalized.end(), name) == normalized.end()) {
      normalized.push_back(std::move(name));
    }
  }
  return normalized;
}

}  // namespace pgptls::cli
