#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "base/errors.h"
#include "openpgp/errors.h"
#include "openpgp/passphrase.h"
#include "tests/support/temp_dir.h"

namespace pgptls::openpgp {
namespace {

std::string text(const base::SecretBytes& secret) {
  return {secret.begin(), secret.end()};
}

void write(const std::filesystem::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
}

TEST(Passphrase, FileGivesTheFirstLineWithoutItsEnd) {
  test::TempDir dir;
  write(dir.file("lf"), "s3cret pass\nsecond line\n");
  write(dir.file("crlf"), "s3cret pass\r\nsecond line\r\n");
  write(dir.file("no-newline"), "s3cret pass");
  for (const char* name : {"lf", "crlf", "no-newline"}) {
    auto passphrase = passphrase_from_file(dir.file(name));
    ASSERT_TRUE(passphrase.ok()) << name << ": " << passphrase.error().message();
    EXPECT_EQ(text(*passphrase), "s3cret pass") << name;
  }
}

TEST(Passphrase, MissingFileNamesThePath) {
  test::TempDir dir;
  auto passphrase = passphrase_from_file(dir.file("absent"));
  ASSERT_FALSE(passphrase.ok());
  EXPECT_EQ(passphrase.error().code, base::Errc::io_error);
  EXPECT_NE(passphrase.error().message().find("absent"), std::string::npos)
      << passphrase.error().message();
}

TEST(Passphrase, OverlongLineIsRefused) {
  test::TempDir dir;
  write(dir.file("long"), std::string(kMaxPassphraseSize + 1, 'x'));
  auto passphrase = passphrase_from_file(dir.file("long"));
  ASSERT_FALSE(passphrase.ok());
  EXPECT_EQ(passphrase.error().code, Errc::invalid_argument);
  EXPECT_NE(passphrase.error().message().find("longer than 4096"), std::string::npos)
      << passphrase.error().message();
}

TEST(Passphrase, FdReadsOneLineAndLeavesTheRest) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const std::string data = "from the pipe\nrest";
  ASSERT_EQ(::write(fds[1], data.data(), data.size()), static_cast<ssize_t>(data.size()));
  ::close(fds[1]);
  auto passphrase = passphrase_from_fd(fds[0]);
  ASSERT_TRUE(passphrase.ok()) << passphrase.error().message();
  EXPECT_EQ(text(*passphrase), "from the pipe");
  char rest[8] = {};
  EXPECT_EQ(::read(fds[0], rest, sizeof rest), 4);
  EXPECT_EQ(std::string(rest, 4), "rest");
  ::close(fds[0]);
}

TEST(Passphrase, BadFdIsAnIoError) {
  auto passphrase = passphrase_from_fd(-5);
  ASSERT_FALSE(passphrase.ok());
  EXPECT_EQ(passphrase.error().code, base::Errc::io_error);
  EXPECT_NE(passphrase.error().message().find("file descriptor -5"), std::string::npos)
      << passphrase.error().message();
}

TEST(Passphrase, EnvironmentVariable) {
  ASSERT_EQ(::setenv("PGPTLS_TEST_PASSPHRASE", "env pass", 1), 0);
  auto passphrase = passphrase_from_env("PGPTLS_TEST_PASSPHRASE");
  ASSERT_TRUE(passphrase.ok()) << passphrase.error().message();
  EXPECT_EQ(text(*passphrase), "env pass");
  ::unsetenv("PGPTLS_TEST_PASSPHRASE");

  auto missing = passphrase_from_env("PGPTLS_TEST_PASSPHRASE");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, Errc::not_found);
  EXPECT_NE(missing.error().message().find("PGPTLS_TEST_PASSPHRASE is not set"), std::string::npos)
      << missing.error().message();
}

TEST(Passphrase, PromptWithoutTerminalSaysWhatToDoInstead) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  auto passphrase = passphrase_from_terminal("Passphrase: ", fds[0]);
  ::close(fds[0]);
  ::close(fds[1]);
  ASSERT_FALSE(passphrase.ok());
  EXPECT_EQ(passphrase.error().code, Errc::invalid_argument);
  EXPECT_NE(passphrase.error().message().find("not a terminal"), std::string::npos)
      << passphrase.error().message();
  EXPECT_NE(passphrase.error().message().find("environment variable"), std::string::npos);
}

}  // namespace
}  // namespace pgptls::openpgp
