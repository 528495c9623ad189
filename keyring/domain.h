// domain.h: XMPP domains in OpenPGP user IDs, and authority scopes.
//
// Usage:
//   keyring::xmpp_domain_of("Example Server <xmpp:Example.ORG>")  // -> "example.org"
//   PGPTLS_TRY(std::string d, keyring::normalize_domain(peer_domain));
//   keyring::in_scope({"*.example.org", "!bad.example.org"}, "a.example.org")  // -> true
//
// Domains are compared in lowercase ASCII; internationalised domains must be
// given as IDNA A-labels ("xn--..."): any non-ASCII octet is refused rather
// than guessed at.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace pgptls::keyring {

// normalize_domain: lowercase, one optional trailing dot removed; fails
// with Errc::invalid_argument for non-ASCII, empty labels, labels over 63
// octets, names over 253 octets, or characters outside letters, digits,
// '-' and '.'.
[[nodiscard]] Result<std::string> normalize_domain(std::string_view domain);

// xmpp_domain_of: the normalized domain of a user ID that is exactly
// "xmpp:<domain>" or ends in "<xmpp:<domain>>" (scheme case-insensitive),
// or nullopt.
[[nodiscard]] std::optional<std::string> xmpp_domain_of(std::string_view user_id);

// scope_matches: one OpenSSH-style host pattern ('*' any run of
// characters, '?' one character), case-insensitive, against a normalized
// domain. A leading '!' is not handled here (see in_scope).
[[nodiscard]] bool scope_matches(std::string_view pattern, std::string_view domain);

// in_scope: an empty list allows every domain; otherwise the domain must
// match a positive pattern and no negated ("!pattern") one, as in OpenSSH
// known_hosts pattern lists.
[[nodiscard]] bool in_scope(const std::vector<std::string>& scopes, std::string_view domain);

}  // namespace pgptls::keyring
