// Tests of the test helpers themselves: a helper that lies would make every
// test built on it meaningless.
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>

#include "tests/support/network.h"
#include "tests/support/process.h"
#include "tests/support/socket_driver.h"
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

// The waits end on the event, not at the timeout: each timeout here is far
// beyond ctest's limit for the test (300 s), so a wait that slept until its
// timeout would fail the test instead of passing late.
constexpr auto kBeyondTheTestTimeout = std::chrono::minutes(30);

TEST(ChildProcess, WaitEndsWhenTheChildExits) {
  TempDir dir;
  auto child = ChildProcess::start({"sh", "-c", "read line; exit 7"}, dir.file("log"));
  ASSERT_TRUE(child.has_value());
  EXPECT_EQ(child->wait(0ms), std::nullopt) << "still reading its stdin";
  child->close_stdin();
  EXPECT_EQ(child->wait(kBeyondTheTestTimeout), 7);
  EXPECT_EQ(child->wait(0ms), 7) << "the exit code is kept";
}

TEST(ChildProcess, WaitForLogEndsWhenTheChildExitsWithoutTheText) {
  TempDir dir;
  auto child = ChildProcess::start({"sh", "-c", "read line; echo something else"}, dir.file("log"));
  ASSERT_TRUE(child.has_value());
  child->close_stdin();
  EXPECT_FALSE(child->wait_for_log("never", kBeyondTheTestTimeout));
  EXPECT_EQ(child->log(), "something else\n");
}

TEST(ChildProcess, WaitForLogSeesTextSplitAcrossWrites) {
  TempDir dir;
  auto child = ChildProcess::start({"sh", "-c", "printf 'rea'; read line; printf 'dy\\n'; cat"},
                                   dir.file("log"));
  ASSERT_TRUE(child.has_value());
  ASSERT_TRUE(child->wait_for_log("rea", 5s));
  EXPECT_TRUE(child->write_stdin("go\n"));
  EXPECT_TRUE(child->wait_for_log("ready", kBeyondTheTestTimeout)) << child->log();
}

TEST(ChildProcess, WaitForCountCountsEveryOccurrence) {
  TempDir dir;
  auto child =
      ChildProcess::start({"sh", "-c", "echo hit; echo hit; read line; echo hit"}, dir.file("log"));
  ASSERT_TRUE(child.has_value());
  EXPECT_TRUE(child->wait_for_count("hit", 2, 5s));
  // The child waits for its stdin: a third line cannot come.
  EXPECT_FALSE(child->wait_for_count("hit", 3, 100ms));
  EXPECT_TRUE(child->write_stdin("go\n"));
  EXPECT_TRUE(child->wait_for_count("hit", 3, kBeyondTheTestTimeout));
  EXPECT_FALSE(child->wait_for_count("hit", 4, kBeyondTheTestTimeout)) << "it exited";
}

TEST(ChildProcess, WaitForLineReturnsTheLineOnceItIsWhole) {
  TempDir dir;
  // The line is written in two parts, the second after the test's go.
  auto child = ChildProcess::start({"sh", "-c", "printf 'ready port='; read line; echo 42"},
                                   dir.file("log"));
  ASSERT_TRUE(child.has_value());
  ASSERT_TRUE(child->wait_for_log("ready port=", 5s));
  EXPECT_EQ(child->wait_for_line("ready", 100ms), std::nullopt) << "half a line";
  EXPECT_TRUE(child->write_stdin("go\n"));
  EXPECT_EQ(child->wait_for_line("ready", kBeyondTheTestTimeout), "ready port=42");
}

TEST(Network, AFreePortRefusesAConnectionAtOnce) {
  const std::uint16_t port = free_port();
  EXPECT_GT(port, 0);
  // Nothing listens: the one connect(2) is refused, not retried.
  EXPECT_FALSE(connect_loopback(port, kBeyondTheTestTimeout).valid());
}

TEST(Network, ConnectsToAListeningPort) {
  auto listener = LoopbackListener::open();
  ASSERT_TRUE(listener.has_value());
  EXPECT_TRUE(connect_loopback(listener->port(), 5s).valid());
  EXPECT_TRUE(listener->accept(5s).valid());
}

}  // namespace
}  // namespace pgptls::test
