// keyring_store.h: the certificate store. It loads OpenPGP certificates
// from files and directories (binary or armored, many per file), finds them
// by primary fingerprint, by any component key's key ID or fingerprint, and
// by xmpp: domain, and persists them in a directory with one file per
// certificate, named by the primary fingerprint in uppercase hex and written
// atomically (temporary file, fsync, rename). Importing a certificate merges
// it with the copy already stored, as `gpg --import` does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "keyring/cert_index.h"
#include "openpgp/cert.h"

namespace pgptls::keyring {

// StoreLimits: caps on what the store reads. A file over max_file_size, or
// one holding more than max_certificates_per_file certificates, is refused
// with an error naming it.
struct StoreLimits {
  std::size_t max_file_size = std::size_t{64} << 20;  // one certificate file or import file
  std::size_t max_certificates_per_file = 200'000;    // a whole exported keyring fits
  openpgp::CertLimits parse;                          // per packet and per certificate
};

// StoreProblem: a file the store could not use, and why. The file itself is
// left untouched.
struct StoreProblem {
  std::filesystem::path file;
  Error error;
};

// ImportOutcome: what importing one certificate changed.
enum class ImportOutcome : std::uint8_t {
  added,      // the store did not have it
  updated,    // merged with the stored copy, which gained packets
  unchanged,  // the stored copy already had every packet
};

// ImportResult: one certificate's outcome.
struct ImportResult {
  Bytes fingerprint;
  ImportOutcome outcome;
};

// KeyringStore: certificates in memory with their index, optionally backed
// by a directory.
class KeyringStore {
 public:
  // An empty store that lives in memory only (e.g. verify-cert --keyring).
  explicit KeyringStore(StoreLimits limits = {});
  KeyringStore(KeyringStore&&) noexcept;
  KeyringStore& operator=(KeyringStore&&) noexcept;
  KeyringStore(const KeyringStore&) = delete;
  KeyringStore& operator=(const KeyringStore&) = delete;
  ~KeyringStore();

  // open: the store persisted in `directory`, which is created (mode 0700)
  // when missing. Every certificate file in it is loaded. A file that cannot
  // be read, does not parse, holds other than one certificate, or whose
  // name is not its certificate's fingerprint is skipped and listed in
  // problems(); it is never modified or removed, and later imports of that
  // certificate fail rather than overwrite it. Hidden files (leftover
  // temporary files of an interrupted write) are ignored. Fails with
  // Errc::storage_error naming the directory when it cannot be created or
  // listed.
  [[nodiscard]] static Result<KeyringStore> open(const std::filesystem::path& directory,
                                                 StoreLimits limits = {});

  // load_path: adds (merging, in memory only) every certificate in a file,
  // or in every regular, non-hidden file of a directory (not recursive).
  // Returns how many certificates were read. Fails with an error naming the
  // file on the first file that cannot be read or parsed; certificates read
  // before it stay loaded.
  [[nodiscard]] Result<std::size_t> load_path(const std::filesystem::path& path);

  // load_bytes: as load_path for data already in memory; `source` names it
  // in errors.
  [[nodiscard]] Result<std::size_t> load_bytes(ByteView data, std::string_view source);

  // import: merges each certificate into the store and, for a directory
  // store, writes every changed certificate to its file before updating
  // memory. Before writing, the stored file is read again and merged, so a
  // concurrent import by another process is not lost. Fails (naming the
  // file) when the stored copy cannot be read or parsed — it is then left as
  // it is — or cannot be written; certificates imported before the failure
  // stay imported.
  [[nodiscard]] Result<std::vector<ImportResult>> import(std::vector<openpgp::Cert> certificates);

  // The certificates, in the order they were first added.
  [[nodiscard]] const std::vector<openpgp::Cert>& certificates() const noexcept { return certs_; }
  [[nodiscard]] std::size_t size() const noexcept { return certs_.size(); }
  [[nodiscard]] const std::vector<StoreProblem>& problems() const noexcept { return problems_; }
  [[nodiscard]] const std::optional<std::filesystem::path>& directory() const noexcept {
    return directory_;
  }

  // find: the certificate with this primary fingerprint, or nullptr.
  [[nodiscard]] const openpgp::Cert* find(ByteView primary_fingerprint) const;
  // find_by_key_id: every certificate with a component key of this key ID
  // (8 bytes, or the integer of key_id_value); several certificates may
  // share one.
  [[nodiscard]] std::vector<const openpgp::Cert*> find_by_key_id(std::uint64_t key_id) const;
  [[nodiscard]] std::vector<const openpgp::Cert*> find_by_key_id(ByteView key_id) const;
  // find_by_fingerprint: every certificate with a component key (primary or
  // subkey) of this fingerprint.
  [[nodiscard]] std::vector<const openpgp::Cert*> find_by_fingerprint(ByteView fingerprint) const;
  // find_by_domain: every certificate with a user ID xmpp:<domain>
  // (case-insensitive). Whether that user ID is valid is for validation to
  // decide.
  [[nodiscard]] std::vector<const openpgp::Cert*> find_by_domain(std::string_view domain) const;

  // file_name: the name of a certificate's file in a store directory.
  [[nodiscard]] static std::string file_name(ByteView primary_fingerprint);

 private:
  // add: merges into memory (no disk); returns the outcome.
  [[nodiscard]] Result<ImportOutcome> add(openpgp::Cert cert);
  [[nodiscard]] Result<ImportOutcome> import_one(openpgp::Cert cert);
  [[nodiscard]] std::vector<const openpgp::Cert*> resolve(std::span<const CertSlot> slots) const;

  StoreLimits limits_;
  std::optional<std::filesystem::path> directory_;
  std::vector<openpgp::Cert> certs_;
  CertIndex index_;
  std::vector<StoreProblem> problems_;
};

// import_outcome_name: "added", "updated" or "unchanged".
[[nodiscard]] std::string_view import_outcome_name(ImportOutcome outcome);

// with_keyring_copy: the one rule for a certificate that arrives from
// outside (a peer's handshake, an --authority file, verify-cert's CERTFILE)
// while the keyring holds a copy of it: the two are merged, so revocations
// and certifications the operator imported count even when the presented
// copy leaves them out. `stored` is the keyring's copy, or nullptr when the
// keyring has none (the presented certificate is returned as it is). Fails,
// naming the fingerprint and the fix, when the copies cannot be combined.
[[nodiscard]] Result<openpgp::Cert> with_keyring_copy(openpgp::Cert presented,
                                                      const openpgp::Cert* stored);

// with_keyring_copy: as above, with the copy looked up in `store` by
// primary fingerprint.
[[nodiscard]] Result<openpgp::Cert> with_keyring_copy(openpgp::Cert presented,
                                                      const KeyringStore& store);

}  // namespace pgptls::keyring
