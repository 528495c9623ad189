// errors.h: the error category of the openpgp library, which keyring/ uses
// for its trust errors too. Messages name the cause; the context string of
// each Error names the object (certificate fingerprint, user ID, offset) and,
// where there is one, the fix.
#pragma once

#include <system_error>

#include "base/error_category.h"
#include "base/result.h"

namespace pgptls::openpgp {

enum class Errc {
  malformed_packet = 1,        // a packet does not parse
  malformed_certificate,       // packets in an order RFC 9580 §10.1 forbids
  unsupported_version,         // a key or signature version we do not read
  unsupported_algorithm,       // a public-key, hash or cipher algorithm we do not support
  rejected_by_policy,          // an algorithm, key size or hash the policy rejects
  bad_signature,               // a signature that does not verify
  unknown_critical_subpacket,  // RFC 9580 §5.2.3.7: unknown critical subpacket
  key_expired,                 // a key or subkey past its expiration
  key_revoked,                 // a key or subkey revoked
  user_id_revoked,             // a user ID revoked
  no_valid_self_signature,     // no valid binding/self-signature
  not_certified,               // no authority certified the user ID
  certification_revoked,       // the authority revoked its certification
  certification_expired,       // the certification itself expired
  authority_invalid,           // the authority's own certificate is not valid now
  out_of_scope,                // the domain is outside the authority's scope
  no_matching_user_id,         // no xmpp:<domain> user ID
  no_usable_key,               // no component key fit for authentication
  not_found,                   // no such certificate, key or pin
  bad_armor,                   // ASCII armor malformed or CRC mismatch
  bad_passphrase,              // secret key does not decrypt with this passphrase
  key_on_card,                 // GnuPG smartcard stub (S2K 101)
  storage_error,               // the keyring or pin store could not be read or written
  corrupt_database,            // the pin database is damaged
  invalid_argument,            // a caller-supplied value is malformed
  malformed_statement,         // a signed pin statement or bundle does not parse
  statement_expired,           // a signed pin statement or bundle past its expiry
  signer_not_allowed,          // a statement's signer may not vouch for the domain
  domain_mismatch,             // a statement names another domain than it was fetched for
};

}  // namespace pgptls::openpgp

PGPTLS_ERROR_ENUM(pgptls::openpgp, Errc, openpgp_category);
