#include "keyring/keyring_store.h"

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <optional>
#include <system_error>
#include <thread>
#include <utility>

#include "base/encoding.h"
#include "base/errors.h"
#include "base/file.h"
#include "base/name_table.h"
#include "keyring/domain.h"
#include "openpgp/errors.h"

namespace pgptls::keyring {
namespace {

IndexKeys index_keys_of(const openpgp::Cert& cert) {
  IndexKeys keys;
  keys.primary_fingerprint = cert.fingerprint();
  keys.component_fingerprints.reserve(1 + cert.subkeys.size());
  keys.component_key_ids.reserve(1 + cert.subkeys.size());
  const auto add_key = [&keys](const openpgp::PublicKey& key) {
    keys.component_fingerprints.push_back(key.fingerprint);
    if (const auto id = key_id_value(key.key_id)) {
      keys.component_key_ids.push_back(*id);
    }
  };
  add_key(cert.primary);
  for (const openpgp::Subkey& subkey : cert.subkeys) {
    add_key(subkey.key);
  }
  for (const openpgp::UserId& user_id : cert.user_ids) {
    if (user_id.is_attribute) {
      continue;
    }
    const std::string_view text(reinterpret_cast<const char*>(user_id.value.data()),
                                user_id.value.size());
    if (auto domain = xmpp_domain_of(text)) {
      keys.domains.push_back(std::move(*domain));
    }
  }
  return keys;
}

// packet_count: how many packets serialize() writes; a merge only adds
// packets, so an unchanged count means nothing new.
std::size_t packet_count(const openpgp::Cert& cert) {
  std::size_t count = 1 + cert.direct_signatures.size();
  for (const openpgp::UserId& user_id : cert.user_ids) {
    count += 1 + user_id.signatures.size();
  }
  for (const openpgp::Subkey& subkey : cert.subkeys) {
    count += 1 + subkey.signatures.size();
  }
  return count;
}

Error storage_error(const std::filesystem::path& path, std::string_view what) {
  return make_error(openpgp::Errc::storage_error, std::string(what) + " " + path.string());
}

// read_certificate_file: every certificate of one file, under the limits;
// errors name the file.
Result<std::vector<openpgp::Cert>> read_certificate_file(const std::filesystem::path& file,
                                                         const StoreLimits& limits) {
  auto content = base::read_file(file, limits.max_file_size);
  if (!content.ok()) {
    return make_error(openpgp::Errc::storage_error, content.error().message());
  }
  auto certs = openpgp::parse_certificates(*content, limits.parse);
  if (!certs.ok()) {
    return std::move(certs).error().wrap(file.string());
  }
  if (certs->size() > limits.max_certificates_per_file) {
    return make_error(openpgp::Errc::storage_error,
                      file.string() + " holds more than " +
                          std::to_string(limits.max_certificates_per_file) + " certificates");
  }
  return certs;
}

// read_stored_file: the one certificate of a store file, checked against the
// fingerprint its name promises.
Result<openpgp::Cert> read_stored_file(const std::filesystem::path& file,
                                       const StoreLimits& limits) {
  PGPTLS_TRY(std::vector<openpgp::Cert> certs, read_certificate_file(file, limits));
  if (certs.size() != 1) {
    return make_error(openpgp::Errc::corrupt_database,
                      file.string() + " holds " + std::to_string(certs.size()) +
                          " certificates; a keyring file holds exactly one. Move the file out "
                          "of the keyring and import it with `pgptls keyring import`");
  }
  const std::string expected = KeyringStore::file_name(certs.front().fingerprint());
  if (file.filename().string() != expected) {
    return make_error(openpgp::Errc::corrupt_database,
                      file.string() + " holds certificate " + expected +
                          ", not the one its name says. Move the file out of the keyring and "
                          "import it with `pgptls keyring import`");
  }
  return std::move(certs.front());
}

constexpr base::NameTable<ImportOutcome, 3> kImportOutcomeNames{{
    {ImportOutcome::added, "added"},
    {ImportOutcome::updated, "updated"},
    {ImportOutcome::unchanged, "unchanged"},
}};

bool is_hidden(const std::filesystem::path& file) {
  const std::string name = file.filename().string();
  return name.empty() || name.front() == '.';
}

}  // namespace

std::string_view import_outcome_name(ImportOutcome outcome) {
  return base::name_of(kImportOutcomeNames, outcome).value_or("unknown");
}

KeyringStore::KeyringStore(StoreLimits limits) : limits_(limits) {}
KeyringStore::KeyringStore(KeyringStore&&) noexcept = default;
KeyringStore& KeyringStore::operator=(KeyringStore&&) noexcept = default;
KeyringStore::~KeyringStore() = default;

std::string KeyringStore::file_name(ByteView primary_fingerprint) {
  return base::hex_encode_upper(primary_fingerprint);
}

Result<KeyringStore> KeyringStore::open(const std::filesystem::path& directory,
                                        StoreLimits limits) {
  KeyringStore store(limits);
  std::error_code error;
  if (!std::filesystem::exists(directory, error)) {
    std::filesystem::create_directories(directory, error);
    if (error) {
      return make_error(
          openpgp::Errc::storage_error,
          "cannot create keyring directory " + directory.string() + ": " + error.message());
    }
    // Which certificates we hold decides whom we trust: keep it private.
    ::chmod(directory.c_str(), 0700);
  }
  if (!std::filesystem::is_directory(directory, error)) {
    return make_error(
        openpgp::Errc::storage_error,
        "keyring " + directory.string() + " is not a directory; give a directory with --keyring");
  }
  store.directory_ = directory;

  std::vector<std::string> names;
  std::filesystem::directory_iterator entries(directory, error);
  if (error) {
    return make_error(
        openpgp::Errc::storage_error,
        "cannot list keyring directory " + directory.string() + ": " + error.message());
  }
  for (const auto& entry : entries) {
    // Hidden files are temporary files of writes in progress or interrupted.
    if (!is_hidden(entry.path()) && entry.is_regular_file(error)) {
      names.push_back(entry.path().filename().string());
    }
  }
  // Name order: the same store loads the same way every time.
  std::sort(names.begin(), names.end());

  // Reading and parsing are independent per file: spread them over a few
  // threads, then index in name order on this one.
  std::vector<std::optional<Result<openpgp::Cert>>> parsed(names.size());
  const std::size_t workers = std::clamp<std::size_t>(
      std::min<std::size_t>(std::thread::hardware_concurrency(), names.size() / 256), 1, 4);
  std::atomic<std::size_t> next{0};
  const auto work = [&] {
    constexpr std::size_t kBatch = 64;
    for (std::size_t start = next.fetch_add(kBatch); start < names.size();
         start = next.fetch_add(kBatch)) {
      for (std::size_t i = start; i < std::min(start + kBatch, names.size()); ++i) {
        parsed[i].emplace(read_stored_file(directory / names[i], limits));
      }
    }
  };
  std::vector<std::thread> threads;
  for (std::size_t t = 1; t < workers; ++t) {
    threads.emplace_back(work);
  }
  work();
  for (std::thread& thread : threads) {
    thread.join();
  }

  store.certs_.reserve(names.size());
  store.index_.reserve(names.size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    Result<openpgp::Cert>& cert = *parsed[i];
    if (!cert.ok()) {
      store.problems_.push_back({directory / names[i], std::move(cert).error()});
      continue;
    }
    auto added = store.add(std::move(cert).value());
    if (!added.ok()) {
      store.problems_.push_back({directory / names[i], std::move(added).error()});
    }
    parsed[i].reset();
  }
  return store;
}

Result<std::size_t> KeyringStore::load_path(const std::filesystem::path& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    std::vector<std::filesystem::path> files;
    std::filesystem::directory_iterator entries(path, error);
    if (error) {
      return make_error(openpgp::Errc::storage_error,
                        "cannot list directory " + path.string() + ": " + error.message());
    }
    for (const auto& entry : entries) {
      if (!is_hidden(entry.path()) && entry.is_regular_file(error)) {
        files.push_back(entry.path());
      }
    }
    std::sort(files.begin(), files.end());
    std::size_t total = 0;
    for (const auto& file : files) {
      PGPTLS_TRY(const std::size_t count, load_path(file));
      total += count;
    }
    return total;
  }
  PGPTLS_TRY(std::vector<openpgp::Cert> certs, read_certificate_file(path, limits_));
  const std::size_t count = certs.size();
  for (openpgp::Cert& cert : certs) {
    auto added = add(std::move(cert));
    if (!added.ok()) {
      return std::move(added).error().wrap(path.string());
    }
  }
  return count;
}

Result<std::size_t> KeyringStore::load_bytes(ByteView data, std::string_view source) {
  auto certs = openpgp::parse_certificates(data, limits_.parse);
  if (!certs.ok()) {
    return std::move(certs).error().wrap(source);
  }
  const std::size_t count = certs->size();
  certs_.reserve(certs_.size() + count);
  index_.reserve(certs_.size() + count);
  for (openpgp::Cert& cert : *certs) {
    auto added = add(std::move(cert));
    if (!added.ok()) {
      return std::move(added).error().wrap(source);
    }
  }
  return count;
}

Result<ImportOutcome> KeyringStore::add(openpgp::Cert cert) {
  const auto slot = index_.by_primary_fingerprint(cert.fingerprint());
  if (!slot) {
    const auto new_slot = static_cast<CertSlot>(certs_.size());
    index_.add(new_slot, index_keys_of(cert));
    certs_.push_back(std::move(cert));
    return ImportOutcome::added;
  }
  openpgp::Cert& existing = certs_[*slot];
  PGPTLS_TRY(openpgp::Cert merged, openpgp::merge(existing, cert));
  if (packet_count(merged) == packet_count(existing)) {
    return ImportOutcome::unchanged;
  }
  index_.remove(*slot, index_keys_of(existing));
  index_.add(*slot, index_keys_of(merged));
  existing = std::move(merged);
  return ImportOutcome::updated;
}

Result<ImportOutcome> KeyringStore::import_one(openpgp::Cert cert) {
  if (!directory_) {
    return add(std::move(cert));
  }
  const std::string name = file_name(cert.fingerprint());
  const std::filesystem::path file = *directory_ / name;
  // Never overwrite a stored file this store could not read: it may hold
  // the only copy of a revocation.
  for (const StoreProblem& problem : problems_) {
    if (problem.file == file) {
      return make_error(openpgp::Errc::storage_error,
                        "not importing " + name + ": the stored copy " + file.string() +
                            " is damaged (" + problem.error.message() +
                            "); move it out of the keyring first");
    }
  }
  // Merge with what is on disk now, so that an import made meanwhile by
  // another process is kept.
  openpgp::Cert merged = std::move(cert);
  ImportOutcome outcome = ImportOutcome::added;
  std::error_code error;
  const bool on_disk = std::filesystem::exists(file, error);
  if (error) {
    return storage_error(file, "cannot check");
  }
  std::optional<Bytes> stored_bytes;
  if (on_disk) {
    auto stored = read_stored_file(file, limits_);
    if (!stored.ok()) {
      return std::move(stored).error().wrap("not importing " + name +
                                            ": the stored copy is damaged; move it out of "
                                            "the keyring first");
    }
    PGPTLS_TRY(Bytes stored_serialized, stored->serialize());
    stored_bytes = std::move(stored_serialized);
    PGPTLS_TRY(merged, openpgp::merge(*stored, merged));
    outcome = ImportOutcome::updated;
  }
  if (const auto slot = index_.by_primary_fingerprint(merged.fingerprint())) {
    PGPTLS_TRY(merged, openpgp::merge(certs_[*slot], merged));
  }
  PGPTLS_TRY(const Bytes content, merged.serialize());
  if (stored_bytes && *stored_bytes == content) {
    outcome = ImportOutcome::unchanged;
  } else {
    const Status written = base::write_file_atomic(file, content, 0644);
    if (!written.ok()) {
      return make_error(openpgp::Errc::storage_error, written.error().message());
    }
  }
  // Memory follows disk only after the write succeeded.
  PGPTLS_TRY(const ImportOutcome in_memory, add(std::move(merged)));
  (void)in_memory;
  return outcome;
}

Result<std::vector<ImportResult>> KeyringStore::import(std::vector<openpgp::Cert> certificates) {
  std::vector<ImportResult> results;
  results.reserve(certificates.size());
  for (openpgp::Cert& cert : certificates) {
    Bytes fingerprint = to_bytes(cert.fingerprint());
    PGPTLS_TRY(const ImportOutcome outcome, import_one(std::move(cert)));
    results.push_back({std::move(fingerprint), outcome});
  }
  return results;
}

const openpgp::Cert* KeyringStore::find(ByteView primary_fingerprint) const {
  const auto slot = index_.by_primary_fingerprint(primary_fingerprint);
  return slot ? &certs_[*slot] : nullptr;
}

std::vector<const openpgp::Cert*> KeyringStore::resolve(std::span<const CertSlot> slots) const {
  std::vector<const openpgp::Cert*> out;
  out.reserve(slots.size());
  for (const CertSlot slot : slots) {
    out.push_back(&certs_[slot]);
  }
  return out;
}

std::vector<const openpgp::Cert*> KeyringStore::find_by_key_id(std::uint64_t key_id) const {
  return resolve(index_.by_key_id(key_id));
}

std::vector<const openpgp::Cert*> KeyringStore::find_by_key_id(ByteView key_id) const {
  const auto value = key_id_value(key_id);
  return value ? find_by_key_id(*value) : std::vector<const openpgp::Cert*>{};
}

std::vector<const openpgp::Cert*> KeyringStore::find_by_fingerprint(ByteView fingerprint) const {
  return resolve(index_.by_fingerprint(fingerprint));
}

std::vector<const openpgp::Cert*> KeyringStore::find_by_domain(std::string_view domain) const {
  return resolve(index_.by_domain(domain));
}

Result<openpgp::Cert> with_keyring_copy(openpgp::Cert presented, const openpgp::Cert* stored) {
  if (stored == nullptr) {
    return presented;
  }
  auto merged = openpgp::merge(*stored, presented);
  if (!merged.ok()) {
    return Error{merged.error().code, "OpenPGP certificate " + presented.fingerprint_hex() +
                                          " cannot be combined with the keyring's copy (" +
                                          merged.error().message() +
                                          "; check the keyring entry with pgptls keyring show)"};
  }
  return merged;
}

Result<openpgp::Cert> with_keyring_copy(openpgp::Cert presented, const KeyringStore& store) {
  const openpgp::Cert* stored = store.find(presented.fingerprint());
  return with_keyring_copy(std::move(presented), stored);
}

}  // namespace pgptls::keyring
