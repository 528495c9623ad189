#include "openpgp/errors.h"

#include <string>

namespace pgptls::keyring {
namespace {

class KeyringCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "pgptls.keyring"; }

  std::string message(int value) const override {
    switch (static_cast<Errc>(value)) {
      case Errc::malformed_packet:
        return "malformed OpenPGP packet";
      case Errc::malformed_certificate:
        return "malformed OpenPGP certificate";
      case Errc::unsupported_version:
        return "unsupported OpenPGP packet version";
      case Errc::unsupported_algorithm:
        return "unsupported OpenPGP algorithm";
      case Errc::rejected_by_policy:
        return "rejected by the security policy";
      case Errc::bad_signature:
        return "signature does not verify";
      case Errc::unknown_critical_subpacket:
        return "signature has an unknown critical subpacket";
      case Errc::key_expired:
        return "key expired";
      case Errc::key_revoked:
        return "key revoked";
      case Errc::user_id_revoked:
        return "user ID revoked";
      case Errc::no_valid_self_signature:
        return "no valid self-signature";
      case Errc::not_certified:
        return "peer key not certified by any authority";
      case Errc::certification_revoked:
        return "certification revoked by the authority";
      case Errc::certification_expired:
        return "certification expired";
      case Errc::authority_invalid:
        return "authority certificate is not valid";
      case Errc::out_of_scope:
        return "domain outside the authority's scope";
      case Errc::no_matching_user_id:
        return "no matching xmpp: user ID";
      case Errc::no_usable_key:
        return "no usable authentication key";
      case Errc::not_found:
        return "not found";
      case Errc::bad_armor:
        return "malformed ASCII armor";
      case Errc::bad_passphrase:
        return "wrong passphrase";
      case Errc::key_on_card:
        return "secret key is stored on a smartcard";
      case Errc::storage_error:
        return "store could not be read or written";
      case Errc::corrupt_database:
        return "database is damaged";
      case Errc::invalid_argument:
        return "invalid argument";
      case Errc::malformed_statement:
        return "malformed pin statement";
      case Errc::statement_expired:
        return "pin statement expired";
      case Errc::signer_not_allowed:
        return "statement signer not allowed for the domain";
      case Errc::domain_mismatch:
        return "statement names another domain";
    }
    return "unknown keyring error";
  }
};

}  // namespace

const std::error_category& keyring_category() noexcept {
  static const KeyringCategory category;
  return category;
}

}  // namespace pgptls::keyring
