// Tests of the test helpers themselves: a helper that lies would make every
// test built on it meaningless.
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>

#include "tests/support/network.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace pgptls::test {
namespace {

using namespace std::chrono_literals;

TEST(RunTool, CollectsOutputAndExitCode) {
  ToolOptions options;
  options.stdin_data = "hello";
  const ToolResult result = run_tool({"sh", "-c", "cat; echo err >&2; exit 3"}, options);
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.out, "hello");
  EXPECT_EQ(result.err, "err\n");
  EXPECT_FALSE(result.ok());
}

TEST(RunTool, PassesEnvironmentAndKillsAtTimeout) {
  ToolOptions with_env;
  with_env.env = {{"PGPTLS_X", "v"}};
  EXPECT_EQ(run_tool({"sh", "-c", "printf %s \"$PGPTLS_X\""}, with_env).out, "v");
  ToolOptions short_timeout;
  short_timeout.timeout = 200ms;
  const ToolResult slow = run_tool({"sleep", "30"}, short_timeout);
  EXPECT_TRUE(slow.timed_out);
  EXPECT_EQ(slow.exit_code, -1);
  EXPECT_EQ(run_tool({"pgptls-no-such-program"}).exit_code, 127);
}

TEST(TempDir, IsPrivateAndRemoved) {
  std::filesystem::path kept;
  {
    TempDir dir;
    kept = dir.path();
    std::ofstream(dir.file("f")) << "x";
    EXPECT_EQ(std::filesystem::status(kept).permissions() & std::filesystem::perms::all,
              std::filesystem::perms::owner_all);
  }
  EXPECT_FALSE(std::filesystem::exists(kept));
}

TEST(ChildProcess, WaitsForLogAndStops) {
  TempDir dir;
  auto child = ChildProcess::start({"sh", "-c", "echo ready; cat"}, dir.file("log"));
  ASSERT_TRUE(child.has_value());
  EXPECT_TRUE(child->wait_for_log("ready", 5s));
  EXPECT_FALSE(child->wait_for_log("never", 100ms));
  EXPECT_TRUE(child->write_stdin("echoed\n"));
  EXPECT_TRUE(child->wait_for_log("echoed", 5s));
  child->close_stdin();
  EXPECT_EQ(child->wait(5s), 0);
}

TEST(Network, FreePortAcceptsAfterServerStarts) {
  const std::uint16_t port = free_port();
  EXPECT_GT(port, 0);
  EXPECT_FALSE(wait_for_port(port, 100ms));
}

}  // namespace
}  // namespace pgptls::test
