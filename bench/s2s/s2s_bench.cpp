// Benchmarks of `pgptls s2s` as deployed, on loopback:
// a stand-in for b.example's XMPP server opens a stream through proxy B
// (outbound, static route) to proxy A (inbound, STARTTLS, OpenPGP RFC 6091
// TLS 1.2 with gpg-made Ed25519 keys certified by one authority), which
// hands it to a stand-in for a.example's XMPP server with PROXY v2.
//   * BM_RelayThroughput/proxied vs BM_RelayThroughput/direct_tcp: 1 KiB
//     stanzas through both proxies versus the same bytes over one direct
//     loopback TCP connection, in the same run (bytes_per_second).
//   * BM_ConnectToFirstStanza: TCP connect to B's outbound port until A's
//     server holds the first stanza (STARTTLS, handshake, PROXY, the
//     servers' headers), in ms.
//   * BM_IdleLinkMemory: VmRSS growth of each proxy over N idle links,
//     per link (each proxy holds two directions per link).
//   * BM_InboundHandshakeCpu: proxy A's user+system CPU per accepted link.
#include <benchmark/benchmark.h>

#include <unistd.h>
#include <chrono>
#include <csignal>
#include <fstream>
#include <memory>
#include <optional>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/cli/openpgp_world.h"
#include "tests/s2s/raw_peer.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace {

using namespace pgptls;
using namespace std::chrono_literals;

constexpr auto kWait = 20s;

std::string stream_open() {
  return "<?xml version='1.0'?><stream:stream xmlns='jabber:server' "
         "xmlns:stream='http://etherx.jabber.org/streams' from='b.example' to='a.example' "
         "version='1.0'>";
}
const std::string kReply =
    "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' "
    "from='a.example' to='b.example' id='s1' version='1.0'><stream:features/>";

std::string stanza(std::size_t size) {
  const std::string head = "<message from='u@b.example' to='v@a.example'><body>";
  const std::string tail = "</body></message>";
  return head + std::string(size - head.size() - tail.size(), 'x') + tail;
}

struct Proxy {
  std::optional<test::ChildProcess> process;
  std::uint16_t inbound = 0;
  std::uint16_t outbound = 0;
};

long rss_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::stol(line.substr(6));
    }
  }
  throw std::runtime_error("no VmRSS");
}

double cpu_seconds(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string field;
  unsigned long utime = 0;
  unsigned long stime = 0;
  for (int index = 3; fields >> field; ++index) {
    if (index == 14) {
      utime = std::stoul(field);
    } else if (index == 15) {
      stime = std::stoul(field);
      break;
    }
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// World: proxies A and B and A's backend, started once per process.
struct World {
  test::TempDir dir;
  test::RawListener backend;
  Proxy a;
  Proxy b;

  World() {
    const test::OpenPgpWorld& keys = test::openpgp_world();
    std::filesystem::create_directories(dir.file("keyring"));
    std::filesystem::copy_file(keys.file("a.asc"), dir.file("keyring/a.asc"));
    std::filesystem::copy_file(keys.file("b.asc"), dir.file("keyring/b.asc"));
    const std::string trust = "authority = [\"" + keys.file("ca.asc") +
                              "\"]\nkeyring = \"keyring\"\n[limits]\nmax-links = 10000\n";
    a = start("A", trust + "[inbound]\nlisten = [\"127.0.0.1:0\"]\nbackend = \"127.0.0.1:" +
                       std::to_string(backend.port()) + "\"\n" + domain("a.example", "a"));
    b = start("B", trust +
                       "[outbound]\nlisten = \"127.0.0.1:0\"\n[dns]\nstatic = "
                       "[\"a.example=127.0.0.1:" +
                       std::to_string(a.inbound) + "\"]\n" + domain("b.example", "b"));
  }
  ~World() {
    for (Proxy* proxy : {&a, &b}) {
      if (proxy->process) {
        proxy->process->signal(SIGTERM);
        (void)proxy->process->wait(10s);
      }
    }
  }

  static std::string domain(const std::string& name, const std::string& key) {
    const test::OpenPgpWorld& keys = test::openpgp_world();
    return "[[domain]]\nname = \"" + name + "\"\nopenpgp-cert = \"" + keys.file(key + ".asc") +
           "\"\nopenpgp-key = \"" + keys.file(key + ".sec") + "\"\n";
  }

  Proxy start(const std::string& name, const std::string& body) {
    Proxy proxy;
    const auto config = dir.file(name + ".toml");
    std::ofstream(config) << "home = \"" << dir.file(name + "-home").string() << "\"\n" << body;
    proxy.process = test::ChildProcess::start({PGPTLS_PROGRAM, "s2s", "--config", config.string()},
                                              dir.file(name + ".log"));
    if (!proxy.process || !proxy.process->wait_for_log("s2s ready", kWait)) {
      throw std::runtime_error("pgptls s2s " + name + " did not start");
    }
    const std::string log = proxy.process->log();
    std::smatch match;
    if (std::regex_search(log, match, std::regex("inbound=127\\.0\\.0\\.1:([0-9]+)"))) {
      proxy.inbound = static_cast<std::uint16_t>(std::stoi(match[1]));
    }
    if (std::regex_search(log, match, std::regex("outbound=127\\.0\\.0\\.1:([0-9]+)"))) {
      proxy.outbound = static_cast<std::uint16_t>(std::stoi(match[1]));
    }
    return proxy;
  }

  // Link: both stand-in servers' ends of one established link.
  struct Link {
    test::RawPeer local;   // b.example's server, at B's outbound port
    test::RawPeer remote;  // a.example's server, behind A
  };

  Link open_link() {
    Link link;
    auto local = test::RawPeer::connect_to(b.outbound);
    if (!local || !local->send(stream_open())) {
      throw std::runtime_error("cannot reach proxy B");
    }
    link.local = std::move(*local);
    auto remote = backend.accept(kWait);
    if (!remote || !remote->read_until("version='1.0'>", kWait)) {
      throw std::runtime_error("proxy A did not connect: " + a.process->log() + b.process->log());
    }
    link.remote = std::move(*remote);
    link.remote.send(kReply);
    if (!link.local.read_until("<stream:features/>", kWait)) {
      throw std::runtime_error("no reply through the proxies");
    }
    link.local.clear();
    link.remote.clear();
    return link;
  }
};

World& world() {
  static World instance;
  return instance;
}

// pump: sends `total` bytes of 1 KiB stanzas from `from`, read by `to` on
// another thread; returns when all arrived.
void pump(test::RawPeer& from, test::RawPeer& to, std::size_t total) {
  const std::string one = stanza(1024);
  std::string batch;
  for (int i = 0; i < 64; ++i) {
    batch += one;
  }
  std::thread reader([&] {
    if (!to.read_at_least(total, kWait)) {
      throw std::runtime_error("relay stalled");
    }
  });
  for (std::size_t sent = 0; sent < total; sent += batch.size()) {
    from.send(batch);
  }
  reader.join();
  to.clear();
}

void BM_RelayThroughput(benchmark::State& state) {
  const bool proxied = state.range(0) == 1;
  constexpr std::size_t kBytes = 16 * 64 * 1024;  // 1 MiB per iteration
  std::optional<World::Link> link;
  std::optional<test::RawListener> direct_listener;
  std::optional<test::RawPeer> direct_from;
  std::optional<test::RawPeer> direct_to;
  if (proxied) {
    link.emplace(world().open_link());
  } else {
    direct_listener.emplace();
    direct_from = test::RawPeer::connect_to(direct_listener->port());
    direct_to = direct_listener->accept(kWait);
  }
  for (auto _ : state) {
    if (proxied) {
      pump(link->local, link->remote, kBytes);
    } else {
      pump(*direct_from, *direct_to, kBytes);
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kBytes));
  state.SetLabel(proxied ? "proxied (B outbound + A inbound, OpenPGP TLS 1.2)" : "direct_tcp");
}
BENCHMARK(BM_RelayThroughput)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ConnectToFirstStanza(benchmark::State& state) {
  World& w = world();
  const std::string message = stanza(256);
  for (auto _ : state) {
    World::Link link = w.open_link();
    link.local.send(message);
    if (!link.remote.read_until("</message>", kWait)) {
      throw std::runtime_error("first stanza lost");
    }
  }
}
BENCHMARK(BM_ConnectToFirstStanza)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(20);

void BM_IdleLinkMemory(benchmark::State& state) {
  World& w = world();
  const auto count = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    std::vector<World::Link> links;
    links.push_back(w.open_link());  // warm up allocator pools
    const long a_before = rss_kib(w.a.process->pid());
    const long b_before = rss_kib(w.b.process->pid());
    for (std::size_t i = 0; i < count; ++i) {
      links.push_back(w.open_link());
    }
    const long a_after = rss_kib(w.a.process->pid());
    const long b_after = rss_kib(w.b.process->pid());
    state.counters["inbound_KiB_per_link"] =
        static_cast<double>(a_after - a_before) / static_cast<double>(count);
    state.counters["outbound_KiB_per_link"] =
        static_cast<double>(b_after - b_before) / static_cast<double>(count);
  }
}
BENCHMARK(BM_IdleLinkMemory)->Arg(100)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_InboundHandshakeCpu(benchmark::State& state) {
  World& w = world();
  constexpr int kLinks = 100;  // /proc counts CPU in 10 ms ticks
  for (auto _ : state) {
    const double before = cpu_seconds(w.a.process->pid());
    for (int i = 0; i < kLinks; ++i) {
      World::Link link = w.open_link();
    }
    const double after = cpu_seconds(w.a.process->pid());
    state.counters["inbound_cpu_ms_per_link"] = (after - before) * 1000.0 / kLinks;
  }
}
BENCHMARK(BM_InboundHandshakeCpu)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
