// pkix_verify.h: the optional PKIX path of the trust decision: an X.509
// chain that validates against a trust store and names the XMPP domain
// (RFC 6120 §13.7.1.2, RFC 6125 §6).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/result.h"

namespace pgptls::tls {

// xmpp_name_matches: whether a leaf certificate (DER) names `domain` as an
// XMPP server: a DNS-ID equal to it or a wildcard covering exactly its
// leftmost label (RFC 6125 §6.4.3), an SRV-ID "_xmpp-server.<domain>"
// (RFC 6120 §13.7.1.2.1, RFC 4985), or an XmppAddr equal to it (RFC 6120
// §13.7.1.4). The subject CN is not consulted (RFC 6125 §6.4.4 allows it only
// without any SAN; pgptls requires SANs). Returns the matching identifier,
// e.g. "DNS-ID a.example", or fails with Errc::peer_rejected listing the
// names the certificate has.
[[nodiscard]] Result<std::string> xmpp_name_matches(ByteView leaf_der, std::string_view domain);

// pkix_verify: validates `chain` (DER, leaf first) against the system trust
// store (ca_file empty) or the CAs of a PEM file, with validity periods
// checked against `now` (the injected clock, not the system time), and
// checks the XMPP name. Returns "<identifier>, issuer <DN>"; fails with
// Errc::peer_rejected naming the reason (untrusted, expired, wrong name).
[[nodiscard]] Result<std::string> pkix_verify(const std::vector<Bytes>& chain,
                                              std::string_view domain,
                                              const std::filesystem::path& ca_file,
                                              base::TimePoint now);

}  // namespace pgptls::tls
