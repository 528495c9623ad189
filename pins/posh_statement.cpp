#include "pins/posh_statement.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>

#include "base/encoding.h"
#include "pins/errors.h"

namespace pgptls::pins {
namespace {

using Json = nlohmann::json;

constexpr std::size_t kSha256Bytes = 32;
// Our documents nest three levels deep; anything deeper is not ours.
constexpr int kMaxNesting = 8;

Error malformed(std::string what) {
  return make_error(PinErrc::malformed_statement, std::move(what));
}

// nesting_within: whether brackets outside JSON strings nest at most
// `limit` deep, checked before parsing so no hostile document reaches the
// parser with thousands of levels.
bool nesting_within(ByteView text, int limit) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (const std::uint8_t byte : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (byte == '\\') {
        escaped = true;
      } else if (byte == '"') {
        in_string = false;
      }
    } else if (byte == '"') {
      in_string = true;
    } else if (byte == '[' || byte == '{') {
      if (++depth > limit) {
        return false;
      }
    } else if (byte == ']' || byte == '}') {
      --depth;
    }
  }
  return true;
}

// parse_object: the JSON object of a document already checked against its
// size cap.
Result<Json> parse_object(ByteView text) {
  if (!nesting_within(text, kMaxNesting)) {
    return malformed("document nests deeper than " + std::to_string(kMaxNesting) + " levels");
  }
  Json document = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) {
    return malformed("not valid JSON");
  }
  if (!document.is_object()) {
    return malformed("the document is not a JSON object");
  }
  return document;
}

const Json* member(const Json& object, const char* name) {
  const auto found = object.find(name);
  return found == object.end() ? nullptr : &*found;
}

Result<std::int64_t> read_expires(const Json& object, const StatementLimits& limits) {
  const Json* value = member(object, "expires");
  if (value == nullptr) {
    return malformed("\"expires\" is missing");
  }
  if (!value->is_number_integer() ||
      (value->is_number_unsigned() &&
       value->get<std::uint64_t>() > static_cast<std::uint64_t>(limits.max_expires_seconds))) {
    return malformed("\"expires\" must be a whole number of seconds up to " +
                     std::to_string(limits.max_expires_seconds));
  }
  const auto seconds = value->get<std::int64_t>();
  if (seconds < 0 || seconds > limits.max_expires_seconds) {
    return malformed("\"expires\" must be a whole number of seconds up to " +
                     std::to_string(limits.max_expires_seconds));
  }
  return seconds;
}

Result<std::optional<base::Seconds>> read_issued(const Json& object) {
  const Json* value = member(object, "issued");
  if (value == nullptr) {
    return std::optional<base::Seconds>();
  }
  if (!value->is_string()) {
    return malformed("\"issued\" must be an RFC 3339 time string");
  }
  auto parsed = base::parse_utc(value->get<std::string>());
  if (!parsed) {
    return malformed("\"issued\" is not a YYYY-MM-DDTHH:MM:SSZ time");
  }
  return std::optional<base::Seconds>(*parsed);
}

Result<std::optional<std::uint64_t>> read_serial(const Json& object) {
  const Json* value = member(object, "serial");
  if (value == nullptr) {
    return std::optional<std::uint64_t>();
  }
  if (!value->is_number_unsigned()) {
    return malformed("\"serial\" must be a non-negative whole number");
  }
  return std::optional<std::uint64_t>(value->get<std::uint64_t>());
}

Result<Bytes> read_sha256(const Json& value, const std::string& where) {
  if (!value.is_string()) {
    return malformed(where + " must be a base64 string");
  }
  auto bytes = base::base64_decode(value.get<std::string>());
  if (!bytes || bytes->size() != kSha256Bytes) {
    return malformed(where + " is not the base64 of a 32-byte SHA-256 value");
  }
  return std::move(bytes).value();
}

// read_pin_list: an array of base64 SHA-256 strings ("spki-sha-256").
Status read_pin_list(const Json& object, const char* name, std::vector<Bytes>& out,
                     const StatementLimits& limits) {
  const Json* list = member(object, name);
  if (list == nullptr) {
    return {};
  }
  if (!list->is_array()) {
    return malformed(std::string("\"") + name + "\" must be an array");
  }
  for (const Json& entry : *list) {
    PGPTLS_TRY(Bytes pin, read_sha256(entry, std::string("an entry of \"") + name + "\""));
    out.push_back(std::move(pin));
  }
  if (out.size() > limits.max_pins_per_domain) {
    return malformed(std::string("\"") + name + "\" lists more than " +
                     std::to_string(limits.max_pins_per_domain) + " pins");
  }
  return {};
}

// read_fingerprints: RFC 7711 §3.1 "fingerprints": objects keyed by hash
// name; we use "sha-256" and ignore other hashes.
Status read_fingerprints(const Json& object, std::vector<Bytes>& out,
                         const StatementLimits& limits) {
  const Json* list = member(object, "fingerprints");
  if (list == nullptr) {
    return {};
  }
  if (!list->is_array()) {
    return malformed("\"fingerprints\" must be an array");
  }
  for (const Json& entry : *list) {
    if (!entry.is_object()) {
      return malformed("an entry of \"fingerprints\" must be an object");
    }
    if (const Json* sha256 = member(entry, "sha-256")) {
      PGPTLS_TRY(Bytes pin, read_sha256(*sha256, "a \"sha-256\" fingerprint"));
      out.push_back(std::move(pin));
    }
  }
  if (out.size() > limits.max_pins_per_domain) {
    return malformed("\"fingerprints\" lists more than " +
                     std::to_string(limits.max_pins_per_domain) + " pins");
  }
  return {};
}

// normalise_domain: lower case ASCII, LDH labels, no trailing dot; IDNs
// must come as A-labels (RFC 5890), so any other byte is refused.
Result<std::string> normalise_domain(std::string text, const std::string& where) {
  if (!text.empty() && text.back() == '.') {
    text.pop_back();
  }
  std::transform(text.begin(), text.end(), text.begin(), [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  });
  bool label_start = true;
  bool valid = !text.empty() && text.size() <= 253;
  for (std::size_t index = 0; valid && index < text.size(); ++index) {
    const char c = text[index];
    const bool ldh = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (c == '.') {
      valid = !label_start && text[index - 1] != '-';
      label_start = true;
    } else {
      valid = ldh && !(label_start && c == '-');
      label_start = false;
    }
  }
  if (!valid || label_start || text.back() == '-') {
    return malformed(where + " is not a domain name in A-label form");
  }
  return text;
}

}  // namespace

Result<PoshDocument> parse_posh_document(ByteView json, const StatementLimits& limits) {
  if (json.size() > limits.max_document_bytes) {
    return malformed("document of " + std::to_string(json.size()) + " bytes exceeds the cap of " +
                     std::to_string(limits.max_document_bytes));
  }
  PGPTLS_TRY(const Json document, parse_object(json));
  PGPTLS_TRY(const std::int64_t expires, read_expires(document, limits));
  if (const Json* url = member(document, "url")) {
    // RFC 7711 §3.2: a reference to another POSH document, retrieved over
    // HTTPS like the first.
    if (!url->is_string() || url->get<std::string>().rfind("https://", 0) != 0) {
      return malformed("\"url\" must be an https:// URL");
    }
    return PoshDocument(PoshRedirect{url->get<std::string>(), expires});
  }
  PinStatement statement;
  statement.expires_seconds = expires;
  PGPTLS_CHECK(read_fingerprints(document, statement.pins.certificate_sha256, limits));
  PGPTLS_CHECK(read_pin_list(document, "spki-sha-256", statement.pins.spki_sha256, limits));
  if (statement.pins.certificate_sha256.empty() && statement.pins.spki_sha256.empty()) {
    return malformed("the statement lists no \"sha-256\" fingerprint and no \"spki-sha-256\" pin");
  }
  if (const Json* domain = member(document, "domain")) {
    if (!domain->is_string()) {
      return malformed("\"domain\" must be a string");
    }
    PGPTLS_TRY(std::string name, normalise_domain(domain->get<std::string>(), "\"domain\""));
    statement.domain = std::move(name);
  }
  PGPTLS_TRY(statement.issued, read_issued(document));
  PGPTLS_TRY(statement.serial, read_serial(document));
  return PoshDocument(std::move(statement));
}

Result<PinBundle> parse_pin_bundle(ByteView json, const StatementLimits& limits) {
  if (json.size() > limits.max_bundle_bytes) {
    return malformed("bundle of " + std::to_string(json.size()) +
                     " bytes exceeds the bundle cap of " + std::to_string(limits.max_bundle_bytes) +
                     " bytes; ask its authority to split it into several bundles");
  }
  PGPTLS_TRY(const Json document, parse_object(json));
  PinBundle bundle;
  PGPTLS_TRY(bundle.expires_seconds, read_expires(document, limits));
  PGPTLS_TRY(const std::optional<base::Seconds> issued, read_issued(document));
  PGPTLS_TRY(const std::optional<std::uint64_t> serial, read_serial(document));
  if (!issued || !serial) {
    return malformed("a bundle needs \"issued\" and \"serial\"");
  }
  bundle.issued = *issued;
  bundle.serial = *serial;
  const Json* domains = member(document, "domains");
  if (domains == nullptr || !domains->is_object() || domains->empty()) {
    return malformed("\"domains\" must be a non-empty object");
  }
  if (domains->size() > limits.max_domains) {
    return malformed("\"domains\" lists more than " + std::to_string(limits.max_domains) +
                     " domains");
  }
  for (const auto& [name, entry] : domains->items()) {
    const std::string where = "domain \"" + name + "\"";
    PGPTLS_TRY(std::string domain, normalise_domain(name, where));
    if (!entry.is_object()) {
      return malformed(where + " must map to an object");
    }
    DomainPins pins;
    PGPTLS_CHECK(read_fingerprints(entry, pins.certificate_sha256, limits));
    PGPTLS_CHECK(read_pin_list(entry, "spki-sha-256", pins.spki_sha256, limits));
    if (pins.certificate_sha256.empty() && pins.spki_sha256.empty()) {
      return malformed(where + " lists no pins");
    }
    if (!bundle.domains.emplace(domain, std::move(pins)).second) {
      return malformed(where + " appears twice");
    }
  }
  return bundle;
}

base::Seconds statement_expiry(const std::optional<base::Seconds>& issued,
                               std::int64_t expires_seconds, base::Seconds fetched_at) {
  return issued.value_or(fetched_at) + std::chrono::seconds(expires_seconds);
}

std::string write_pin_statement(const PinStatement& statement) {
  Json document = Json::object();
  Json fingerprints = Json::array();
  for (const Bytes& digest : statement.pins.certificate_sha256) {
    fingerprints.push_back({{"sha-256", base::base64_encode(digest)}});
  }
  document["fingerprints"] = std::move(fingerprints);
  Json spki = Json::array();
  for (const Bytes& digest : statement.pins.spki_sha256) {
    spki.push_back(base::base64_encode(digest));
  }
  document["spki-sha-256"] = std::move(spki);
  document["expires"] = statement.expires_seconds;
  if (statement.domain) {
    document["domain"] = *statement.domain;
  }
  if (statement.issued) {
    document["issued"] = base::format_utc(*statement.issued);
  }
  if (statement.serial) {
    document["serial"] = *statement.serial;
  }
  return document.dump(2) + "\n";
}

}  // namespace pgptls::pins
