// demo_test.cpp: `pgptls demo` cleans up after itself, whether it finishes
// or is interrupted (the verdicts themselves are asserted by ctest's
// cli.demo, see demo.cmake).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace pgptls::test {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

std::vector<std::string> leftovers(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  return names;
}

TEST(Demo, FinishesAndRemovesItsDirectory) {
  TempDir tmp;
  ToolOptions options;
  options.env["TMPDIR"] = tmp.path().string();
  options.timeout = 120s;
  const ToolResult result = run_tool({PGPTLS_BIN, "demo"}, options);
  EXPECT_TRUE(result.ok()) << result.describe() << "\n" << result.out;
  EXPECT_THAT(result.out, HasSubstr("pgptls demo in " + tmp.path().string() + "/pgptls-demo-"));
  EXPECT_THAT(result.out, HasSubstr("demo: every verdict was the expected one"));
  EXPECT_THAT(leftovers(tmp.path()), ::testing::IsEmpty());
}

TEST(Demo, InterruptedWhileTheServerRunsCleansUpAndSaysSo) {
  TempDir tmp;
  std::filesystem::create_directory(tmp.path() / "run");
  auto demo = ChildProcess::start({PGPTLS_BIN, "demo"}, tmp.file("demo.log"),
                                  {{"TMPDIR", (tmp.path() / "run").string()}});
  ASSERT_TRUE(demo.has_value());
  ASSERT_TRUE(demo->wait_for_log("listening on ", 60s)) << demo->log();
  demo->signal(SIGINT);
  const auto code = demo->wait(30s);
  ASSERT_TRUE(code.has_value()) << "the demo did not end after SIGINT:\n" << demo->log();
  EXPECT_EQ(*code, 128 + SIGINT) << demo->log();
  EXPECT_THAT(demo->log(), HasSubstr("demo: interrupted"));
  EXPECT_THAT(demo->log(), ::testing::Not(HasSubstr("every verdict was the expected one")));
  EXPECT_THAT(leftovers(tmp.path() / "run"), ::testing::IsEmpty());
}

}  // namespace
}  // namespace pgptls::test
