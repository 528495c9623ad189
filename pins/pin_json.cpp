#include "pins/pin_json.h"

#include <initializer_list>
#include <nlohmann/json.hpp>

#include "pins/errors.h"

namespace pgptls::pins {
namespace {

using nlohmann::json;

constexpr std::string_view kFormat = "pgptls-pins";
constexpr int kVersion = 1;

Error bad(const std::string& where, const std::string& what) {
  return make_error(PinErrc::invalid_argument, "pin JSON " + where + ": " + what);
}

// check_keys: every key of `object` is one of `allowed`.
Status check_keys(const json& object, const std::string& where,
                  std::initializer_list<std::string_view> allowed) {
  for (const auto& item : object.items()) {
    bool known = false;
    for (const std::string_view key : allowed) {
      known = known || item.key() == key;
    }
    if (!known) {
      return bad(where, "unknown field '" + item.key() + "'");
    }
  }
  return {};
}

// check_entry: an entry is an object whose keys are all `allowed`.
Status check_entry(const json& entry, const std::string& where,
                   std::initializer_list<std::string_view> allowed) {
  if (!entry.is_object()) {
    return bad(where, "must be an object");
  }
  return check_keys(entry, where, allowed);
}

Result<std::string> string_field(const json& object, const std::string& where, const char* name) {
  const auto it = object.find(name);
  if (it == object.end() || !it->is_string()) {
    return bad(where, std::string("field '") + name + "' must be a string");
  }
  return it->get_ref<const std::string&>();
}

Result<base::Seconds> time_field(const json& object, const std::string& where, const char* name) {
  PGPTLS_TRY(const std::string text, string_field(object, where, name));
  auto time = base::parse_utc(text);
  if (!time.ok()) {
    return bad(where, std::string("field '") + name + "' is not a YYYY-MM-DDTHH:MM:SSZ time");
  }
  auto in_range = check_pin_time(*time, std::string("field '") + name + "'");
  if (!in_range.ok()) {
    return std::move(in_range).error().wrap("pin JSON " + where);
  }
  return *time;
}

// parsed_field: the string field `name` read through `parse` (a domain, a
// pin, a source, ...); a value `parse` refuses fails with its error, placed
// at `where` in the file.
template <typename T>
Result<T> parsed_field(const json& object, const std::string& where, const char* name,
                       Result<T> (*parse)(std::string_view)) {
  PGPTLS_TRY(const std::string text, string_field(object, where, name));
  auto parsed = parse(text);
  if (!parsed.ok()) {
    return std::move(parsed).error().wrap("pin JSON " + where);
  }
  return parsed;
}

// optional_field: absent or null gives nullopt.
const json* optional_field(const json& object, const char* name) {
  const auto it = object.find(name);
  if (it == object.end() || it->is_null()) {
    return nullptr;
  }
  return &*it;
}

Result<Pin> parse_pin_entry(const json& entry, const std::string& where) {
  PGPTLS_CHECK(
      check_entry(entry, where, {"domain", "pin", "source", "created", "expires", "note", "kind"}));
  Pin pin;
  PGPTLS_TRY(pin.domain, parsed_field(entry, where, "domain", normalize_domain_input));
  PGPTLS_TRY(pin.pin_sha256, parsed_field(entry, where, "pin", parse_pin));
  PGPTLS_TRY(pin.source, parsed_field(entry, where, "source", parse_pin_source));
  PGPTLS_TRY(pin.created, time_field(entry, where, "created"));
  if (optional_field(entry, "expires") != nullptr) {
    PGPTLS_TRY(pin.expires, time_field(entry, where, "expires"));
  }
  if (const json* note = optional_field(entry, "note")) {
    if (!note->is_string()) {
      return bad(where, "field 'note' must be a string");
    }
    pin.note = note->get_ref<const std::string&>();
    if (pin.note.size() > kMaxNoteLength) {
      return bad(where, "field 'note' is longer than 1024 bytes");
    }
  }
  // "kind" is absent for SPKI pins, so files of older versions still read.
  if (optional_field(entry, "kind") != nullptr) {
    PGPTLS_TRY(pin.kind, parsed_field(entry, where, "kind", parse_pin_kind));
  }
  return pin;
}

Result<SettingEntry> parse_setting_entry(const json& entry, const std::string& where) {
  PGPTLS_CHECK(check_entry(entry, where, {"domain", "name", "value"}));
  SettingEntry setting;
  if (optional_field(entry, "domain") != nullptr) {
    PGPTLS_TRY(setting.domain, parsed_field(entry, where, "domain", normalize_domain_input));
  }
  PGPTLS_TRY(setting.setting, parsed_field(entry, where, "name", parse_setting));
  const auto value = entry.find("value");
  if (value == entry.end() || !value->is_boolean()) {
    return bad(where, "field 'value' must be true or false");
  }
  setting.on = value->get<bool>();
  return setting;
}

Result<OpenPgpRecord> parse_openpgp_entry(const json& entry, const std::string& where) {
  PGPTLS_CHECK(check_entry(entry, where, {"domain", "first", "last"}));
  OpenPgpRecord record;
  PGPTLS_TRY(record.domain, parsed_field(entry, where, "domain", normalize_domain_input));
  PGPTLS_TRY(record.first, time_field(entry, where, "first"));
  PGPTLS_TRY(record.last, time_field(entry, where, "last"));
  if (record.last < record.first) {
    return bad(where, "'last' is before 'first'");
  }
  return record;
}

// read_array: the entries of the top-level array `name` (none when it is
// absent), each parsed by `parse` with its place ("pins[3]") for messages.
template <class Entry>
Result<std::vector<Entry>> read_array(const json& root, const char* name,
                                      Result<Entry> (*parse)(const json&, const std::string&)) {
  std::vector<Entry> entries;
  const auto it = root.find(name);
  if (it == root.end()) {
    return entries;
  }
  if (!it->is_array()) {
    return bad("top level", std::string("field '") + name + "' must be an array");
  }
  if (it->size() > kMaxPinJsonEntries) {
    return bad("top level", std::string("field '") + name + "' has more than 100000 entries");
  }
  for (std::size_t i = 0; i < it->size(); ++i) {
    PGPTLS_TRY(Entry entry, parse((*it)[i], std::string(name) + "[" + std::to_string(i) + "]"));
    entries.push_back(std::move(entry));
  }
  return entries;
}

}  // namespace

std::string format_pin_json(const PinSnapshot& snapshot) {
  json pins = json::array();
  for (const Pin& pin : snapshot.pins) {
    pins.push_back({{"domain", pin.domain},
                    {"pin", pin.pin_sha256},
                    {"source", std::string(pin_source_name(pin.source))},
                    {"created", base::format_utc(pin.created)},
                    {"expires", pin.expires ? json(base::format_utc(*pin.expires)) : json()},
                    {"note", pin.note}});
    if (pin.kind != PinKind::spki) {
      pins.back()["kind"] = std::string(pin_kind_name(pin.kind));
    }
  }
  json settings = json::array();
  for (const SettingEntry& entry : snapshot.settings) {
    settings.push_back({{"domain", entry.domain ? json(*entry.domain) : json()},
                        {"name", std::string(setting_name(entry.setting))},
                        {"value", entry.on}});
  }
  json openpgp = json::array();
  for (const OpenPgpRecord& record : snapshot.openpgp) {
    openpgp.push_back({{"domain", record.domain},
                       {"first", base::format_utc(record.first)},
                       {"last", base::format_utc(record.last)}});
  }
  const json root = {{"format", std::string(kFormat)},
                     {"version", kVersion},
                     {"pins", std::move(pins)},
                     {"settings", std::move(settings)},
                     {"openpgp", std::move(openpgp)}};
  // Notes are operator text; replace invalid UTF-8 rather than fail.
  return root.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

Result<PinSnapshot> parse_pin_json(std::string_view text) {
  if (text.size() > kMaxPinJsonSize) {
    return bad("input", "larger than 8 MiB");
  }
  // No exceptions in the keyring: a parse error yields a discarded value.
  const json root = json::parse(text.begin(), text.end(), nullptr, false);
  if (root.is_discarded()) {
    return bad("input", "not valid JSON; export a file with 'pgptls pin export'");
  }
  if (!root.is_object()) {
    return bad("top level", "must be an object");
  }
  PGPTLS_CHECK(check_keys(root, "top level", {"format", "version", "pins", "settings", "openpgp"}));
  const auto format = root.find("format");
  if (format == root.end() || !format->is_string() ||
      format->get_ref<const std::string&>() != kFormat) {
    return bad("top level", "field 'format' must be \"pgptls-pins\"");
  }
  const auto version = root.find("version");
  if (version == root.end() || !version->is_number_integer() ||
      version->get<std::int64_t>() != kVersion) {
    return bad("top level", "field 'version' must be 1 (this pgptls reads version 1)");
  }
  PinSnapshot snapshot;
  PGPTLS_TRY(snapshot.pins, read_array(root, "pins", parse_pin_entry));
  PGPTLS_TRY(snapshot.settings, read_array(root, "settings", parse_setting_entry));
  PGPTLS_TRY(snapshot.openpgp, read_array(root, "openpgp", parse_openpgp_entry));
  return snapshot;
}

}  // namespace pgptls::pins
