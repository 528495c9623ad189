// The pin database under process-level stress: writers killed with SIGKILL
// at chosen points inside their writes, and two processes writing at once. Children are forked and
// leave with _exit so that nothing of the test framework runs in them.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <set>
#include <sstream>

#include "base/encoding.h"
#include "pins/pin_store.h"
#include "tests/pins/stopping_vfs.h"
#include "tests/support/temp_dir.h"

namespace pgptls::pins {
namespace {

using namespace std::chrono_literals;

// pin_for: a distinct, valid pin-sha256 value for a counter.
std::string pin_for(std::uint32_t worker, std::uint32_t n) {
  std::array<std::uint8_t, 32> bytes{};
  for (int i = 0; i < 4; ++i) {
    bytes[i] = static_cast<std::uint8_t>(worker >> (8 * i));
    bytes[4 + i] = static_cast<std::uint8_t>(n >> (8 * i));
  }
  return base::base64_encode(bytes);
}

Pin make_pin(const std::string& domain, const std::string& value) {
  Pin pin;
  pin.domain = domain;
  pin.pin_sha256 = value;
  pin.created = base::Seconds(std::chrono::seconds(1'767'225'600));
  return pin;
}

// write_all: the whole line, or the child gives up.
void write_line(int fd, const std::string& line) {
  std::size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(fd, line.data() + done, line.size() - done);
    if (n <= 0) {
      ::_exit(3);
    }
    done += static_cast<std::size_t>(n);
  }
}

// kKillPoints: where the writer of each round is stopped and killed,
// counted in the calls that change the disk (stopping_vfs.h), from the
// process start. Each round opens what the one before left: the first
// rounds die while creating the database (its journal, the file, the
// switch to WAL) or while opening and recovering it, the later ones while
// adding pins (writing WAL frames of a commit, syncing the WAL).
constexpr std::array<std::uint64_t, 20> kKillPoints = {
    1, 2, 3, 4, 5, 6, 7, 9, 12, 16, 23, 31, 47, 62, 95, 140, 211, 300, 500, 1'300};

// A writer adds pins and prints "domain pin" after each commit returned; it
// is killed at a chosen point inside a write (kKillPoints). Everything it
// printed must be in the database afterwards, and the database intact.
TEST(PinDurability, KilledWriterLeavesIntactDatabaseWithEveryReportedPin) {
  test::TempDir dir;
  const auto path = dir.file("pins.sqlite");
  std::set<std::pair<std::string, std::string>> reported;
  std::set<std::string> stopped_in;  // "write-wal", "sync-wal", ... (stopping_vfs.h)
  for (std::uint32_t round = 0; round < kKillPoints.size(); ++round) {
    SCOPED_TRACE("kill point " + std::to_string(kKillPoints[round]));
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      if (!test::install_stopping_vfs(kKillPoints[round], fds[1])) {
        write_line(fds[1], "ERROR the stopping VFS was refused\n");
        ::_exit(2);
      }
      auto store = PinStore::open(path);
      if (!store.ok()) {
        write_line(fds[1], "ERROR " + store.error().message() + "\n");
        ::_exit(2);
      }
      for (std::uint32_t n = 0; n < 100'000; ++n) {
        const std::string domain =
            "r" + std::to_string(round) + "-" + std::to_string(n / 8) + ".example";
        const std::string value = pin_for(round, n);
        const auto added = store->add_pin(make_pin(domain, value));
        if (!added.ok()) {
          write_line(fds[1], "ERROR " + added.error().message() + "\n");
          ::_exit(2);
        }
        write_line(fds[1], domain + " " + value + "\n");
      }
      ::_exit(0);
    }
    ::close(fds[1]);
    // Read the writer's lines until it reports its stop (bounded: a writer
    // that never gets there fails the test), then kill it there.
    std::string output;
    while (output.find("STOPPED ") == std::string::npos) {
      pollfd ready{fds[0], POLLIN, 0};
      if (::poll(&ready, 1, 30'000) != 1) {
        break;
      }
      std::array<char, 4096> chunk{};
      const ssize_t n = ::read(fds[0], chunk.data(), chunk.size());
      if (n <= 0) {
        break;
      }
      output.append(chunk.data(), static_cast<std::size_t>(n));
    }
    ::kill(pid, SIGKILL);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ::close(fds[0]);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the writer ended before its kill point: " << output;
    std::istringstream lines(output);
    std::string first;
    std::string second;
    while (lines >> first >> second) {
      ASSERT_NE(first, "ERROR") << second << lines.rdbuf();
      if (first == "STOPPED") {
        stopped_in.insert(second);
        break;  // the last line: nothing was written after it
      }
      reported.emplace(first, second);
    }
    ASSERT_EQ(output.find("STOPPED "), output.rfind("STOPPED ")) << output;
  }
  // Writers died inside commits (a WAL frame half written, the WAL not yet
  // synced), not only between them, and while the database was created.
  for (const char* point : {"write-wal", "sync-wal", "write-db", "sync-db"}) {
    EXPECT_TRUE(stopped_in.contains(point)) << "no writer was killed at " << point;
  }
  ASSERT_FALSE(reported.empty());

  auto store = PinStore::open(path);
  ASSERT_TRUE(store.ok()) << store.error().message();
  EXPECT_EQ(*store->database().integrity_check(), "ok");
  const auto all = store->all_pins();
  ASSERT_TRUE(all.ok());
  std::set<std::pair<std::string, std::string>> stored;
  for (const Pin& pin : *all) {
    stored.emplace(pin.domain, pin.pin_sha256);
  }
  for (const auto& pin : reported) {
    EXPECT_TRUE(stored.count(pin)) << pin.first << " " << pin.second << " reported but lost";
  }
  // At most the one pin per round whose commit finished before its line
  // was written can be stored without having been reported.
  EXPECT_LE(stored.size(), reported.size() + kKillPoints.size());
}

// Two processes write at once: each adds its own pins, and both race to pin
// the same new domains on first use. Nothing fails with "locked", every pin
// is there, and each raced domain has exactly one pin.
TEST(PinDurability, ConcurrentWritersFromTwoProcesses) {
  test::TempDir dir;
  const auto path = dir.file("pins.sqlite");
  constexpr std::uint32_t kPins = 60;
  std::array<pid_t, 2> children{};
  for (std::uint32_t worker = 0; worker < 2; ++worker) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      auto store = PinStore::open(path);
      if (!store.ok()) {
        // The parent's report names the child's reason.
        const std::string line =
            "writer " + std::to_string(worker) + ": open failed: " + store.error().message() + "\n";
        (void)!::write(STDERR_FILENO, line.data(), line.size());
        ::_exit(2);
      }
      const auto now = std::chrono::system_clock::now();
      for (std::uint32_t n = 0; n < kPins; ++n) {
        const std::string own = "w" + std::to_string(worker) + "-" + std::to_string(n) + ".example";
        if (!store->add_pin(make_pin(own, pin_for(worker, n))).ok()) {
          ::_exit(3);
        }
        const std::string raced = "race-" + std::to_string(n) + ".example";
        if (!store->pin_on_first_use(raced, pin_for(worker + 10, n), now).ok()) {
          ::_exit(4);
        }
        if (!store->set_setting({}, Setting::tofu, (n + worker) % 2 == 0).ok()) {
          ::_exit(5);
        }
      }
      ::_exit(0);
    }
    children[worker] = pid;
  }
  for (const pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "a writer failed";
  }
  auto store = PinStore::open(path);
  ASSERT_TRUE(store.ok());
  EXPECT_EQ(*store->database().integrity_check(), "ok");
  for (std::uint32_t worker = 0; worker < 2; ++worker) {
    for (std::uint32_t n = 0; n < kPins; ++n) {
      const auto pins =
          store->pins("w" + std::to_string(worker) + "-" + std::to_string(n) + ".example");
      ASSERT_EQ(pins->size(), 1u);
      EXPECT_EQ((*pins)[0].pin_sha256, pin_for(worker, n));
    }
  }
  for (std::uint32_t n = 0; n < kPins; ++n) {
    const auto pins = store->pins("race-" + std::to_string(n) + ".example");
    ASSERT_EQ(pins->size(), 1u) << n;
    EXPECT_EQ((*pins)[0].source, PinSource::tofu);
  }
}

}  // namespace
}  // namespace pgptls::pins
