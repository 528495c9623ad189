#include "pins/pin_types.h"

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include <algorithm>
#include <array>
#include <memory>
#include <optional>

#include "base/encoding.h"
#include "base/gnutls_datum.h"
#include "base/gnutls_handles.h"
#include "base/name_table.h"
#include "pins/errors.h"

namespace pgptls::pins {
namespace {

constexpr std::string_view kPinPrefix = "pin-sha256=\"";
constexpr std::size_t kSha256Size = 32;

// The names the pin store keeps and the programs print and read.
constexpr base::NameTable<PinSource, 3> kPinSources{{
    {PinSource::manual, "manual"},
    {PinSource::tofu, "tofu"},
    {PinSource::signed_list, "signed"},
}};
constexpr base::NameTable<PinKind, 2> kPinKinds{{
    {PinKind::spki, "spki"},
    {PinKind::certificate, "certificate"},
}};
constexpr base::NameTable<Setting, 2> kSettings{{
    {Setting::tofu, "tofu"},
    {Setting::require_openpgp, "require-openpgp"},
}};

// parse_named: the value `text` names, else invalid_argument
// "unknown <what> '<text>'; expected <choices>".
template <typename E, std::size_t N>
Result<E> parse_named(const base::NameTable<E, N>& table, std::string_view text,
                      std::string_view what, std::string_view choices) {
  if (const std::optional<E> value = base::value_named(table, text)) {
    return *value;
  }
  return make_error(PinErrc::invalid_argument, "unknown " + std::string(what) + " '" +
                                                   std::string(text) + "'; expected " +
                                                   std::string(choices));
}

Error bad_domain(std::string_view domain, std::string_view why) {
  return make_error(PinErrc::invalid_argument, "domain '" + std::string(domain) + "' " +
                                                   std::string(why) +
                                                   "; give a DNS name such as b.example");
}

bool is_ascii(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

Result<Bytes> export_spki(gnutls_pubkey_t key) {
  base::OwnedDatum out;
  if (gnutls_pubkey_export2(key, GNUTLS_X509_FMT_DER, &out.datum) < 0) {
    return make_error(PinErrc::invalid_argument,
                      "public key cannot be exported as SubjectPublicKeyInfo");
  }
  return out.bytes();
}

}  // namespace

std::string_view pin_source_name(PinSource source) {
  return base::name_of(kPinSources, source).value_or("manual");
}

Result<PinSource> parse_pin_source(std::string_view text) {
  return parse_named(kPinSources, text, "pin source", "manual, tofu or signed");
}

std::string_view pin_kind_name(PinKind kind) {
  return base::name_of(kPinKinds, kind).value_or("spki");
}

Result<PinKind> parse_pin_kind(std::string_view text) {
  return parse_named(kPinKinds, text, "pin kind", "spki or certificate");
}

std::string_view setting_name(Setting setting) {
  return base::name_of(kSettings, setting).value_or("tofu");
}

Result<Setting> parse_setting(std::string_view text) {
  return parse_named(kSettings, text, "setting", "tofu or require-openpgp");
}

Status check_pin_time(base::Seconds time, std::string_view what) {
  const std::int64_t seconds = time.time_since_epoch().count();
  if (seconds < kEarliestPinTime || seconds > kLatestPinTime) {
    return make_error(PinErrc::invalid_argument,
                      std::string(what) + " must lie between 1970-01-01 and 2199-12-31");
  }
  return {};
}

Result<std::string> normalize_domain_input(std::string_view domain) {
  // Bound the work before IDNA: a UTF-8 name longer than this cannot map to
  // a 253-octet A-label name anyway.
  if (domain.empty()) {
    return bad_domain(domain, "is empty");
  }
  if (domain.size() > 4 * kMaxDomainLength) {
    return bad_domain(domain.substr(0, 64), "is too long");
  }
  std::string name(domain);
  if (!is_ascii(name)) {
    // RFC 5891 §4: U-labels are stored and compared as A-labels.
    base::OwnedDatum out;
    const int rc = gnutls_idna_map(name.data(), static_cast<unsigned>(name.size()), &out.datum, 0);
    if (rc < 0) {
      return bad_domain(domain, std::string("is not a valid internationalised name (") +
                                    gnutls_strerror(rc) + ")");
    }
    name.assign(out.view().begin(), out.view().end());
  }
  // The root label: "b.example." and "b.example" are the same domain.
  if (name.ends_with('.')) {
    name.pop_back();
  }
  std::transform(name.begin(), name.end(), name.begin(), [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  });
  if (name.empty()) {
    return bad_domain(domain, "is empty");
  }
  if (name.size() > kMaxDomainLength) {
    return bad_domain(domain, "is longer than 253 characters");
  }
  std::size_t start = 0;
  while (start <= name.size()) {
    const std::size_t end = std::min(name.find('.', start), name.size());
    const std::string_view label = std::string_view(name).substr(start, end - start);
    if (label.empty()) {
      return bad_domain(domain, "has an empty label");
    }
    if (label.size() > 63) {
      return bad_domain(domain, "has a label longer than 63 characters");
    }
    // RFC 1123 §2.1: letters, digits and hyphens, no hyphen at either end.
    const bool ldh = std::all_of(label.begin(), label.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
    if (!ldh) {
      return bad_domain(domain, "contains a character other than letters, digits, '-' and '.'");
    }
    if (label.front() == '-' || label.back() == '-') {
      return bad_domain(domain, "has a label starting or ending with '-'");
    }
    start = end + 1;
  }
  return name;
}

Result<std::string> parse_pin(std::string_view text) {
  std::string_view value = text;
  if (value.starts_with(kPinPrefix)) {
    value.remove_prefix(kPinPrefix.size());
    if (!value.ends_with('"')) {
      return make_error(PinErrc::invalid_argument,
                        "pin " + std::string(text) + " lacks its closing quote");
    }
    value.remove_suffix(1);
  }
  const auto decoded = base::base64_decode(value);
  if (!decoded.ok() || decoded->size() != kSha256Size) {
    return make_error(
        PinErrc::invalid_argument,
        "pin '" + std::string(text) +
            "' is not a pin-sha256 value (base64 of 32 bytes, RFC 7469 §2.4); "
            "compute it from the certificate with 'pgptls pin add DOMAIN --cert FILE'");
  }
  return std::string(value);
}

std::string format_pin(std::string_view pin_sha256) {
  return std::string(kPinPrefix) + std::string(pin_sha256) + "\"";
}

Result<std::string> pin_from_spki(ByteView spki_der) {
  if (spki_der.empty() || spki_der.size() > kMaxSpkiSize) {
    return make_error(PinErrc::invalid_argument, "SubjectPublicKeyInfo of " +
                                                     std::to_string(spki_der.size()) +
                                                     " bytes is empty or larger than 16 KiB");
  }
  gnutls_pubkey_t raw = nullptr;
  if (gnutls_pubkey_init(&raw) < 0) {
    return make_error(PinErrc::storage_error, "out of memory for a public key");
  }
  const base::PublicKeyHandle key(raw);
  const gnutls_datum_t datum = base::datum_of(spki_der);
  const int rc = gnutls_pubkey_import(key.get(), &datum, GNUTLS_X509_FMT_DER);
  if (rc < 0) {
    return make_error(PinErrc::invalid_argument,
                      std::string("not a DER SubjectPublicKeyInfo (") + gnutls_strerror(rc) + ")");
  }
  // RFC 7469 §2.4 hashes the DER bytes; a non-canonical encoding that
  // GnuTLS tolerated would hash differently from the same key elsewhere.
  PGPTLS_TRY(const Bytes canonical, export_spki(key.get()));
  if (!std::equal(canonical.begin(), canonical.end(), spki_der.begin(), spki_der.end())) {
    return make_error(PinErrc::invalid_argument, "SubjectPublicKeyInfo is not canonical DER");
  }
  std::array<std::uint8_t, kSha256Size> digest{};
  if (gnutls_hash_fast(GNUTLS_DIG_SHA256, spki_der.data(), spki_der.size(), digest.data()) < 0) {
    return make_error(PinErrc::storage_error, "SHA-256 failed");
  }
  return base::base64_encode(digest);
}

Result<Bytes> spki_from_x509(ByteView certificate) {
  if (certificate.empty() || certificate.size() > kMaxCertificateSize) {
    return make_error(PinErrc::invalid_argument, "certificate of " +
                                                     std::to_string(certificate.size()) +
                                                     " bytes is empty or larger than 64 KiB");
  }
  const std::string_view text(reinterpret_cast<const char*>(certificate.data()),
                              certificate.size());
  const gnutls_x509_crt_fmt_t format = text.find("-----BEGIN CERTIFICATE-----") != text.npos
                                           ? GNUTLS_X509_FMT_PEM
                                           : GNUTLS_X509_FMT_DER;
  gnutls_x509_crt_t raw_crt = nullptr;
  if (gnutls_x509_crt_init(&raw_crt) < 0) {
    return make_error(PinErrc::storage_error, "out of memory for a certificate");
  }
  const base::X509CertificateHandle crt(raw_crt);
  const gnutls_datum_t datum = base::datum_of(certificate);
  int rc = gnutls_x509_crt_import(crt.get(), &datum, format);
  if (rc < 0) {
    return make_error(PinErrc::invalid_argument, std::string("not an X.509 certificate in DER or "
                                                             "PEM (") +
                                                     gnutls_strerror(rc) + ")");
  }
  gnutls_pubkey_t raw_key = nullptr;
  if (gnutls_pubkey_init(&raw_key) < 0) {
    return make_error(PinErrc::storage_error, "out of memory for a public key");
  }
  const base::PublicKeyHandle key(raw_key);
  rc = gnutls_pubkey_import_x509(key.get(), crt.get(), 0);
  if (rc < 0) {
    return make_error(PinErrc::invalid_argument,
                      std::string("certificate public key unusable (") + gnutls_strerror(rc) + ")");
  }
  return export_spki(key.get());
}

Result<std::string> certificate_pin(ByteView certificate_der) {
  if (certificate_der.empty() || certificate_der.size() > kMaxCertificateSize) {
    return make_error(PinErrc::invalid_argument, "certificate of " +
                                                     std::to_string(certificate_der.size()) +
                                                     " bytes is empty or larger than 64 KiB");
  }
  std::array<std::uint8_t, kSha256Size> digest{};
  if (gnutls_hash_fast(GNUTLS_DIG_SHA256, certificate_der.data(), certificate_der.size(),
                       digest.data()) < 0) {
    return make_error(PinErrc::storage_error, "SHA-256 failed");
  }
  return base::base64_encode(digest);
}

Result<std::string> pin_from_x509(ByteView certificate) {
  PGPTLS_TRY(const Bytes spki, spki_from_x509(certificate));
  return pin_from_spki(spki);
}

}  // namespace pgptls::pins
