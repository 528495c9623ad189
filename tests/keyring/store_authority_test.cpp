#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "base/file.h"
#include "keyring/authority_store.h"
#include "openpgp/errors.h"
#include "tests/support/temp_dir.h"

namespace pgptls::keyring {
namespace {

const Bytes kSigner = *parse_fingerprint_text("55FD06606D652C8FC252D9A60E8DFFE12011AF66");
const Bytes kStranger = *parse_fingerprint_text("7CA81C3F4917981FBF4A3F79364202774D53E2CF");

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::string read_text(const std::filesystem::path& path) {
  const auto bytes = base::read_file(path);
  return bytes.ok() ? std::string(bytes->begin(), bytes->end()) : std::string("<unreadable>");
}

TEST(ScopePatternTest, AcceptsDomainsAndWildcards) {
  EXPECT_EQ(*normalize_scope_pattern("Example.ORG"), "example.org");
  EXPECT_EQ(*normalize_scope_pattern("*.example.org"), "*.example.org");
  EXPECT_EQ(*normalize_scope_pattern("xn--bcher-kva.example"), "xn--bcher-kva.example");
  // The rest of the OpenSSH pattern language that keyring::in_scope reads.
  EXPECT_EQ(*normalize_scope_pattern("!Old.Example.org"), "!old.example.org");
  EXPECT_EQ(*normalize_scope_pattern("s?.example.org"), "s?.example.org");
  EXPECT_EQ(*normalize_scope_pattern("*example.org"), "*example.org");
}

TEST(ScopePatternTest, RejectsMalformedPatternsWithReason) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "empty"},
      {"!", "empty"},
      {"a b.example", "only letters"},
      {"a_b.example", "only letters"},
      {"example..org", "empty label"},
      {"example.org.", "empty label"},
      {"*.", "empty label"},
      {"-bad.example", "starts or ends with '-'"},
      {"b\xC3\xBC"
       "cher.example",
       "A-labels"},
  };
  for (const auto& [pattern, reason] : cases) {
    const auto result = normalize_scope_pattern(pattern);
    ASSERT_FALSE(result.ok()) << pattern;
    EXPECT_EQ(result.error().code, make_error_code(openpgp::Errc::invalid_argument));
    EXPECT_NE(result.error().message().find(reason), std::string::npos)
        << pattern << ": " << result.error().message();
    EXPECT_NE(result.error().message().find("*.example.org"), std::string::npos);
  }
  EXPECT_FALSE(normalize_scope_pattern(std::string(64, 'a') + ".example").ok());
}

TEST(FingerprintTextTest, AcceptsGpgSpellings) {
  EXPECT_EQ(*parse_fingerprint_text("55FD 0660 6D65 2C8F C252  D9A6 0E8D FFE1 2011 AF66"), kSigner);
  EXPECT_EQ(*parse_fingerprint_text("0x55fd06606d652c8fc252d9a60e8dffe12011af66"), kSigner);
  EXPECT_EQ(parse_fingerprint_text(std::string(64, 'a'))->size(), 32u);
  const auto bad = parse_fingerprint_text("0E8DFFE12011AF66");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("40 (v4) or 64 (v6) hex digits"), std::string::npos);
  EXPECT_FALSE(parse_fingerprint_text("zz" + std::string(38, '0')).ok());
}

TEST(AuthorityStoreTest, MissingFileIsEmpty) {
  const test::TempDir dir;
  const auto store = AuthorityStore::load(dir.file("authorities.json"));
  ASSERT_TRUE(store.ok()) << store.error().message();
  EXPECT_TRUE(store->entries().empty());
  EXPECT_FALSE(std::filesystem::exists(dir.file("authorities.json")));
}

TEST(AuthorityStoreTest, AddSaveLoadRemoveRoundTrip) {
  const test::TempDir dir;
  const auto path = dir.file("authorities.json");
  auto store = *AuthorityStore::load(path);
  EXPECT_TRUE(*store.add({kSigner, {"*.Example.org", "example.org", "*.example.org"}}));
  EXPECT_TRUE(*store.add({kStranger, {}}));
  ASSERT_TRUE(store.save().ok());

  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_NE(read_text(path).find("\"55FD06606D652C8FC252D9A60E8DFFE12011AF66\""),
            std::string::npos);

  auto loaded = *AuthorityStore::load(path);
  ASSERT_EQ(loaded.entries().size(), 2u);
  ASSERT_NE(loaded.find(kSigner), nullptr);
  EXPECT_EQ(loaded.find(kSigner)->scopes,
            (std::vector<std::string>{"*.example.org", "example.org"}));
  EXPECT_TRUE(loaded.find(kStranger)->scopes.empty());

  // Adding again replaces the scopes and reports the authority as known.
  EXPECT_FALSE(*loaded.add({kSigner, {"a.example"}}));
  EXPECT_EQ(loaded.find(kSigner)->scopes, std::vector<std::string>{"a.example"});

  ASSERT_TRUE(loaded.remove(kStranger).ok());
  const auto again = loaded.remove(kStranger);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, make_error_code(openpgp::Errc::not_found));
  EXPECT_NE(again.error().message().find("7CA81C3F4917981FBF4A3F79364202774D53E2CF"),
            std::string::npos);
  ASSERT_TRUE(loaded.save().ok());
  const auto final_store = *AuthorityStore::load(path);
  ASSERT_EQ(final_store.entries().size(), 1u);
  EXPECT_EQ(final_store.entries()[0].scopes, std::vector<std::string>{"a.example"});
  // Only the file itself: no temporary files left behind.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                          std::filesystem::directory_iterator{}),
            1);
}

TEST(AuthorityStoreTest, AddRejectsBadInput) {
  const test::TempDir dir;
  auto store = *AuthorityStore::load(dir.file("authorities.json"));
  const auto short_fpr = store.add({Bytes(8, 1), {}});
  ASSERT_FALSE(short_fpr.ok());
  EXPECT_NE(short_fpr.error().message().find("20 (v4) or 32 (v6) bytes"), std::string::npos);
  const auto bad_scope = store.add({kSigner, {"a b"}});
  ASSERT_FALSE(bad_scope.ok());
  EXPECT_NE(bad_scope.error().message().find("scope 'a b'"), std::string::npos);
  EXPECT_TRUE(store.entries().empty());
}

TEST(AuthorityStoreTest, CorruptFilesAreNamedAndLeftAlone) {
  const test::TempDir dir;
  const auto path = dir.file("authorities.json");
  const std::string signer = "55FD06606D652C8FC252D9A60E8DFFE12011AF66";
  const std::pair<std::string, std::string> cases[] = {
      {"{not json", "not valid JSON"},
      {"[]", "not a JSON object"},
      {R"({"format":"other","version":1,"authorities":[]})", "\"format\""},
      {R"({"format":"pgptls-authorities","version":2,"authorities":[]})", "version"},
      {R"({"format":"pgptls-authorities","version":1,"authorities":{}})", "not a list"},
      {R"({"format":"pgptls-authorities","version":1,"authorities":[7]})",
       "authority #1 is not an object"},
      {R"({"format":"pgptls-authorities","version":1,"authorities":[{"fingerprint":"abc"}]})",
       "authority #1: 'abc' is not a fingerprint"},
      {R"({"format":"pgptls-authorities","version":1,"authorities":[{"fingerprint":")" + signer +
           R"(","scopes":["a..b"]}]})",
       "authority #1: scope 'a..b'"},
      {R"({"format":"pgptls-authorities","version":1,"authorities":[{"fingerprint":")" + signer +
           R"(","scopes":[1]}]})",
       "a scope is not a string"},
      {R"({"format":"pgptls-authorities","version":1,"authorities":[{"fingerprint":")" + signer +
           R"("},{"fingerprint":")" + signer + R"("}]})",
       "authority #2 repeats fingerprint " + signer},
  };
  for (const auto& [text, reason] : cases) {
    write_text(path, text);
    const auto store = AuthorityStore::load(path);
    ASSERT_FALSE(store.ok()) << text;
    EXPECT_EQ(store.error().code, make_error_code(openpgp::Errc::corrupt_database));
    const std::string message = store.error().message();
    EXPECT_NE(message.find(path.string()), std::string::npos) << message;
    EXPECT_NE(message.find(reason), std::string::npos) << message;
    EXPECT_EQ(read_text(path), text);
  }
}

TEST(AuthorityStoreTest, OversizedFileIsRefused) {
  const test::TempDir dir;
  const auto path = dir.file("authorities.json");
  write_text(path, std::string(kMaxAuthoritiesFileSize + 1, ' '));
  const auto store = AuthorityStore::load(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, make_error_code(openpgp::Errc::storage_error));
  EXPECT_NE(store.error().message().find("larger than"), std::string::npos);
}

TEST(AuthorityStoreTest, SaveIntoUnusableDirectoryFailsNamingIt) {
  const test::TempDir dir;
  // The state "directory" is a regular file: even root cannot create the
  // temporary file inside it.
  const auto not_a_dir = dir.file("state");
  write_text(not_a_dir, "x");
  auto store = *AuthorityStore::load(not_a_dir / "authorities.json");
  ASSERT_TRUE(*store.add({kSigner, {}}));
  const auto saved = store.save();
  ASSERT_FALSE(saved.ok());
  EXPECT_EQ(saved.error().code, make_error_code(openpgp::Errc::storage_error));
  EXPECT_NE(saved.error().message().find(not_a_dir.string()), std::string::npos);
  EXPECT_EQ(read_text(not_a_dir), "x");
}

}  // namespace
}  // namespace pgptls::keyring
