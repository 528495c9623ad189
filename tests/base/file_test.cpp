#include "base/file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "base/errors.h"

namespace pgptls::base {
namespace {

class FileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("pgptls-file-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(FileTest, WriteAtomicThenRead) {
  const auto path = dir_ / "cert.pgp";
  ASSERT_TRUE(write_file_atomic(path, Bytes{1, 2, 3}, 0600).ok());
  EXPECT_EQ(*read_file(path), (Bytes{1, 2, 3}));
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);

  // Replacing leaves no temporary files behind.
  ASSERT_TRUE(write_file_atomic(path, Bytes{4}).ok());
  EXPECT_EQ(*read_file(path), (Bytes{4}));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_),
                          std::filesystem::directory_iterator{}),
            1);
}

TEST_F(FileTest, ReadMissingFileNamesPathAndReason) {
  const auto result = read_file(dir_ / "missing");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, make_error_code(Errc::io_error));
  EXPECT_NE(result.error().context.find("missing"), std::string::npos);
  EXPECT_NE(result.error().context.find("No such file"), std::string::npos);
}

TEST_F(FileTest, ReadOverTheCapFails) {
  const auto path = dir_ / "big";
  ASSERT_TRUE(write_file_atomic(path, Bytes(100, 0)).ok());
  const auto result = read_file(path, 99);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, make_error_code(Errc::value_too_large));
  EXPECT_TRUE(read_file(path, 100).ok());
}

TEST_F(FileTest, WriteIntoMissingDirectoryFails) {
  const auto status = write_file_atomic(dir_ / "no" / "such" / "file", Bytes{1});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, make_error_code(Errc::io_error));
}

}  // namespace
}  // namespace pgptls::base
