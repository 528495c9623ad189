// Keyring store tests on real certificates made by gpg (store_world.h).
#include "keyring/keyring_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "base/encoding.h"
#include "base/file.h"
#include "keyring/authority_store.h"
#include "openpgp/errors.h"
#include "tests/keyring/store_gpg.h"
#include "tests/keyring/store_world.h"
#include "tests/support/temp_dir.h"

namespace pgptls::keyring {
namespace {

using test::read_text_file;
using test::store_world;
using test::write_file;

Bytes fpr(const std::string& hex) {
  return *parse_fingerprint_text(hex);
}

// key_id: the v4 key ID of a fingerprint (its low 64 bits, RFC 9580 §5.5.4.2).
Bytes key_id(const std::string& hex) {
  return *base::hex_decode(hex.substr(hex.size() - 16));
}

Bytes file_bytes(const std::filesystem::path& path) {
  return *base::read_file(path);
}

std::size_t file_count(const std::filesystem::path& dir) {
  return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(dir),
                                                std::filesystem::directory_iterator{}));
}

class KeyringStoreTest : public ::testing::Test {
 protected:
  const test::StoreWorld& world = store_world();
  test::TempDir temp;
  std::filesystem::path keyring_dir() const { return temp.file("keyring"); }

  KeyringStore open_store() {
    auto store = KeyringStore::open(keyring_dir());
    EXPECT_TRUE(store.ok()) << store.error().message();
    return std::move(store).value();
  }

  std::vector<openpgp::Cert> certs_of(const std::string& file) {
    KeyringStore scratch;
    EXPECT_TRUE(scratch.load_path(world.dir / file).ok());
    std::vector<openpgp::Cert> out;
    for (const openpgp::Cert& cert : scratch.certificates()) {
      out.push_back(cert);
    }
    return out;
  }
};

TEST_F(KeyringStoreTest, LoadsArmoredFileWithSeveralCertificates) {
  KeyringStore store;
  const auto count = store.load_path(world.dir / "both.asc");
  ASSERT_TRUE(count.ok()) << count.error().message();
  EXPECT_EQ(*count, 2u);
  EXPECT_EQ(store.size(), 2u);
  const openpgp::Cert* x = store.find(fpr(world.x));
  const openpgp::Cert* y = store.find(fpr(world.y));
  ASSERT_NE(x, nullptr);
  ASSERT_NE(y, nullptr);
  EXPECT_NE(x, y);
  // A subkey's fingerprint finds its certificate, but is no primary key.
  EXPECT_EQ(store.find(fpr(world.s)), nullptr);
  EXPECT_EQ(store.find_by_key_id(key_id(world.x)), std::vector<const openpgp::Cert*>{x});
  EXPECT_EQ(store.find_by_fingerprint(fpr(world.x)), std::vector<const openpgp::Cert*>{x});
  EXPECT_EQ(store.find_by_domain("x.example"), std::vector<const openpgp::Cert*>{x});
  EXPECT_EQ(store.find_by_domain("Y.EXAMPLE"), std::vector<const openpgp::Cert*>{y});
  EXPECT_TRUE(store.find_by_domain("z.example").empty());
  EXPECT_TRUE(store.find_by_key_id(Bytes(8, 0)).empty());
  EXPECT_TRUE(store.find_by_key_id(Bytes(7, 0)).empty());
}

TEST_F(KeyringStoreTest, SharedSubkeyIsAKeyIdCollisionAndFindsBoth) {
  KeyringStore store;
  ASSERT_TRUE(store.load_path(world.dir / "x.pgp").ok());
  ASSERT_TRUE(store.load_path(world.dir / "y.pgp").ok());
  const openpgp::Cert* x = store.find(fpr(world.x));
  const openpgp::Cert* y = store.find(fpr(world.y));
  const auto by_id = store.find_by_key_id(key_id(world.s));
  ASSERT_EQ(by_id.size(), 2u);
  EXPECT_EQ(by_id[0], x);
  EXPECT_EQ(by_id[1], y);
  EXPECT_EQ(store.find_by_fingerprint(fpr(world.s)).size(), 2u);
}

TEST_F(KeyringStoreTest, LoadsBinaryAndArmoredAlikeFromADirectory) {
  const std::filesystem::path source = temp.file("source");
  std::filesystem::create_directory(source);
  std::filesystem::copy_file(world.dir / "x.pgp", source / "x.pgp");
  std::filesystem::copy_file(world.dir / "x-more.asc", source / "x-more.asc");
  std::filesystem::copy_file(world.dir / "y.pgp", source / "y.pgp");
  write_file(source / ".hidden", "not a certificate");
  KeyringStore store;
  const auto count = store.load_path(source);
  ASSERT_TRUE(count.ok()) << count.error().message();
  EXPECT_EQ(*count, 3u);
  // The two copies of x were merged into one certificate.
  EXPECT_EQ(store.size(), 2u);
  EXPECT_EQ(store.find_by_domain("x2.example"),
            std::vector<const openpgp::Cert*>{store.find(fpr(world.x))});
}

TEST_F(KeyringStoreTest, LoadErrorsNameTheFile) {
  KeyringStore store;
  const auto missing = store.load_path(temp.file("nope.asc"));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message().find(temp.file("nope.asc").string()), std::string::npos);

  write_file(temp.file("garbage.asc"), "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n!!!\n");
  const auto garbage = store.load_path(temp.file("garbage.asc"));
  ASSERT_FALSE(garbage.ok());
  EXPECT_NE(garbage.error().message().find("garbage.asc"), std::string::npos)
      << garbage.error().message();

  StoreLimits tiny;
  tiny.max_file_size = 16;
  KeyringStore small(tiny);
  const auto big = small.load_path(world.dir / "x.pgp");
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.error().message().find("larger than 16 bytes"), std::string::npos)
      << big.error().message();
  StoreLimits single;
  single.max_certificates_per_file = 1;
  KeyringStore one(single);
  const auto two = one.load_path(world.dir / "both.asc");
  ASSERT_FALSE(two.ok());
  EXPECT_NE(two.error().message().find("more than 1 certificates"), std::string::npos);
}

TEST_F(KeyringStoreTest, ImportWritesOneFilePerCertificateNamedByFingerprint) {
  {
    KeyringStore store = open_store();
    struct stat info {};
    ASSERT_EQ(::stat(keyring_dir().c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0700u);
    const auto results = store.import(certs_of("both.asc"));
    ASSERT_TRUE(results.ok()) << results.error().message();
    ASSERT_EQ(results->size(), 2u);
    EXPECT_EQ((*results)[0].outcome, ImportOutcome::added);
    EXPECT_EQ((*results)[1].outcome, ImportOutcome::added);
  }
  EXPECT_EQ(file_count(keyring_dir()), 2u);  // and no temporary files
  EXPECT_TRUE(std::filesystem::exists(keyring_dir() / world.x));
  EXPECT_TRUE(std::filesystem::exists(keyring_dir() / world.y));
  // The stored file is the certificate gpg exported (packets rewritten in
  // the new format, RFC 9580 §4.2.1).
  EXPECT_EQ(*openpgp::parse_certificate(file_bytes(keyring_dir() / world.x))->serialize(),
            *openpgp::parse_certificate(file_bytes(world.dir / "x.pgp"))->serialize());

  const KeyringStore reopened = open_store();
  EXPECT_TRUE(reopened.problems().empty());
  EXPECT_EQ(reopened.size(), 2u);
  EXPECT_EQ(reopened.find_by_key_id(key_id(world.s)).size(), 2u);
  EXPECT_EQ(KeyringStore::file_name(fpr(world.x)), world.x);
}

TEST_F(KeyringStoreTest, ImportMergesWithTheStoredCopy) {
  KeyringStore store = open_store();
  ASSERT_TRUE(store.import(certs_of("x.pgp")).ok());
  const auto more = store.import(certs_of("x-more.asc"));
  ASSERT_TRUE(more.ok()) << more.error().message();
  EXPECT_EQ((*more)[0].outcome, ImportOutcome::updated);
  EXPECT_EQ(store.size(), 1u);
  EXPECT_EQ(store.find_by_domain("x2.example").size(), 1u);

  // Importing the older copy again loses nothing and writes nothing.
  struct stat before {};
  ASSERT_EQ(::stat((keyring_dir() / world.x).c_str(), &before), 0);
  const auto again = store.import(certs_of("x.pgp"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)[0].outcome, ImportOutcome::unchanged);
  struct stat after {};
  ASSERT_EQ(::stat((keyring_dir() / world.x).c_str(), &after), 0);
  EXPECT_EQ(before.st_ino, after.st_ino);

  const KeyringStore reopened = open_store();
  EXPECT_EQ(reopened.find_by_domain("x2.example").size(), 1u);
  EXPECT_EQ(reopened.find_by_domain("x.example").size(), 1u);
}

TEST_F(KeyringStoreTest, ImportKeepsWhatAnotherProcessStoredMeanwhile) {
  KeyringStore first = open_store();
  KeyringStore second = open_store();
  ASSERT_TRUE(first.import(certs_of("x-more.asc")).ok());
  // `second` never saw x-more; its import must merge with the file.
  const auto results = second.import(certs_of("x.pgp"));
  ASSERT_TRUE(results.ok()) << results.error().message();
  EXPECT_EQ((*results)[0].outcome, ImportOutcome::unchanged);
  EXPECT_EQ(second.find_by_domain("x2.example").size(), 1u);
  EXPECT_EQ(open_store().find_by_domain("x2.example").size(), 1u);
}

TEST_F(KeyringStoreTest, DamagedFilesAreReportedAndNeverOverwritten) {
  std::filesystem::create_directories(keyring_dir());
  const auto x_file = keyring_dir() / world.x;
  const auto y_file = keyring_dir() / world.y;
  write_file(x_file, "this is not OpenPGP data");
  // y's file holds x: a certificate under the wrong name.
  std::filesystem::copy_file(world.dir / "x.pgp", y_file);
  // Two certificates in one store file.
  const auto both_file = keyring_dir() / (std::string(40, 'A'));
  std::filesystem::copy_file(world.dir / "both.asc", both_file);
  // The leftover of an interrupted write is ignored.
  write_file(keyring_dir() / ("." + world.x + ".Ab12Cd"), "partial");

  KeyringStore store = open_store();
  EXPECT_EQ(store.size(), 0u);
  ASSERT_EQ(store.problems().size(), 3u);
  for (const StoreProblem& problem : store.problems()) {
    EXPECT_NE(problem.error.message().find(problem.file.string()), std::string::npos)
        << problem.error.message();
  }
  const auto problem_of = [&](const std::filesystem::path& file) -> const StoreProblem& {
    for (const StoreProblem& problem : store.problems()) {
      if (problem.file == file) {
        return problem;
      }
    }
    ADD_FAILURE() << "no problem reported for " << file;
    return store.problems().front();
  };
  EXPECT_NE(problem_of(both_file).error.message().find("holds 2 certificates"), std::string::npos);
  const StoreProblem& y_problem = problem_of(y_file);
  EXPECT_EQ(problem_of(x_file).error.code, make_error_code(openpgp::Errc::bad_armor))
      << problem_of(x_file).error.message();
  EXPECT_NE(y_problem.error.message().find("holds certificate " + world.x), std::string::npos)
      << y_problem.error.message();

  const auto imported = store.import(certs_of("x.pgp"));
  ASSERT_FALSE(imported.ok());
  EXPECT_EQ(imported.error().code, make_error_code(openpgp::Errc::storage_error));
  EXPECT_NE(imported.error().message().find(x_file.string()), std::string::npos)
      << imported.error().message();
  EXPECT_NE(imported.error().message().find("move it out of the keyring"), std::string::npos);
  EXPECT_EQ(read_text_file(x_file), "this is not OpenPGP data");
  EXPECT_EQ(file_bytes(y_file), file_bytes(world.dir / "x.pgp"));
  EXPECT_EQ(store.find(fpr(world.x)), nullptr);
}

TEST_F(KeyringStoreTest, FileDamagedAfterOpeningIsNotOverwritten) {
  KeyringStore store = open_store();
  ASSERT_TRUE(store.import(certs_of("x.pgp")).ok());
  write_file(keyring_dir() / world.x, "damaged later");
  const auto imported = store.import(certs_of("x-more.asc"));
  ASSERT_FALSE(imported.ok());
  EXPECT_NE(imported.error().message().find((keyring_dir() / world.x).string()), std::string::npos)
      << imported.error().message();
  EXPECT_EQ(read_text_file(keyring_dir() / world.x), "damaged later");
  // Memory keeps the last good copy; the update was not half-applied.
  EXPECT_TRUE(store.find_by_domain("x2.example").empty());
}

TEST_F(KeyringStoreTest, SecretKeyExportIsStoredAsItsPublicCertificate) {
  KeyringStore store = open_store();
  const auto results = store.import(certs_of("x-secret.pgp"));
  ASSERT_TRUE(results.ok()) << results.error().message();
  const Bytes stored = file_bytes(keyring_dir() / world.x);
  // No secret key packet (tags 5 and 7) reaches the keyring.
  // (gpg exported the secret key after adding the x2 user ID.)
  EXPECT_EQ(stored, *openpgp::parse_certificate(file_bytes(world.dir / "x-more.asc"))->serialize());
  const auto reparsed = openpgp::parse_certificate(stored);
  ASSERT_TRUE(reparsed.ok());
  EXPECT_EQ(reparsed->subkeys.size(), 1u);
}

TEST_F(KeyringStoreTest, KeyringPathThatIsAFileIsAnError) {
  write_file(temp.file("file"), "x");
  const auto store = KeyringStore::open(temp.file("file"));
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, make_error_code(openpgp::Errc::storage_error));
  EXPECT_NE(store.error().message().find(temp.file("file").string() + " is not a directory"),
            std::string::npos)
      << store.error().message();
}

TEST_F(KeyringStoreTest, InMemoryImportMergesWithoutFiles) {
  KeyringStore store;
  ASSERT_TRUE(store.import(certs_of("x.pgp")).ok());
  const auto results = store.import(certs_of("x-more.asc"));
  ASSERT_TRUE(results.ok());
  EXPECT_EQ((*results)[0].outcome, ImportOutcome::updated);
  EXPECT_EQ(import_outcome_name((*results)[0].outcome), "updated");
  EXPECT_FALSE(store.directory().has_value());
}

}  // namespace
}  // namespace pgptls::keyring
