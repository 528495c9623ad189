// durable_verdict_test.cpp: a trust decision that needs the disk never
// blocks the event loop. Real loopback handshakes, all on ONE io_context
// driven by the test thread: a client decides with the production
// tls::TrustVerifier over pins::PinCache (as `pgptls serve` and `s2s`
// run it), through the GnuTLS engine and through the RFC 6091 engine (its
// X.509 certificate type reaches the same pin decision). The cache's write
// hook (tests/pins/write_gate.h) holds a write (a slow disk) or fails it
// (a full disk); another PinStore on the same file stands for another
// process. Nothing waits for time: the loop runs until an event happened,
// each run bounded.
#include <gtest/gtest.h>

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "base/clock.h"
#include "base/rng.h"
#include "pins/pin_cache.h"
#include "pins/pin_store.h"
#include "pins/pin_types.h"
#include "tests/pins/write_gate.h"
#include "tests/support/process.h"
#include "tests/tls/engine_openpgp.h"
#include "tests/transport/transport_fixture.h"
#include "tls/trust/trust_verifier.h"
#include "tls/wire/errors.h"
#include "transport/stream.h"

namespace pgptls::test {
namespace {

using boost::asio::ip::tcp;
using namespace std::chrono_literals;
using TlsStream = transport::Stream<tcp::socket>;

enum class EngineKind { gnutls, rfc6091 };

std::string engine_kind_name(const ::testing::TestParamInfo<EngineKind>& info) {
  return info.param == EngineKind::gnutls ? "GnuTLS" : "Rfc6091";
}

// Side: one end of a link and how its operations ended.
struct Side {
  std::unique_ptr<TlsStream> stream;
  std::optional<boost::system::error_code> handshake;
  std::optional<boost::system::error_code> read;
  std::array<std::uint8_t, 64> buffer{};
  std::size_t got = 0;

  [[nodiscard]] std::string error() const {
    return stream->last_error() ? stream->last_error()->message() : std::string();
  }
};

// Link: our client (deciding with the verifier under test) and our server
// on one loopback TCP connection.
struct Link {
  Side client;
  Side server;
};

class DurableVerdictTest : public TransportTest, public ::testing::WithParamInterface<EngineKind> {
 protected:
  void SetUp() override {
    TransportTest::SetUp();
    auto other = pins::PinStore::open(path_);
    ASSERT_TRUE(other.ok()) << other.error().message();
    other_.emplace(std::move(other).value());
    // The cache's own timer is an hour: only the test's events move it.
    auto opened = pins::PinCache::open(path_, {.refresh_interval = 1h, .repeat_interval = 60s});
    ASSERT_TRUE(opened.ok()) << opened.error().message();
    cache_ = std::move(opened).value();
    cache_->set_before_write([this] { return gate_.pass(); });
    tls::TrustPolicy policy;
    policy.force_tofu = true;  // `serve --tofu`
    verifier_ = std::make_shared<tls::TrustVerifier>(
        tls::TrustVerifierConfig{cache_, nullptr, policy, std::make_shared<base::SystemClock>()});
    acceptor_.open(tcp::v4());
    acceptor_.bind(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    acceptor_.listen();
  }
  void TearDown() override {
    gate_.failing = false;
    gate_.release();
    cache_.reset();  // its thread, whose hook uses gate_
  }

  // client_engine: the flavor's client engine, verifying with verifier_
  // for the dialled domain.
  virtual transport::EngineFactory client_engine() {
    return [this](const transport::EngineRequest& request) -> Result<std::unique_ptr<tls::Engine>> {
      if (GetParam() == EngineKind::gnutls) {
        auto config = engine_config(tls::Role::client, &client_, verifier_);
        config.expected_domain = request.options.peer_domain;
        config.server_name = request.options.peer_domain.value_or("");
        return tls::make_gnutls_engine(std::move(config));
      }
      tls::Rfc6091Config config;
      config.role = tls::Role::client;
      config.policy.certificate_types = {tls::CertificateType::x509};
      config.credentials.x509 = client_.credential;
      config.verifier = verifier_;
      config.rng = std::make_shared<base::SystemRng>();
      config.clock = std::make_shared<base::SystemClock>();
      config.server_name = request.options.peer_domain;
      return tls::make_rfc6091_engine(std::move(config));
    };
  }
  // server_engine: the flavor's server, presenting server_'s key (whatever
  // domain it is dialled as) and accepting client_'s.
  virtual transport::EngineFactory server_engine() {
    if (GetParam() == EngineKind::gnutls) {
      return server_factory();
    }
    return [verifier = server_verifier_](const transport::EngineRequest& /*request*/) {
      return rfc6091_x509_engine(tls::Role::server, server_, verifier);
    };
  }

  // start: connects a link and starts both handshakes; the client dials
  // `domain`, with a handshake deadline of `timeout`.
  std::unique_ptr<Link> start(const std::string& domain, std::chrono::milliseconds timeout = 30s) {
    auto link = std::make_unique<Link>();
    tcp::socket client_socket(io_);
    client_socket.connect(acceptor_.local_endpoint());
    tcp::socket server_socket(io_);
    acceptor_.accept(server_socket);
    link->client.stream = std::make_unique<TlsStream>(client_engine(), std::move(client_socket));
    link->server.stream = std::make_unique<TlsStream>(server_engine(), std::move(server_socket));
    Link* raw = link.get();
    auto options = transport::HandshakeOptions::for_peer(domain);
    options.timeout = timeout;
    raw->client.stream->async_handshake(
        tls::Role::client, std::move(options),
        [raw](boost::system::error_code error) { raw->client.handshake = error; });
    transport::HandshakeOptions server_options;
    server_options.timeout = 30s;
    raw->server.stream->async_handshake(
        tls::Role::server, std::move(server_options),
        [raw](boost::system::error_code error) { raw->server.handshake = error; });
    return link;
  }

  // read: starts one application-data read on a side.
  static void read(Side& side) {
    side.stream->async_read_some(boost::asio::buffer(side.buffer),
                                 [&side](boost::system::error_code error, std::size_t got) {
                                   side.read = error;
                                   side.got = got;
                                 });
  }

  // run_until: runs the loop until `done` holds; fails the test after 30 s
  // (a bound, not a wait: every step is an event).
  void run_until(const std::function<bool()>& done) {
    const auto limit = std::chrono::steady_clock::now() + 30s;
    while (!done() && std::chrono::steady_clock::now() < limit) {
      io_.restart();
      io_.run_one_for(50ms);
    }
    ASSERT_TRUE(done()) << "the event did not happen within 30 s";
  }

  // settled: nothing is ready to run on the loop any more.
  bool settled() {
    io_.restart();
    return io_.poll() == 0;
  }

  bool write_entered() {
    const std::lock_guard lock(gate_.mutex);
    return gate_.entered;
  }

  // another_link_completes: while something is held, the same loop
  // completes another connection's handshake (b.example, pinned, so it
  // needs no disk) and runs a timer.
  void another_link_and_a_timer_complete() {
    auto other = start("b.example");
    bool fired = false;
    boost::asio::steady_timer timer(io_, 1ms);
    timer.async_wait([&fired](boost::system::error_code) { fired = true; });
    run_until([&] { return other->client.handshake && other->server.handshake && fired; });
    EXPECT_FALSE(*other->client.handshake) << other->client.error();
    EXPECT_FALSE(*other->server.handshake) << other->server.error();
  }

  // loop_stays_live_while_held: `link`'s verdict waits for held disk work,
  // yet the loop completes another connection and a timer, and not `link`.
  void loop_stays_live_while_held(const Link& link) {
    another_link_and_a_timer_complete();
    run_until([&] { return settled(); });
    EXPECT_FALSE(link.client.handshake.has_value()) << "judged before the disk work finished";
  }

  // release: lets the held write go and runs until `link` has its verdict.
  void release(const Link& link) {
    gate_.release();
    run_until([&] { return link.client.handshake.has_value(); });
  }

  // add_server_pin: another process (`pgptls pin add`) pins the server's
  // key for `domain`; the cache has not seen it yet.
  void add_server_pin(const std::string& domain) {
    pins::Pin pin;
    pin.domain = domain;
    pin.pin_sha256 = server_pin();
    pin.created = std::chrono::time_point_cast<std::chrono::seconds>(base::SystemClock().now());
    ASSERT_TRUE(other_->add_pin(pin).ok());
  }

  // pin_b_example: the other link's domain, pinned and seen by the cache.
  void pin_b_example() {
    add_server_pin("b.example");
    ASSERT_TRUE(cache_->refresh().ok());
  }

  std::string server_pin() const { return pins::pin_from_spki(server_.spki).value(); }

  TempDir dir_store_;
  std::filesystem::path path_ = dir_store_.file("pins.sqlite");
  WriteGate gate_;                       // before the cache: it outlives the cache's thread
  std::optional<pins::PinStore> other_;  // "another process"
  std::shared_ptr<pins::PinCache> cache_;
  std::shared_ptr<tls::TrustVerifier> verifier_;
  boost::asio::io_context io_;
  tcp::acceptor acceptor_{io_};
};

// Trust on first use while the store's write is held: the loop serves
// another connection and a timer meanwhile; the first handshake completes
// only when the write is released, and its peer saw no application data
// before that.
TEST_P(DurableVerdictTest, TofuWaitsForTheWriteWithoutBlockingTheLoop) {
  pin_b_example();
  gate_.hold();
  auto first = start("a.example");
  run_until([&] { return write_entered() && first->server.handshake.has_value(); });
  ASSERT_FALSE(*first->server.handshake) << first->server.error();
  read(first->server);  // the peer waits for our first application data

  loop_stays_live_while_held(*first);
  EXPECT_FALSE(first->server.read.has_value()) << "application data before the verdict";
  EXPECT_TRUE(other_->pins("a.example")->empty());

  release(*first);
  ASSERT_FALSE(*first->client.handshake) << first->client.error();
  const auto& peer = first->client.stream->session().peer;
  ASSERT_TRUE(peer.has_value());
  EXPECT_EQ(peer->pending, nullptr);
  EXPECT_EQ(peer->accepted_by, "tofu pin sha256/" + server_pin() + " (tofu)");
  EXPECT_EQ(peer->domains, std::vector<std::string>{"a.example"});
  const auto stored = other_->pins("a.example");
  ASSERT_EQ(stored->size(), 1U);
  EXPECT_EQ(stored->front().source, pins::PinSource::tofu);

  // The first application data the peer sees comes after the verdict.
  const std::string hello = "hello";
  boost::system::error_code write_error;
  bool written = false;
  boost::asio::async_write(*first->client.stream, boost::asio::buffer(hello),
                           [&](boost::system::error_code error, std::size_t) {
                             write_error = error;
                             written = true;
                           });
  run_until([&] { return written && first->server.read.has_value(); });
  ASSERT_FALSE(*first->server.read) << first->server.error();
  EXPECT_EQ(
      std::string(first->server.buffer.begin(),
                  first->server.buffer.begin() + static_cast<std::ptrdiff_t>(first->server.got)),
      hello);
}

// The TOFU write fails: the handshake fails with the store's message, the
// peer gets the fatal alert, nothing is stored; the next attempt, with the
// disk working, pins and succeeds.
TEST_P(DurableVerdictTest, AFailedTofuWriteFailsTheHandshakeWithTheStoresMessage) {
  gate_.failing = true;
  auto failed = start("a.example");
  run_until([&] { return failed->client.handshake && failed->server.handshake; });
  ASSERT_TRUE(*failed->client.handshake);
  EXPECT_EQ(*failed->client.handshake,
            transport::to_error_code(make_error(tls::Errc::peer_rejected)));
  EXPECT_NE(failed->client.error().find("database or disk is full (simulated)"), std::string::npos)
      << failed->client.error();
  EXPECT_NE(failed->client.error().find("a.example"), std::string::npos) << failed->client.error();
  // The server finished its side before the verdict; the alert ends it.
  if (!*failed->server.handshake) {
    read(failed->server);
    run_until([&] { return failed->server.read.has_value(); });
    EXPECT_TRUE(*failed->server.read);
  }
  EXPECT_NE(failed->server.error().find("certificate_unknown"), std::string::npos)
      << failed->server.error();
  EXPECT_TRUE(other_->pins("a.example")->empty());
  EXPECT_TRUE(cache_->pins("a.example")->empty());

  gate_.failing = false;
  auto next = start("a.example");
  run_until([&] { return next->client.handshake && next->server.handshake; });
  ASSERT_FALSE(*next->client.handshake) << next->client.error();
  EXPECT_EQ(next->client.stream->session().peer->accepted_by,
            "tofu pin sha256/" + server_pin() + " (tofu)");
  EXPECT_EQ(other_->pins("a.example")->size(), 1U);
}

// Another process pinned another key for the domain first (our snapshot
// did not have it yet): the store's transaction finds it, and the
// handshake is rejected with the pin-mismatch message.
TEST_P(DurableVerdictTest, AnotherProcessPinnedAnotherKeyFirst) {
  const std::string theirs = pins::pin_from_spki(stranger_.spki).value();
  ASSERT_TRUE(other_->pin_on_first_use("a.example", theirs, base::SystemClock().now())->pinned);
  auto link = start("a.example");
  run_until([&] { return link->client.handshake && link->server.handshake; });
  ASSERT_TRUE(*link->client.handshake);
  EXPECT_EQ(*link->client.handshake,
            transport::to_error_code(make_error(tls::Errc::peer_rejected)));
  EXPECT_NE(link->client.error().find("x509 key for a.example changed: pinned on first use " +
                                      pins::format_pin(theirs)),
            std::string::npos)
      << link->client.error();
  const auto stored = other_->pins("a.example");
  ASSERT_EQ(stored->size(), 1U);
  EXPECT_EQ(stored->front().pin_sha256, theirs);
}

// A domain's first OpenPGP login is being written (held): a connection of
// that domain is not judged before the write is durable, and the loop
// stays live meanwhile; after the write it is judged (here: accepted by
// its manual pin, which a sticky domain honours).
TEST_P(DurableVerdictTest, AHeldFirstLoginDelaysOnlyThatDomainsVerdict) {
  pin_b_example();
  add_server_pin("a.example");
  ASSERT_TRUE(cache_->refresh().ok());
  gate_.hold();
  ASSERT_TRUE(cache_->record_openpgp_auth("a.example", base::SystemClock().now()).ok());
  auto second = start("a.example");
  run_until([&] { return write_entered() && second->server.handshake.has_value(); });

  loop_stays_live_while_held(*second);
  EXPECT_FALSE(other_->openpgp_auth("a.example")->has_value());

  release(*second);
  ASSERT_FALSE(*second->client.handshake) << second->client.error();
  EXPECT_EQ(second->client.stream->session().peer->accepted_by,
            "pin sha256/" + server_pin() + " (manual)");
  EXPECT_TRUE(other_->openpgp_auth("a.example")->has_value());
}

// The first login's write fails: the connection that waited for it is
// refused, fail closed, with the reason; the peer gets the alert.
TEST_P(DurableVerdictTest, AFailedFirstLoginRefusesTheDomainsNextConnection) {
  add_server_pin("a.example");
  ASSERT_TRUE(cache_->refresh().ok());
  gate_.hold();
  gate_.failing = true;
  ASSERT_TRUE(cache_->record_openpgp_auth("a.example", base::SystemClock().now()).ok());
  auto second = start("a.example");
  run_until([&] { return write_entered() && second->server.handshake.has_value(); });
  run_until([&] { return settled(); });
  EXPECT_FALSE(second->client.handshake.has_value());

  release(*second);
  ASSERT_TRUE(*second->client.handshake);
  EXPECT_EQ(*second->client.handshake,
            transport::to_error_code(make_error(tls::Errc::peer_rejected)));
  EXPECT_NE(second->client.error().find("database or disk is full (simulated)"), std::string::npos)
      << second->client.error();
  read(second->server);
  run_until([&] { return second->server.read.has_value(); });
  EXPECT_TRUE(*second->server.read);
  EXPECT_NE(second->server.error().find("certificate_unknown"), std::string::npos)
      << second->server.error();
}

// catch_up: `pgptls pin add` by another process during a connection. The
// rejection waits for the reload (here behind a held write of another
// domain, standing for a slow disk) without blocking the loop, and the
// key is accepted after it.
TEST_P(DurableVerdictTest, APinAddedDuringTheConnectionTurnsTheRejectionIntoAcceptance) {
  pin_b_example();
  ASSERT_TRUE(base::wait_for(cache_->catch_up()).ok());  // whatever opening the store wrote
  tls::TrustPolicy strict;                               // no TOFU: an unpinned key is rejected
  verifier_ = std::make_shared<tls::TrustVerifier>(
      tls::TrustVerifierConfig{cache_, nullptr, strict, std::make_shared<base::SystemClock>()});
  gate_.hold();
  ASSERT_TRUE(cache_->record_openpgp_auth("c.example", base::SystemClock().now()).ok());
  run_until([&] { return write_entered(); });

  add_server_pin("a.example");                      // the operator's `pgptls pin add`
  EXPECT_TRUE(cache_->pins("a.example")->empty());  // not in the snapshot yet
  auto link = start("a.example");
  run_until([&] { return link->server.handshake.has_value(); });

  loop_stays_live_while_held(*link);  // the rejection waits for the reload

  release(*link);
  ASSERT_FALSE(*link->client.handshake) << link->client.error();
  EXPECT_EQ(link->client.stream->session().peer->accepted_by,
            "pin sha256/" + server_pin() + " (manual)");
}

// A verdict that never comes ends at the handshake deadline.
TEST_P(DurableVerdictTest, AVerdictThatNeverComesEndsAtTheDeadline) {
  gate_.hold();
  // The deadline is the event this test waits for.
  auto link = start("a.example", 1s);
  Link* raw = link.get();
  run_until([&] { return raw->client.handshake.has_value(); });
  EXPECT_EQ(*raw->client.handshake, transport::Errc::handshake_timeout) << raw->client.error();
  EXPECT_TRUE(other_->pins("a.example")->empty());
}

// A connection that is cancelled while its verdict is pending ends.
TEST_P(DurableVerdictTest, ACancelledHandshakeEndsWhileTheVerdictIsPending) {
  gate_.hold();
  auto link = start("a.example");
  run_until([&] { return write_entered() && link->server.handshake.has_value(); });
  run_until([&] { return settled(); });
  ASSERT_FALSE(link->client.handshake.has_value());
  link->client.stream->cancel();
  run_until([&] { return link->client.handshake.has_value(); });
  EXPECT_EQ(*link->client.handshake, boost::asio::error::operation_aborted);
  EXPECT_FALSE(link->client.stream->established());
}

INSTANTIATE_TEST_SUITE_P(Engines, DurableVerdictTest,
                         ::testing::Values(EngineKind::gnutls, EngineKind::rfc6091),
                         engine_kind_name);

// KeyTrust: the OpenPGP side of the verifier for these tests: a key is
// accepted when the test trusts its fingerprint for the domain (the
// authority decision itself is tested in tests/tls and decision_matrix).
class KeyTrust final : public tls::OpenPgpTrust {
 public:
  explicit KeyTrust(const tls::test::OpenPgpIdentity& identity) { keys_.trust(identity); }
  Result<tls::VerifiedPeer> verify(const tls::PresentedCertificate& certificate,
                                   const std::optional<std::string>& domain) override {
    return keys_.verify(certificate, tls::VerifyRequest{domain, tls::Role::client});
  }
  Result<bool> domain_is_certified(std::string_view /*domain*/) override { return false; }
  Result<std::vector<std::string>> domains_for_authentication_key(ByteView /*spki*/) override {
    return std::vector<std::string>{};
  }

 private:
  tls::test::OpenPgpTrustVerifier keys_;
};

// The first OpenPGP login of a domain, over RFC 6091 with OpenPGP
// certificates: the login that causes it is accepted at once (its record
// is written off the loop), but the next connection of the same domain is
// not judged before that record is durable: the loop serves others
// meanwhile; a failed write refuses that connection, fail closed.
class DurableOpenPgpLoginTest : public DurableVerdictTest {
 protected:
  static void SetUpTestSuite() {
    DurableVerdictTest::SetUpTestSuite();
    gpg_home_ = new TempDir();
    server_pgp_ = new tls::test::OpenPgpIdentity(
        tls::test::make_openpgp_identity(*gpg_home_, tls::test::OpenPgpKind::ed25519, "a.example"));
  }
  static void TearDownTestSuite() {
    delete server_pgp_;
    server_pgp_ = nullptr;
    if (gpg_home_ != nullptr) {
      // gpg started an agent for this home; stop it before the folder goes.
      (void)run_tool({"gpgconf", "--homedir", gpg_home_->path().string(), "--kill", "all"});
    }
    delete gpg_home_;
    gpg_home_ = nullptr;
    DurableVerdictTest::TearDownTestSuite();
  }
  void SetUp() override {
    DurableVerdictTest::SetUp();
    ASSERT_NE(server_pgp_, nullptr) << "the gpg fixture was not made";
    verifier_ = std::make_shared<tls::TrustVerifier>(
        tls::TrustVerifierConfig{cache_, std::make_shared<KeyTrust>(*server_pgp_),
                                 tls::TrustPolicy{}, std::make_shared<base::SystemClock>()});
  }

  // OpenPGP engines: a.example is served with its OpenPGP key (b.example,
  // the other link, with X.509 through the same RFC 6091 engine).
  static Result<std::unique_ptr<tls::Engine>> openpgp_engine(
      tls::Role role, std::optional<std::string> domain,
      std::shared_ptr<tls::PeerVerifier> verifier) {
    tls::Rfc6091Config config;
    config.role = role;
    config.policy.certificate_types = {tls::CertificateType::openpgp};
    if (role == tls::Role::server) {
      config.policy.certificate_types.push_back(tls::CertificateType::x509);
      config.credentials.openpgp = server_pgp_->credential();
      config.credentials.x509 = server_.credential;
    }
    config.verifier = std::move(verifier);
    config.rng = std::make_shared<base::SystemRng>();
    config.clock = std::make_shared<base::SystemClock>();
    config.client_auth = tls::ClientAuth::none;
    config.server_name = std::move(domain);
    return tls::make_rfc6091_engine(std::move(config));
  }
  transport::EngineFactory client_engine() override {
    return [this](const transport::EngineRequest& request) {
      if (request.options.peer_domain == "b.example") {
        return DurableVerdictTest::client_engine()(request);
      }
      return openpgp_engine(tls::Role::client, request.options.peer_domain, verifier_);
    };
  }
  transport::EngineFactory server_engine() override {
    return [this](const transport::EngineRequest& /*request*/) {
      return openpgp_engine(tls::Role::server, std::nullopt, server_verifier_);
    };
  }

  static inline TempDir* gpg_home_ = nullptr;
  static inline tls::test::OpenPgpIdentity* server_pgp_ = nullptr;
};

TEST_P(DurableOpenPgpLoginTest, TheNextLoginOfTheDomainWaitsForTheFirstToBeDurable) {
  pin_b_example();
  gate_.hold();
  auto first = start("a.example");
  run_until([&] { return first->client.handshake && first->server.handshake; });
  ASSERT_FALSE(*first->client.handshake) << first->client.error();
  EXPECT_EQ(first->client.stream->session().certificate_type, tls::CertificateType::openpgp);
  run_until([&] { return write_entered(); });  // its record, off the loop

  auto second = start("a.example");
  run_until([&] { return second->server.handshake.has_value(); });
  loop_stays_live_while_held(*second);
  EXPECT_FALSE(other_->openpgp_auth("a.example")->has_value());

  release(*second);
  ASSERT_FALSE(*second->client.handshake) << second->client.error();
  EXPECT_EQ(second->client.stream->session().certificate_type, tls::CertificateType::openpgp);
  EXPECT_TRUE(other_->openpgp_auth("a.example")->has_value());
}

TEST_P(DurableOpenPgpLoginTest, AFailedFirstLoginWriteRefusesTheNextLogin) {
  gate_.hold();
  gate_.failing = true;
  auto first = start("a.example");
  run_until([&] { return first->client.handshake && write_entered(); });
  ASSERT_FALSE(*first->client.handshake) << first->client.error();
  auto second = start("a.example");
  run_until([&] { return second->server.handshake.has_value(); });
  run_until([&] { return settled(); });
  EXPECT_FALSE(second->client.handshake.has_value());

  release(*second);
  ASSERT_TRUE(*second->client.handshake);
  EXPECT_NE(second->client.error().find("database or disk is full (simulated)"), std::string::npos)
      << second->client.error();
  EXPECT_NE(second->client.error().find("a.example"), std::string::npos) << second->client.error();
  read(second->server);
  run_until([&] { return second->server.read.has_value(); });
  EXPECT_NE(second->server.error().find("certificate_unknown"), std::string::npos)
      << second->server.error();
  EXPECT_FALSE(other_->openpgp_auth("a.example")->has_value());
}

INSTANTIATE_TEST_SUITE_P(Rfc6091, DurableOpenPgpLoginTest, ::testing::Values(EngineKind::rfc6091),
                         engine_kind_name);

}  // namespace
}  // namespace pgptls::test
