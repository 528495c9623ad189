#include "keyring/authority_store.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <system_error>
#include <utility>

#include "base/encoding.h"
#include "base/errors.h"
#include "base/file.h"
#include "openpgp/errors.h"
#include "openpgp/key_reference.h"

namespace pgptls::keyring {
namespace {

constexpr std::string_view kFormatName = "pgptls-authorities";
constexpr int kFormatVersion = 1;

bool is_pattern_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '*' || c == '?';
}

// pattern_problem: what is wrong with a lowercase scope pattern without its
// '!', or "" when nothing is: labels of letters, digits, '-' and the
// OpenSSH wildcards '*' and '?', none empty; a label without wildcards is a
// DNS label (1..63 characters, no '-' at either end; RFC 1035 §2.3.4).
std::string_view pattern_problem(std::string_view pattern) {
  if (pattern.empty()) {
    return "the pattern is empty";
  }
  if (pattern.size() > 253) {
    return "the pattern is longer than 253 characters";
  }
  std::size_t start = 0;
  while (start <= pattern.size()) {
    std::size_t end = pattern.find('.', start);
    if (end == std::string_view::npos) {
      end = pattern.size();
    }
    const std::string_view label = pattern.substr(start, end - start);
    if (label.empty()) {
      return "the pattern has an empty label";
    }
    if (!std::all_of(label.begin(), label.end(), is_pattern_char)) {
      return "only letters, digits, '-', '.', '*' and '?' are allowed (write IDNs as A-labels, "
             "xn--…)";
    }
    const bool wildcard = label.find_first_of("*?") != std::string_view::npos;
    if (!wildcard && label.size() > 63) {
      return "a label is longer than 63 characters";
    }
    if (!wildcard && (label.front() == '-' || label.back() == '-')) {
      return "a label starts or ends with '-'";
    }
    start = end + 1;
  }
  return {};
}

Error corrupt(const std::filesystem::path& path, std::string_view what) {
  return make_error(openpgp::Errc::corrupt_database,
                    "authorities file " + path.string() + ": " + std::string(what) +
                        "; fix or remove the file, then add the authorities again");
}

}  // namespace

Result<std::string> normalize_scope_pattern(std::string_view pattern) {
  std::string text(pattern);
  std::transform(text.begin(), text.end(), text.begin(), [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  });
  std::string_view body = text;
  if (body.starts_with('!')) {
    body.remove_prefix(1);
  }
  const std::string_view problem = pattern_problem(body);
  if (!problem.empty()) {
    return make_error(openpgp::Errc::invalid_argument,
                      "scope '" + std::string(pattern) + "': " + std::string(problem) +
                          "; write a domain (example.org), a wildcard (*.example.org) or an "
                          "exclusion (!old.example.org)");
  }
  return text;
}

Result<Bytes> parse_fingerprint_text(std::string_view text) {
  auto decoded = openpgp::parse_key_reference(text);
  if (!decoded || decoded->size() == 8) {
    return make_error(openpgp::Errc::invalid_argument,
                      "'" + std::string(text) +
                          "' is not a fingerprint: give 40 (v4) or 64 (v6) hex digits, as "
                          "`pgptls keyring list` prints them");
  }
  return std::move(*decoded);
}

Result<AuthorityStore> AuthorityStore::load(const std::filesystem::path& path) {
  AuthorityStore store(path);
  std::error_code exists_error;
  if (!std::filesystem::exists(path, exists_error)) {
    if (exists_error) {
      return make_error(
          openpgp::Errc::storage_error,
          "cannot check authorities file " + path.string() + ": " + exists_error.message());
    }
    return store;
  }
  auto content = base::read_file(path, kMaxAuthoritiesFileSize);
  if (!content.ok()) {
    return make_error(openpgp::Errc::storage_error, content.error().message());
  }
  const std::string_view text(reinterpret_cast<const char*>(content->data()), content->size());
  // parse(..., allow_exceptions = false) yields a discarded value instead of
  // throwing, so malformed input stays an ordinary error.
  const nlohmann::json document = nlohmann::json::parse(text, nullptr, false);
  if (document.is_discarded()) {
    return corrupt(path, "not valid JSON");
  }
  if (!document.is_object()) {
    return corrupt(path, "the top level is not a JSON object");
  }
  const auto format = document.find("format");
  if (format == document.end() || !format->is_string() ||
      format->get<std::string>() != kFormatName) {
    return corrupt(path, "\"format\" is not \"pgptls-authorities\"");
  }
  const auto version = document.find("version");
  if (version == document.end() || !version->is_number_integer() ||
      version->get<std::int64_t>() != kFormatVersion) {
    return corrupt(path, "unsupported \"version\" (this program reads version 1)");
  }
  const auto list = document.find("authorities");
  if (list == document.end() || !list->is_array()) {
    return corrupt(path, "\"authorities\" is not a list");
  }
  if (list->size() > kMaxAuthorities) {
    return corrupt(path, "more than " + std::to_string(kMaxAuthorities) + " authorities");
  }
  for (std::size_t i = 0; i < list->size(); ++i) {
    const nlohmann::json& item = (*list)[i];
    const std::string where = "authority #" + std::to_string(i + 1);
    if (!item.is_object()) {
      return corrupt(path, where + " is not an object");
    }
    const auto fingerprint_text = item.find("fingerprint");
    if (fingerprint_text == item.end() || !fingerprint_text->is_string()) {
      return corrupt(path, where + " has no \"fingerprint\" string");
    }
    auto fingerprint = parse_fingerprint_text(fingerprint_text->get<std::string>());
    if (!fingerprint.ok()) {
      return corrupt(path, where + ": " + fingerprint.error().context);
    }
    AuthorityEntry entry{std::move(fingerprint).value(), {}};
    const auto scopes = item.find("scopes");
    if (scopes != item.end()) {
      if (!scopes->is_array() || scopes->size() > kMaxScopesPerAuthority) {
        return corrupt(path, where + ": \"scopes\" is not a list of at most " +
                                 std::to_string(kMaxScopesPerAuthority) + " patterns");
      }
      for (const nlohmann::json& scope : *scopes) {
        if (!scope.is_string()) {
          return corrupt(path, where + ": a scope is not a string");
        }
        auto normalized = normalize_scope_pattern(scope.get<std::string>());
        if (!normalized.ok()) {
          return corrupt(path, where + ": " + normalized.error().context);
        }
        entry.scopes.push_back(std::move(normalized).value());
      }
    }
    if (store.find(entry.fingerprint) != nullptr) {
      return corrupt(path,
                     where + " repeats fingerprint " + base::hex_encode_upper(entry.fingerprint));
    }
    store.entries_.push_back(std::move(entry));
  }
  return store;
}

const AuthorityEntry* AuthorityStore::find(ByteView fingerprint) const {
  const auto found = std::find_if(entries_.begin(), entries_.end(), [&](const auto& entry) {
    return std::equal(entry.fingerprint.begin(), entry.fingerprint.end(), fingerprint.begin(),
                      fingerprint.end());
  });
  return found == entries_.end() ? nullptr : &*found;
}

Result<bool> AuthorityStore::add(AuthorityEntry entry) {
  if (entry.fingerprint.size() != 20 && entry.fingerprint.size() != 32) {
    return make_error(openpgp::Errc::invalid_argument,
                      "an authority fingerprint has 20 (v4) or 32 (v6) bytes, not " +
                          std::to_string(entry.fingerprint.size()));
  }
  if (entry.scopes.size() > kMaxScopesPerAuthority) {
    return make_error(
        openpgp::Errc::invalid_argument,
        "an authority takes at most " + std::to_string(kMaxScopesPerAuthority) + " scopes");
  }
  std::vector<std::string> scopes;
  for (const std::string& scope : entry.scopes) {
    PGPTLS_TRY(std::string normalized, normalize_scope_pattern(scope));
    if (std::find(scopes.begin(), scopes.end(), normalized) == scopes.end()) {
      scopes.push_back(std::move(normalized));
    }
  }
  entry.scopes = std::move(scopes);
  for (AuthorityEntry& existing : entries_) {
    if (existing.fingerprint == entry.fingerprint) {
      existing.scopes = std::move(entry.scopes);
      return false;
    }
  }
  if (entries_.size() >= kMaxAuthorities) {
    return make_error(
        openpgp::Errc::invalid_argument,
        "at most " + std::to_string(kMaxAuthorities) + " authorities can be configured");
  }
  entries_.push_back(std::move(entry));
  return true;
}

Status AuthorityStore::remove(ByteView fingerprint) {
  const auto found = std::find_if(entries_.begin(), entries_.end(), [&](const auto& entry) {
    return std::equal(entry.fingerprint.begin(), entry.fingerprint.end(), fingerprint.begin(),
                      fingerprint.end());
  });
  if (found == entries_.end()) {
    return make_error(openpgp::Errc::not_found,
                      "authority " + base::hex_encode_upper(fingerprint) +
                          " is not configured (see `pgptls authority list`)");
  }
  entries_.erase(found);
  return {};
}

Status AuthorityStore::save() const {
  nlohmann::json list = nlohmann::json::array();
  for (const AuthorityEntry& entry : entries_) {
    list.push_back(
        {{"fingerprint", base::hex_encode_upper(entry.fingerprint)}, {"scopes", entry.scopes}});
  }
  const nlohmann::json document = {
      {"format", kFormatName}, {"version", kFormatVersion}, {"authorities", std::move(list)}};
  const std::string text = document.dump(2) + "\n";
  const Status written = base::write_file_atomic(path_, as_bytes_view(text), 0600);
  if (!written.ok()) {
    return make_error(openpgp::Errc::storage_error, written.error().message());
  }
  return {};
}

}  // namespace pgptls::keyring
