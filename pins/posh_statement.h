// posh_statement.h: the documents of signed pin lists.
//
// A *statement* is a POSH document (RFC 7711 §3) for one domain:
//   {"fingerprints":[{"sha-256":"<base64 SHA-256 of the certificate DER>"}],
//    "expires":604800}
// plus pgptls's optional members "spki-sha-256" (RFC 7469 pins, which survive
// a certificate renewal that keeps the key), "domain", "issued" (RFC 3339)
// and "serial" (monotonic). A *redirect* is POSH's {"url":…,"expires":…}.
// A *bundle* is one authority-signed document for many domains:
//   {"domains":{"a.example":{"spki-sha-256":[…]}}, "issued":…, "serial":…,
//    "expires":…}
// The detached OpenPGP signature covers the exact bytes, so parsing never
// rewrites them; writing produces the bytes that are then signed.
//
// Usage:
//   PGPTLS_TRY(const PoshDocument document, parse_posh_document(bytes, limits));
//   if (const auto* statement = std::get_if<PinStatement>(&document)) ...
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/result.h"

namespace pgptls::pins {

// StatementLimits: caps on what one document may hold.
struct StatementLimits {
  // A single-domain statement (or redirect): a few pins.
  std::size_t max_document_bytes = 64 * 1024;
  // An authority bundle lists a whole community: 64 KiB holds
  // only ~900 domains; 4 MiB holds max_domains domains of a few pins each.
  // The per-domain caps below still apply.
  std::size_t max_bundle_bytes = 4 * 1024 * 1024;
  std::size_t max_pins_per_domain = 16;
  std::size_t max_domains = 10'000;
  // RFC 7711 §3.1 gives no upper bound; a year keeps a leaked key's
  // statement from living forever.
  std::int64_t max_expires_seconds = 366LL * 24 * 3600;
};

// DomainPins: the pins a statement or bundle gives one domain, each a
// 32-byte SHA-256 value.
struct DomainPins {
  std::vector<Bytes> certificate_sha256;  // POSH "fingerprints" / "sha-256"
  std::vector<Bytes> spki_sha256;         // RFC 7469 pin-sha256
};

// PinStatement: a parsed single-domain statement.
struct PinStatement {
  std::optional<std::string> domain;  // lower-cased
  DomainPins pins;
  std::int64_t expires_seconds = 0;
  std::optional<base::Seconds> issued;
  std::optional<std::uint64_t> serial;
};

// PoshRedirect: RFC 7711 §3.2's {"url": …, "expires": …}.
struct PoshRedirect {
  std::string url;
  std::int64_t expires_seconds = 0;
};

using PoshDocument = std::variant<PinStatement, PoshRedirect>;

// parse_posh_document: reads a statement or a redirect. Fails with
// malformed_statement (naming the member) on invalid JSON, missing or
// mistyped members, a fingerprint that is not base64 of 32 bytes, a
// non-https redirect, or a document over the limits. Members it does not
// know are ignored, as RFC 7711 §3.1 requires of POSH clients.
[[nodiscard]] Result<PoshDocument> parse_posh_document(ByteView json,
                                                       const StatementLimits& limits = {});

// PinBundle: a parsed authority bundle.
struct PinBundle {
  std::map<std::string, DomainPins> domains;  // lower-cased domain -> pins
  std::int64_t expires_seconds = 0;
  base::Seconds issued;
  std::uint64_t serial = 0;
};

// parse_pin_bundle: reads a bundle of at most max_bundle_bytes; "issued",
// "serial" and "expires" are required (rollback and expiry checks need
// them). Fails with malformed_statement naming the member, domain or cap.
[[nodiscard]] Result<PinBundle> parse_pin_bundle(ByteView json, const StatementLimits& limits = {});

// statement_expiry: when a document stops counting: issued + expires when
// "issued" is present, else fetched_at + expires (RFC 7711 §3.1 counts from
// retrieval).
[[nodiscard]] base::Seconds statement_expiry(const std::optional<base::Seconds>& issued,
                                             std::int64_t expires_seconds,
                                             base::Seconds fetched_at);

// write_pin_statement: the JSON text of a statement, for
// `pgptls pins sign-statement`; parse_posh_document reads it back equal.
[[nodiscard]] std::string write_pin_statement(const PinStatement& statement);

}  // namespace pgptls::pins
