// The ClientHello dispatcher: real hellos (GnuTLS 3.7 TLS 1.3 from our
// GnuTLS engine, GnuTLS 3.5 RFC 6091 from the reference capture read with
// tshark), split records, caps, the deadline and malformed input.
#include <gtest/gtest.h>

#include <memory>
#include <sstream>
#include <string>

#include "base/byte_reader.h"
#include "base/clock.h"
#include "base/encoding.h"
#include "tests/support/engine_pump.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/tls/gnutls_test_pki.h"
#include "tls/gnutls/gnutls_engine.h"
#include "tls/wire/client_hello_peek.h"
#include "tls/wire/errors.h"

namespace pgptls::test {
namespace {

using namespace std::chrono_literals;
using tls::ClientHelloPeek;
using tls::EngineChoice;

// The first flight of the client in a capture, as tshark follows it.
Bytes first_client_flight(const std::string& pcap) {
  const auto result = run_tool({"tshark", "-r", pcap, "-q", "-z", "follow,tcp,raw,0"});
  EXPECT_TRUE(result.ok()) << result.describe();
  std::istringstream lines(result.out);
  std::string line;
  bool nodes_seen = false;
  while (std::getline(lines, line)) {
    if (line.rfind("Node 1:", 0) == 0) {
      nodes_seen = true;
      continue;
    }
    if (nodes_seen && !line.empty() && line[0] != '\t') {
      auto bytes = base::hex_decode(line);
      EXPECT_TRUE(bytes.ok()) << line;
      return bytes.ok() ? *bytes : Bytes{};
    }
  }
  ADD_FAILURE() << "no client data in " << pcap;
  return {};
}

// rerecord: the handshake bytes of `records` re-framed into records of
// `size` bytes each (the content stays the real hello).
Bytes rerecord(const Bytes& records, std::size_t size) {
  base::ByteReader reader(records);
  Bytes handshake;
  while (!reader.empty()) {
    (void)reader.skip(3);
    auto fragment = reader.prefixed_bytes(base::LengthPrefix::u16);
    EXPECT_TRUE(fragment.ok());
    handshake.insert(handshake.end(), fragment->begin(), fragment->end());
  }
  Bytes out;
  for (std::size_t offset = 0; offset < handshake.size(); offset += size) {
    const std::size_t count = std::min(size, handshake.size() - offset);
    out.insert(out.end(), {22, 3, 1, static_cast<std::uint8_t>(count >> 8),
                           static_cast<std::uint8_t>(count & 0xFF)});
    out.insert(out.end(), handshake.begin() + static_cast<std::ptrdiff_t>(offset),
               handshake.begin() + static_cast<std::ptrdiff_t>(offset + count));
  }
  return out;
}

class ClientHelloPeekTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    server_ = make_identity(dir_->path(), "server.example", KeyKind::ed25519);
    if (has_tool("tshark")) {
      openpgp_hello_ = first_client_flight(std::string(PGPTLS_TEST_DATA_DIR) +
                                           "/gnutls-3.5/captures/mutual-rsa.pcap");
    }
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  void SetUp() override {
    ASSERT_FALSE(server_.spki.empty());
    verifier_ = std::make_shared<SpkiVerifier>();
    verifier_->accepted = {server_.spki};
    auto client = tls::make_gnutls_engine(engine_config(tls::Role::client, nullptr, verifier_));
    ASSERT_TRUE(client.ok());
    client_ = std::move(client).value();
    ASSERT_TRUE(client_->start().ok());
    tls13_hello_ = to_bytes(client_->pending_output());
    client_->consume_output(tls13_hello_.size());
  }

  // serve: hands the dispatcher's bytes to a GnuTLS server engine and
  // completes the handshake with the client that made the hello.
  void serve(const Bytes& buffered) {
    auto server = tls::make_gnutls_engine(engine_config(tls::Role::server, &server_, nullptr));
    ASSERT_TRUE(server.ok());
    ASSERT_TRUE((*server)->start().ok());
    ASSERT_TRUE((*server)->feed(buffered).ok()) << (*server)->failure()->message();
    const auto result = pump_engines_in_memory(*client_, **server);
    EXPECT_TRUE(result.both_established()) << result.describe(*client_, **server);
  }

  static inline TempDir* dir_ = nullptr;
  static inline Identity server_;
  static inline Bytes openpgp_hello_;
  std::shared_ptr<SpkiVerifier> verifier_;
  std::unique_ptr<tls::Engine> client_;
  Bytes tls13_hello_;
  base::FixedClock clock_{base::TimePoint{} + 1000h};
};

TEST_F(ClientHelloPeekTest, Tls13HelloGoesToGnutlsAndIsHandedOnIntact) {
  ClientHelloPeek peek(clock_, /*server_has_openpgp=*/true);
  auto decision = peek.feed(tls13_hello_);
  ASSERT_TRUE(decision.ok()) << decision.error().message();
  ASSERT_TRUE(decision->has_value());
  EXPECT_EQ((*decision)->engine, EngineChoice::gnutls);
  EXPECT_TRUE((*decision)->hello.offers_tls13);
  EXPECT_FALSE((*decision)->hello.offers_openpgp);
  EXPECT_TRUE((*decision)->hello.certificate_types.empty());
  EXPECT_EQ((*decision)->buffered, tls13_hello_);
  // The bytes belong to the engine now.
  const auto late = peek.feed(as_bytes_view("x"));
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, tls::Errc::invalid_state);
  serve((*decision)->buffered);
}

TEST_F(ClientHelloPeekTest, OpenPgpHelloFromGnutls35GoesToTheRfc6091Engine) {
  if (openpgp_hello_.empty()) {
    GTEST_SKIP() << "tshark is not installed (scripts/install-deps installs it)";
  }
  ClientHelloPeek with_openpgp(clock_, /*server_has_openpgp=*/true);
  auto decision = with_openpgp.feed(openpgp_hello_);
  ASSERT_TRUE(decision.ok()) << decision.error().message();
  ASSERT_TRUE(decision->has_value());
  EXPECT_EQ((*decision)->engine, EngineChoice::rfc6091);
  EXPECT_TRUE((*decision)->hello.offers_openpgp);
  EXPECT_FALSE((*decision)->hello.offers_tls13);
  EXPECT_EQ((*decision)->hello.legacy_version, 0x0303);
  // GnuTLS 3.5 lists X.509 (0) before OpenPGP (1).
  EXPECT_EQ((*decision)->hello.certificate_types, (std::vector<std::uint8_t>{0, 1}));
  EXPECT_EQ((*decision)->buffered, openpgp_hello_);

  // Without an OpenPGP credential the server answers with X.509 (GnuTLS).
  ClientHelloPeek without_openpgp(clock_, /*server_has_openpgp=*/false);
  auto fallback = without_openpgp.feed(openpgp_hello_);
  ASSERT_TRUE(fallback.ok() && fallback->has_value());
  EXPECT_EQ((*fallback)->engine, EngineChoice::gnutls);
}

TEST_F(ClientHelloPeekTest, HelloSplitIntoOneByteRecordsFedOneByteAtATime) {
  const Bytes split = rerecord(tls13_hello_, 1);
  ClientHelloPeek peek(clock_, true);
  for (std::size_t i = 0; i + 1 < split.size(); ++i) {
    auto partial = peek.feed(ByteView(&split[i], 1));
    ASSERT_TRUE(partial.ok()) << "at byte " << i << ": " << partial.error().message();
    ASSERT_FALSE(partial->has_value()) << "decided early at byte " << i;
  }
  auto decision = peek.feed(ByteView(&split.back(), 1));
  ASSERT_TRUE(decision.ok()) << decision.error().message();
  ASSERT_TRUE(decision->has_value());
  EXPECT_EQ((*decision)->engine, EngineChoice::gnutls);
  EXPECT_EQ((*decision)->buffered, split);
  // GnuTLS reassembles the same fragmented hello.
  serve((*decision)->buffered);
}

TEST_F(ClientHelloPeekTest, OversizedHelloIsRefusedAtTheCap) {
  ClientHelloPeek peek(clock_, true, tls::PeekLimits{.max_client_hello_size = 64});
  auto decision = peek.feed(tls13_hello_);
  ASSERT_FALSE(decision.ok());
  EXPECT_EQ(decision.error().code, tls::Errc::record_overflow);
  EXPECT_NE(decision.error().message().find("over the cap of 64"), std::string::npos)
      << decision.error().message();
}

TEST_F(ClientHelloPeekTest, EndlessFragmentsAreRefusedAtTheBufferCap) {
  // A hello header announcing 60000 bytes in a stream of records: the
  // header cap refuses it; with a bigger cap, the buffer cap does.
  ClientHelloPeek peek(clock_, true, tls::PeekLimits{.max_client_hello_size = 1 << 20});
  Bytes header{22, 3, 1, 0, 4, 1, 0, 0xEA, 0x60};
  ASSERT_TRUE(peek.feed(header).ok());
  Result<std::optional<tls::DispatchDecision>> last = std::optional<tls::DispatchDecision>();
  const Bytes record = [] {
    Bytes r{22, 3, 1, 0x40, 0x00};
    r.resize(5 + 0x4000, 0xAB);
    return r;
  }();
  for (int i = 0; i < 200 && last.ok(); ++i) {
    last = peek.feed(record);
    if (last.ok()) {
      ASSERT_FALSE(last->has_value());
    }
  }
  // 60000 bytes arrive within 4 records: then the hello must parse (it
  // does not: it is filler), or the buffer cap trips first.
  ASSERT_FALSE(last.ok());
}

TEST_F(ClientHelloPeekTest, NeverFinishedHelloTimesOutAtTheDeadline) {
  ClientHelloPeek peek(clock_, true, tls::PeekLimits{.timeout = 5s});
  EXPECT_EQ(peek.deadline(), clock_.now() + 5s);
  ASSERT_TRUE(peek.feed(ByteView(tls13_hello_).first(20)).ok());
  clock_.advance(4s);
  EXPECT_TRUE(peek.check_deadline().ok());
  ASSERT_TRUE(peek.feed(ByteView(tls13_hello_).subspan(20, 20)).ok());
  clock_.advance(1s);
  const auto late = peek.check_deadline();
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, tls::Errc::timeout);
  EXPECT_NE(late.error().message().find("no complete ClientHello within 5000 ms"),
            std::string::npos);
  // Even the rest of the hello is refused now, and for good.
  auto after = peek.feed(ByteView(tls13_hello_).subspan(40));
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.error().code, tls::Errc::timeout);
}

TEST_F(ClientHelloPeekTest, NonTlsInputIsRefused) {
  ClientHelloPeek http(clock_, true);
  auto decision = http.feed(as_bytes_view("GET / HTTP/1.1\r\n"));
  ASSERT_FALSE(decision.ok());
  EXPECT_EQ(decision.error().code, tls::Errc::unexpected_message);
  EXPECT_NE(decision.error().message().find("content type 71"), std::string::npos);

  ClientHelloPeek sslv2(clock_, true);
  const Bytes v2{0x80, 0x2E, 0x01, 0x00, 0x02, 0x00, 0x15};
  auto old = sslv2.feed(v2);
  ASSERT_FALSE(old.ok());
  EXPECT_EQ(old.error().code, tls::Errc::protocol_version);
  EXPECT_NE(old.error().message().find("SSL 2"), std::string::npos);

  // A handshake record whose message is not a ClientHello (a ServerHello).
  ClientHelloPeek server_hello(clock_, true);
  Bytes not_hello = tls13_hello_;
  not_hello[5] = 2;
  auto wrong = server_hello.feed(not_hello);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().message().find("not client_hello"), std::string::npos);
}

TEST_F(ClientHelloPeekTest, MalformedHelloBodiesAreRefused) {
  const ByteView body = ByteView(tls13_hello_).subspan(9);
  ASSERT_TRUE(tls::parse_client_hello(body).ok());

  const auto truncated = tls::parse_client_hello(body.first(body.size() - 1));
  ASSERT_FALSE(truncated.ok());
  EXPECT_NE(truncated.error().message().find("ClientHello"), std::string::npos);

  Bytes trailing = to_bytes(body);
  trailing.push_back(0);
  EXPECT_FALSE(tls::parse_client_hello(trailing).ok());

  // The same extension twice: append a copy of a cert_type extension.
  Bytes doubled = to_bytes(body);
  const Bytes cert_type{0x00, 0x09, 0x00, 0x02, 0x01, 0x01};
  for (int copy = 0; copy < 2; ++copy) {
    doubled.insert(doubled.end(), cert_type.begin(), cert_type.end());
  }
  // Fix the extensions length (the last two-byte length before the list).
  base::ByteReader reader(body);
  (void)reader.skip(2 + 32);
  (void)reader.prefixed_bytes(base::LengthPrefix::u8);
  (void)reader.prefixed_bytes(base::LengthPrefix::u16);
  (void)reader.prefixed_bytes(base::LengthPrefix::u8);
  const std::size_t at = reader.offset();
  const std::size_t new_length = (doubled[at] << 8 | doubled[at + 1]) + 2 * cert_type.size();
  doubled[at] = static_cast<std::uint8_t>(new_length >> 8);
  doubled[at + 1] = static_cast<std::uint8_t>(new_length & 0xFF);
  const auto twice = tls::parse_client_hello(doubled);
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code, tls::Errc::illegal_parameter);
  EXPECT_NE(twice.error().message().find("extension 9 appears twice"), std::string::npos)
      << twice.error().message();
}

TEST_F(ClientHelloPeekTest, HandshakeBytesAfterTheHelloInItsRecordAreRefused) {
  Bytes extended = tls13_hello_;
  extended.push_back(0);  // one byte more in the record than the hello
  const std::size_t length = (extended[3] << 8 | extended[4]) + 1;
  extended[3] = static_cast<std::uint8_t>(length >> 8);
  extended[4] = static_cast<std::uint8_t>(length & 0xFF);
  ClientHelloPeek peek(clock_, true);
  auto decision = peek.feed(extended);
  ASSERT_FALSE(decision.ok());
  EXPECT_EQ(decision.error().code, tls::Errc::unexpected_message);
}

}  // namespace
}  // namespace pgptls::test
