#include "keyring/domain.h"

#include "openpgp/errors.h"

namespace pgptls::keyring {
namespace {

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool starts_with_ci(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) {
    return false;
  }
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (lower(text[i]) != prefix[i]) {
      return false;
    }
  }
  return true;
}

bool glob(std::string_view pattern, std::string_view text) {
  // Iterative wildcard match with backtracking to the last '*'.
  std::size_t p = 0;
  std::size_t t = 0;
  std::size_t star = std::string_view::npos;
  std::size_t mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || lower(pattern[p]) == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') {
    ++p;
  }
  return p == pattern.size();
}

}  // namespace

Result<std::string> normalize_domain(std::string_view domain) {
  std::string out;
  out.reserve(domain.size());
  for (const char c : domain) {
    if ((static_cast<unsigned char>(c) & 0x80) != 0) {
      return make_error(openpgp::Errc::invalid_argument,
                        "domain \"" + std::string(domain) +
                            "\" is not ASCII; give internationalised domains as IDNA A-labels "
                            "(xn--...)");
    }
    out.push_back(lower(c));
  }
  if (!out.empty() && out.back() == '.') {
    out.pop_back();
  }
  const auto bad = [&](const std::string& why) {
    return make_error(openpgp::Errc::invalid_argument,
                      "domain \"" + std::string(domain) + "\" is not a valid DNS name: " + why);
  };
  if (out.empty() || out.size() > 253) {
    return bad("empty or longer than 253 characters");
  }
  std::size_t label = 0;
  for (const char c : out) {
    if (c == '.') {
      if (label == 0) {
        return bad("empty label");
      }
      label = 0;
      continue;
    }
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return bad(std::string("character '") + c + "'");
    }
    if (++label > 63) {
      return bad("label longer than 63 characters");
    }
  }
  if (label == 0) {
    return bad("empty label");
  }
  return out;
}

std::optional<std::string> xmpp_domain_of(std::string_view user_id) {
  std::string_view address = user_id;
  if (!address.empty() && address.back() == '>') {
    const auto open = address.rfind('<');
    if (open == std::string_view::npos) {
      return std::nullopt;
    }
    address = address.substr(open + 1, address.size() - open - 2);
  }
  if (!starts_with_ci(address, "xmpp:")) {
    return std::nullopt;
  }
  auto domain = normalize_domain(address.substr(5));
  if (!domain) {
    return std::nullopt;
  }
  return std::move(*domain);
}

bool scope_matches(std::string_view pattern, std::string_view domain) {
  return glob(pattern, domain);
}

bool in_scope(const std::vector<std::string>& scopes, std::string_view domain) {
  if (scopes.empty()) {
    return true;
  }
  bool allowed = false;
  for (const auto& scope : scopes) {
    if (!scope.empty() && scope.front() == '!') {
      if (scope_matches(std::string_view(scope).substr(1), domain)) {
        return false;
      }
    } else if (scope_matches(scope, domain)) {
      allowed = true;
    }
  }
  return allowed;
}

}  // namespace pgptls::keyring
