// The pin database under process-level stress: writers killed with SIGKILL
// mid-write, and two processes writing at once. Children are forked and
// leave with _exit so that nothing of the test framework runs in them.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "base/encoding.h"
#include "pins/pin_store.h"
#include "tests/support/temp_dir.h"

namespace pgptls::keyring {
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

std::string read_all(int fd) {
  std::string out;
  std::array<char, 4096> buffer{};
  while (true) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n <= 0) {
      return out;
    }
    out.append(buffer.data(), static_cast<std::size_t>(n));
  }
}

// A writer adds pins as fast as it can and prints "domain pin" after each
// commit returned; it is killed at a random moment. Everything it printed
// must be in the database afterwards, and the database must be intact.
TEST(PinDurability, KilledWriterLeavesIntactDatabaseWithEveryReportedPin) {
  test::TempDir dir;
  const auto path = dir.file("pins.sqlite");
  std::mt19937 random(20261129);
  std::set<std::pair<std::string, std::string>> reported;
  int killed_mid_run = 0;
  for (std::uint32_t round = 0; round < 20; ++round) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
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
    std::string output;
    if (round % 2 == 0) {
      // Even rounds kill once writing is under way (so that a loaded
      // machine still exercises kills between commits); odd rounds kill at
      // any moment, opening and migrating included.
      pollfd ready{fds[0], POLLIN, 0};
      ASSERT_EQ(::poll(&ready, 1, 10'000), 1) << "writer never reported a pin";
      std::array<char, 256> first{};
      const ssize_t n = ::read(fds[0], first.data(), first.size());
      ASSERT_GT(n, 0);
      output.append(first.data(), static_cast<std::size_t>(n));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20 + random() % 100));
    ::kill(pid, SIGKILL);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    killed_mid_run += WIFSIGNALED(status) ? 1 : 0;
    output += read_all(fds[0]);
    std::istringstream lines(output);
    ::close(fds[0]);
    std::string domain;
    std::string value;
    while (lines >> domain >> value) {
      ASSERT_NE(domain, "ERROR") << value << lines.rdbuf();
      reported.emplace(domain, value);
    }
  }
  EXPECT_EQ(killed_mid_run, 20);
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
  EXPECT_LE(stored.size(), reported.size() + 20);
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
}  // namespace pgptls::keyring
