// authority_store.h: the configured authorities (designated signers), kept
// as a small JSON file in the state directory. Only fingerprints and scopes
// live here; the authorities' certificates live in the keyring store.
//
// File format (UTF-8 JSON, written atomically with mode 0600):
//   {"format": "pgptls-authorities", "version": 1,
//    "authorities": [{"fingerprint": "55FD…66", "scopes": ["*.example.org"]}]}
// An empty "scopes" list means the authority may certify any domain.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"

namespace pgptls::keyring {

// AuthorityEntry: one configured authority.
struct AuthorityEntry {
  Bytes fingerprint;                // primary key fingerprint, 20 (v4) or 32 (v6) bytes
  std::vector<std::string> scopes;  // normalised patterns; empty = every domain
};

// kMaxAuthoritiesFileSize / kMaxAuthorities / kMaxScopesPerAuthority: caps
// on what the authorities file may hold; a file past them is refused.
inline constexpr std::size_t kMaxAuthoritiesFileSize = std::size_t{1} << 20;
inline constexpr std::size_t kMaxAuthorities = 1024;
inline constexpr std::size_t kMaxScopesPerAuthority = 256;

// normalize_scope_pattern: checks a scope as OpenSSH `@cert-authority` host
// patterns write it and keyring::in_scope (domain.h) matches it:
// `example.org` (that domain only), `*.example.org` (every name below it),
// `?` for one character, a leading `!` to exclude; returns it lowercased.
// Fails with Errc::invalid_argument, naming the pattern and the rule it
// breaks.
[[nodiscard]] Result<std::string> normalize_scope_pattern(std::string_view pattern);

// parse_fingerprint_text: a v4 (40 hex digits) or v6 (64 hex digits)
// fingerprint; spaces and a leading "0x" are allowed, as gpg prints them.
// Fails with Errc::invalid_argument naming the text.
[[nodiscard]] Result<Bytes> parse_fingerprint_text(std::string_view text);

// AuthorityStore: the authorities file, loaded into memory. Changes are
// kept in memory until save().
class AuthorityStore {
 public:
  // load: reads `path`; a missing file is an empty store. Fails with
  // Errc::storage_error naming the file when it cannot be read, and with
  // Errc::corrupt_database naming the file and the offending entry when it
  // is not a valid authorities file. A failed load never changes the file.
  [[nodiscard]] static Result<AuthorityStore> load(const std::filesystem::path& path);

  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
  [[nodiscard]] const std::vector<AuthorityEntry>& entries() const noexcept { return entries_; }

  // find: the entry for this fingerprint, or nullptr.
  [[nodiscard]] const AuthorityEntry* find(ByteView fingerprint) const;

  // add: adds an authority, or replaces the scopes of one already present.
  // Scopes are normalised and deduplicated. Fails with Errc::invalid_argument
  // on a bad fingerprint length or scope, and when kMaxAuthorities would be
  // exceeded. Returns true when the authority is new.
  [[nodiscard]] Result<bool> add(AuthorityEntry entry);

  // remove: forgets an authority; Errc::not_found when it is not configured.
  [[nodiscard]] Status remove(ByteView fingerprint);

  // save: writes the file atomically (temporary file, fsync, rename) with
  // mode 0600, creating nothing but the file itself. Fails with
  // Errc::storage_error naming the file; the previous file is then intact.
  [[nodiscard]] Status save() const;

 private:
  explicit AuthorityStore(std::filesystem::path path) : path_(std::move(path)) {}

  std::filesystem::path path_;
  std::vector<AuthorityEntry> entries_;
};

}  // namespace pgptls::keyring
