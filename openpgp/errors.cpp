#include "openpgp/errors.h"

#include <string>
#include <string_view>

#include "base/error_category.h"

namespace pgptls::openpgp {
namespace {

// kMessages: what each Errc value means.
constexpr base::ErrorMessages<Errc, 29> kMessages{{
    {Errc::malformed_packet, "malformed OpenPGP packet"},
    {Errc::malformed_certificate, "malformed OpenPGP certificate"},
    {Errc::unsupported_version, "unsupported OpenPGP packet version"},
    {Errc::unsupported_algorithm, "unsupported OpenPGP algorithm"},
    {Errc::rejected_by_policy, "rejected by the security policy"},
    {Errc::bad_signature, "signature does not verify"},
    {Errc::unknown_critical_subpacket, "signature has an unknown critical subpacket"},
    {Errc::key_expired, "key expired"},
    {Errc::key_revoked, "key revoked"},
    {Errc::user_id_revoked, "user ID revoked"},
    {Errc::no_valid_self_signature, "no valid self-signature"},
    {Errc::not_certified, "peer key not certified by any authority"},
    {Errc::certification_revoked, "certification revoked by the authority"},
    {Errc::certification_expired, "certification expired"},
    {Errc::authority_invalid, "authority certificate is not valid"},
    {Errc::out_of_scope, "domain outside the authority's scope"},
    {Errc::no_matching_user_id, "no matching xmpp: user ID"},
    {Errc::no_usable_key, "no usable authentication key"},
    {Errc::not_found, "not found"},
    {Errc::bad_armor, "malformed ASCII armor"},
    {Errc::bad_passphrase, "wrong passphrase"},
    {Errc::key_on_card, "secret key is stored on a smartcard"},
    {Errc::storage_error, "store could not be read or written"},
    {Errc::corrupt_database, "database is damaged"},
    {Errc::invalid_argument, "invalid argument"},
    {Errc::malformed_statement, "malformed pin statement"},
    {Errc::statement_expired, "pin statement expired"},
    {Errc::signer_not_allowed, "statement signer not allowed for the domain"},
    {Errc::domain_mismatch, "statement names another domain"},
}};

}  // namespace

const std::error_category& openpgp_category() noexcept {
  static const base::EnumCategory<kMessages> category("pgptls.openpgp");
  return category;
}

}  // namespace pgptls::openpgp
