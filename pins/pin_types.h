// pin_types.h: the vocabulary of the pin store: RFC 7469 pin-sha256 values,
// their sources, and the per-domain settings.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/result.h"

namespace pgptls::pins {

// PinSource: who vouched for a pin. Sticky (OpenPGP) domains accept X.509
// only with a manual or signed pin, never a tofu one.
enum class PinSource {
  manual,       // added by the operator (`pgptls pin add`, import)
  tofu,         // recorded on first use
  signed_list,  // from a pin list signed by an authority
};

// pin_source_name / parse_pin_source: "manual", "tofu", "signed".
[[nodiscard]] std::string_view pin_source_name(PinSource source);
[[nodiscard]] Result<PinSource> parse_pin_source(std::string_view text);

// PinKind: what a pin's SHA-256 is taken over.
enum class PinKind {
  spki,         // the DER SubjectPublicKeyInfo (RFC 7469 pin-sha256)
  certificate,  // the whole DER certificate (POSH "fingerprints", RFC 7711 §3.1)
};

// pin_kind_name / parse_pin_kind: "spki", "certificate".
[[nodiscard]] std::string_view pin_kind_name(PinKind kind);
[[nodiscard]] Result<PinKind> parse_pin_kind(std::string_view text);

// Pin: one pinned key (or certificate) for one domain.
struct Pin {
  std::string domain;      // normalised (see normalize_domain_input)
  std::string pin_sha256;  // base64 of the SHA-256 of the DER SPKI or certificate (see kind)
  PinSource source = PinSource::manual;
  base::Seconds created{};
  std::optional<base::Seconds> expires;  // the pin no longer counts from this time on
  std::string note;
  // certificate pins come only from signed POSH statements: a certificate
  // renewed with the same key no longer matches them.
  PinKind kind = PinKind::spki;

  // live_at: whether the pin counts at `now` (not yet expired).
  [[nodiscard]] bool live_at(base::TimePoint now) const { return !expires || now < *expires; }
};

// Setting: the switches kept per domain and globally.
enum class Setting {
  tofu,             // trust on first use (off by default)
  require_openpgp,  // refuse X.509 outright (off by default)
};
[[nodiscard]] std::string_view setting_name(Setting setting);
[[nodiscard]] Result<Setting> parse_setting(std::string_view text);

// Caps on what the store accepts, so an import or a typo cannot grow it
// without bound.
inline constexpr std::size_t kMaxDomainLength = 253;  // RFC 1035 §2.3.4
inline constexpr std::size_t kMaxNoteLength = 1024;
inline constexpr std::size_t kMaxPinsPerDomain = 64;
inline constexpr std::size_t kMaxSpkiSize = 16 * 1024;
inline constexpr std::size_t kMaxCertificateSize = 64 * 1024;

// Times the store accepts: from 1970 to the end of 2199. std::chrono's
// system_clock counts nanoseconds in 64 bits, which ends in 2262, so a time
// outside this range could not be compared with "now" at all.
inline constexpr std::int64_t kEarliestPinTime = 0;            // 1970-01-01T00:00:00Z
inline constexpr std::int64_t kLatestPinTime = 7'258'118'399;  // 2199-12-31T23:59:59Z

// check_pin_time: fails with PinErrc::invalid_argument naming `what` when
// `time` is outside [kEarliestPinTime, kLatestPinTime].
[[nodiscard]] Status check_pin_time(base::Seconds time, std::string_view what);

// normalize_domain_input: for domains operators type and peers name (unlike
// normalize_domain in keyring/domain.h, which reads certificate user IDs
// and accepts A-labels only): lower case, U-labels mapped to IDNA A-labels
// (via GnuTLS/libidn2), one
// trailing dot removed; every label 1..63 letters, digits or hyphens, not
// starting or ending with a hyphen. Fails with PinErrc::invalid_argument
// naming the domain and the problem.
[[nodiscard]] Result<std::string> normalize_domain_input(std::string_view domain);

// parse_pin: accepts `pin-sha256="BASE64"` (RFC 7469 §2.1.1) or the bare
// base64; the value must decode to exactly 32 bytes. Returns the bare
// base64. Fails with PinErrc::invalid_argument.
[[nodiscard]] Result<std::string> parse_pin(std::string_view text);

// format_pin: `pin-sha256="BASE64"`, as RFC 7469 writes it.
[[nodiscard]] std::string format_pin(std::string_view pin_sha256);

// pin_from_spki: the pin of a DER SubjectPublicKeyInfo. The bytes must
// import as a public key (GnuTLS); fails with PinErrc::invalid_argument.
[[nodiscard]] Result<std::string> pin_from_spki(ByteView spki_der);

// spki_from_x509: the DER SubjectPublicKeyInfo of an X.509 certificate in
// DER or PEM; fails with PinErrc::invalid_argument.
[[nodiscard]] Result<Bytes> spki_from_x509(ByteView certificate);

// certificate_pin: the base64 SHA-256 of a DER certificate's bytes, as
// POSH's "sha-256" fingerprints are (RFC 7711 §3.1). Fails with
// PinErrc::invalid_argument for empty or oversized input.
[[nodiscard]] Result<std::string> certificate_pin(ByteView certificate_der);

// pin_from_x509: pin_from_spki(spki_from_x509(certificate)).
[[nodiscard]] Result<std::string> pin_from_x509(ByteView certificate);

}  // namespace pgptls::pins
