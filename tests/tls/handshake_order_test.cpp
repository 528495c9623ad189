// handshake_order_test.cpp: the RFC 6091 engine against the independent
// table of handshake_order.h. For every shape of the table and each
// side, a real handshake (our client against our server, in memory) is
// recorded; then fresh engines of that side are driven into every state of
// the shape's path by replaying the peer's messages one record each, and
// every input (each handshake type, an unknown type, ChangeCipherSpec,
// application data, alerts) is fed in that state. The engine must take
// exactly the table's transitions and answer unexpected_message otherwise.
//
// States after ChangeCipherSpec read protected records, so the injected
// input there is sealed with the peer's write key. The test knows that key
// because both engines draw their ECDHE key from a generator whose key-level
// output is fixed: with x25519 the pre-master secret follows, and the rest
// (RFC 7627 session hash, key block) from the recorded transcript.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/rng.h"
#include "tests/support/temp_dir.h"
#include "tests/tls/both_verifier.h"
#include "tests/tls/engine_openpgp.h"
#include "tests/tls/engine_pump.h"
#include "tests/tls/engine_support.h"
#include "tests/tls/engine_tamper.h"
#include "tests/tls/handshake_order.h"
#include "tls/crypto/key_exchange.h"
#include "tls/crypto/prf.h"
#include "tls/crypto/record_protection.h"
#include "tls/crypto/transcript.h"
#include "tls/rfc6091/handshake_states.h"
#include "tls/rfc6091/record_layer.h"
#include "tls/rfc6091/rfc6091_engine.h"
#include "tls/wire/errors.h"
#include "tls/wire/messages/handshake.h"
#include "tls/wire/messages/hello.h"

namespace pgptls::tls {
namespace {

using handshake_order::Input;
using handshake_order::Outcome;
using handshake_order::Shape;
using messages::HandshakeType;

const base::TimePoint kNow = base::TimePoint(std::chrono::seconds(1'790'000'000));
constexpr std::uint8_t kKnownKeyByte = 0x42;

// KnownKeyRng: a DeterministicRng whose secret keys are all kKnownKeyByte,
// so the test can compute the x25519 pre-master secret.
class KnownKeyRng final : public base::Rng {
 public:
  explicit KnownKeyRng(std::uint64_t seed) : inner_(seed) {}
  Status fill(std::span<std::uint8_t> out, base::RngLevel level) override {
    if (level == base::RngLevel::key) {
      std::fill(out.begin(), out.end(), kKnownKeyByte);
      return {};
    }
    return inner_.fill(out, level);
  }

 private:
  base::DeterministicRng inner_;
};

// Event: one input of the peer's recorded stream, ready to feed as it is.
struct Event {
  Input input;
  Bytes record;
};

// Recorded: a reference handshake of one shape.
struct Recorded {
  std::vector<Event> from_client;                           // what the server receives
  std::vector<Event> from_server;                           // what the client receives
  std::vector<messages::HandshakeMessage> client_messages;  // plaintext ones
  std::vector<messages::HandshakeMessage> server_messages;
  Bytes client_write_key, client_write_iv, server_write_key, server_write_iv;
  const CipherSuite* suite = nullptr;
};

// encoded: a received message as it was on the wire (header and body).
Bytes encoded(const messages::HandshakeMessage& message) {
  auto bytes = message.encoded();
  EXPECT_TRUE(bytes.ok());
  return bytes.ok() ? std::move(bytes).value() : Bytes{};
}

// split_stream: a side's output as events: each plaintext handshake message,
// the ChangeCipherSpec, and the first protected record (its Finished).
void split_stream(ByteView stream, std::vector<Event>& events,
                  std::vector<messages::HandshakeMessage>& plaintext) {
  base::ByteReader reader(stream);
  messages::HandshakeReassembler reassembler(1 << 24);
  bool protected_now = false;
  while (!reader.empty()) {
    const std::size_t start = reader.offset();
    auto type = reader.u8();
    auto version = reader.u16();
    auto payload = reader.prefixed_bytes(base::LengthPrefix::u16);
    ASSERT_TRUE(type.ok() && version.ok() && payload.ok());
    const ByteView whole = stream.subspan(start, reader.offset() - start);
    if (protected_now) {
      events.push_back(
          {Input::message(HandshakeType::finished), Bytes(whole.begin(), whole.end())});
      return;
    }
    if (*type == static_cast<std::uint8_t>(ContentType::change_cipher_spec)) {
      events.push_back({Input::change_cipher_spec(), Bytes(whole.begin(), whole.end())});
      protected_now = true;
      continue;
    }
    ASSERT_EQ(*type, static_cast<std::uint8_t>(ContentType::handshake));
    ASSERT_TRUE(reassembler.add(*payload).ok());
    while (auto message = reassembler.next()) {
      events.push_back(
          {Input{Input::Kind::handshake, message->type}, test::record(22, encoded(*message))});
      plaintext.push_back(std::move(*message));
    }
  }
}

const messages::HandshakeMessage* find_message(const std::vector<messages::HandshakeMessage>& list,
                                               HandshakeType type) {
  for (const auto& message : list) {
    if (message.type == static_cast<std::uint8_t>(type)) {
      return &message;
    }
  }
  return nullptr;
}

// derive_keys: the key block of the recorded handshake (RFC 7627 §4 session
// hash through ClientKeyExchange, RFC 5246 §6.3 key block).
void derive_keys(Recorded& recorded) {
  const auto* client_hello = find_message(recorded.client_messages, HandshakeType::client_hello);
  const auto* server_hello = find_message(recorded.server_messages, HandshakeType::server_hello);
  ASSERT_NE(client_hello, nullptr);
  ASSERT_NE(server_hello, nullptr);
  auto ch = messages::parse_client_hello(client_hello->body);
  auto sh = messages::parse_server_hello(server_hello->body);
  ASSERT_TRUE(ch.ok() && sh.ok());
  recorded.suite = find_cipher_suite(sh->cipher_suite);
  ASSERT_NE(recorded.suite, nullptr);

  Transcript transcript;
  ASSERT_TRUE(transcript.select_hash(recorded.suite->prf_hash).ok());
  ASSERT_TRUE(transcript.append(encoded(*client_hello)).ok());
  for (const auto& message : recorded.server_messages) {
    ASSERT_TRUE(transcript.append(encoded(message)).ok());
  }
  for (const auto& message : recorded.client_messages) {
    if (&message == client_hello) {
      continue;
    }
    ASSERT_TRUE(transcript.append(encoded(message)).ok());
    if (message.type == static_cast<std::uint8_t>(HandshakeType::client_key_exchange)) {
      break;
    }
  }
  auto session_hash = transcript.current_hash();
  ASSERT_TRUE(session_hash.ok());

  const Bytes known(32, kKnownKeyByte);
  auto pair = EcdheKeyPair::from_private(NamedGroup::x25519, known);
  ASSERT_TRUE(pair.ok());
  auto pre_master = pair->shared_secret(pair->public_key());
  ASSERT_TRUE(pre_master.ok());
  auto master = extended_master_secret(recorded.suite->prf_hash, *pre_master, *session_hash);
  ASSERT_TRUE(master.ok());
  auto keys = derive_key_block(*recorded.suite, *master, ch->random, sh->random);
  ASSERT_TRUE(keys.ok());
  recorded.client_write_key.assign(keys->client_write_key.begin(), keys->client_write_key.end());
  recorded.client_write_iv.assign(keys->client_write_iv.begin(), keys->client_write_iv.end());
  recorded.server_write_key.assign(keys->server_write_key.begin(), keys->server_write_key.end());
  recorded.server_write_iv.assign(keys->server_write_iv.begin(), keys->server_write_iv.end());
}

// seal_record: a record of `type` protected with `sender`'s write key at
// `sequence`, as that sender would make it.
Bytes seal_record(const Recorded& recorded, Role sender, std::uint64_t sequence, ContentType type,
                  ByteView plaintext) {
  const bool client = sender == Role::client;
  auto protection = RecordProtection::create(
      *recorded.suite, client ? recorded.client_write_key : recorded.server_write_key,
      client ? recorded.client_write_iv : recorded.server_write_iv, sequence);
  EXPECT_TRUE(protection.ok());
  Bytes fragment;
  EXPECT_TRUE(protection->seal(type, plaintext, fragment).ok());
  return test::record(static_cast<std::uint8_t>(type), fragment);
}

// Every input the test tries in every state.
std::vector<Input> every_input() {
  std::vector<Input> inputs;
  for (const HandshakeType type :
       {HandshakeType::hello_request, HandshakeType::client_hello, HandshakeType::server_hello,
        HandshakeType::new_session_ticket, HandshakeType::certificate,
        HandshakeType::server_key_exchange, HandshakeType::certificate_request,
        HandshakeType::server_hello_done, HandshakeType::certificate_verify,
        HandshakeType::client_key_exchange, HandshakeType::finished}) {
    inputs.push_back(Input::message(type));
  }
  inputs.push_back(Input{Input::Kind::handshake, 99});  // no such message (RFC 5246 §7.4)
  inputs.push_back(Input::change_cipher_spec());
  inputs.push_back(Input::application_data());
  return inputs;
}

bool reads_protected(std::string_view state) {
  return state == "ExpectServerFinished" || state == "ExpectClientFinished" || state == "Traffic";
}

struct Pair {
  std::unique_ptr<Engine> client;
  std::unique_ptr<Engine> server;
};

class HandshakeOrderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new pgptls::test::TempDir();
    home_ = new pgptls::test::TempDir();
    x509_server_ = new test::X509Identity(
        test::make_x509_identity(*dir_, test::KeyKind::ed25519, "server.example"));
    x509_client_ = new test::X509Identity(
        test::make_x509_identity(*dir_, test::KeyKind::ed25519, "client.example"));
    pgp_server_ = new test::OpenPgpIdentity(
        test::make_openpgp_identity(*home_, test::OpenPgpKind::ed25519, "server.example"));
    pgp_client_ = new test::OpenPgpIdentity(
        test::make_openpgp_identity(*home_, test::OpenPgpKind::ed25519, "client.example"));
  }
  static void TearDownTestSuite() {
    delete pgp_client_;
    delete pgp_server_;
    delete x509_client_;
    delete x509_server_;
    delete home_;
    delete dir_;
  }

  // make_pair: the two engines of a table shape, configured so the shape is
  // what they negotiate; equal calls make equal engines.
  static Pair make_pair(const Shape& shape) {
    const std::string name(shape.name);
    const bool openpgp = shape.certificate_type == CertificateType::openpgp;
    auto clock = std::make_shared<base::FixedClock>(kNow);
    auto client_verifier = std::make_shared<test::BothVerifier>();
    auto server_verifier = std::make_shared<test::BothVerifier>();
    client_verifier->x509.trust(x509_server_->spki_sha256, x509_server_->domain);
    client_verifier->openpgp.trust(*pgp_server_);
    server_verifier->x509.trust(x509_client_->spki_sha256, x509_client_->domain);
    server_verifier->openpgp.trust(*pgp_client_);

    Rfc6091Config client;
    client.role = Role::client;
    client.policy.certificate_types = {shape.certificate_type};
    client.policy.groups = {NamedGroup::x25519};
    client.verifier = client_verifier;
    client.rng = std::make_shared<KnownKeyRng>(7);
    client.clock = clock;
    client.server_name = "server.example";

    Rfc6091Config server;
    server.role = Role::server;
    server.policy.certificate_types = {shape.certificate_type};
    server.policy.groups = {NamedGroup::x25519};
    server.verifier = server_verifier;
    server.rng = std::make_shared<KnownKeyRng>(8);
    server.clock = clock;
    if (openpgp) {
      server.credentials.openpgp = pgp_server_->credential();
    } else {
      server.credentials.x509 = x509_server_->credential();
    }

    if (name == "x509_server_only") {
      server.client_auth = ClientAuth::none;
      client.credentials.x509 = x509_client_->credential();
    } else if (name == "x509_mutual") {
      server.client_auth = ClientAuth::require;
      client.credentials.x509 = x509_client_->credential();
    } else if (name == "x509_client_without_certificate") {
      server.client_auth = ClientAuth::request;
    } else if (name == "openpgp_mutual") {
      server.client_auth = ClientAuth::require;
      client.credentials.openpgp = pgp_client_->credential();
    } else if (name == "openpgp_fingerprint_only") {
      server.client_auth = ClientAuth::require;
      client.credentials.openpgp = pgp_client_->credential(true);
    } else {
      ADD_FAILURE() << "the test does not know how to make shape " << name;
    }
    auto client_engine = make_rfc6091_engine(std::move(client));
    auto server_engine = make_rfc6091_engine(std::move(server));
    EXPECT_TRUE(client_engine.ok() && server_engine.ok());
    return Pair{std::move(client_engine).value(), std::move(server_engine).value()};
  }

  static Recorded record_shape(const Shape& shape) {
    Recorded recorded;
    Pair pair = make_pair(shape);
    EXPECT_TRUE(pair.client->start().ok());
    EXPECT_TRUE(pair.server->start().ok());
    const test::PumpLog log = test::pump(*pair.client, *pair.server);
    EXPECT_EQ(pair.client->status(), EngineStatus::established)
        << shape.name << ": " << (pair.client->failure() ? pair.client->failure()->message() : "");
    EXPECT_EQ(pair.server->status(), EngineStatus::established)
        << shape.name << ": " << (pair.server->failure() ? pair.server->failure()->message() : "");
    split_stream(log.client_sent, recorded.from_client, recorded.client_messages);
    split_stream(log.server_sent, recorded.from_server, recorded.server_messages);
    derive_keys(recorded);
    return recorded;
  }

  static pgptls::test::TempDir* dir_;
  static pgptls::test::TempDir* home_;
  static test::X509Identity* x509_server_;
  static test::X509Identity* x509_client_;
  static test::OpenPgpIdentity* pgp_server_;
  static test::OpenPgpIdentity* pgp_client_;
};
pgptls::test::TempDir* HandshakeOrderTest::dir_ = nullptr;
pgptls::test::TempDir* HandshakeOrderTest::home_ = nullptr;
test::X509Identity* HandshakeOrderTest::x509_server_ = nullptr;
test::X509Identity* HandshakeOrderTest::x509_client_ = nullptr;
test::OpenPgpIdentity* HandshakeOrderTest::pgp_server_ = nullptr;
test::OpenPgpIdentity* HandshakeOrderTest::pgp_client_ = nullptr;

void drain(Engine& engine) {
  engine.consume_output(engine.pending_output().size());
}

std::string describe(const Engine& engine) {
  return std::string(engine.state_name()) +
         (engine.failure() ? " failed: " + engine.failure()->message() : std::string(" ok"));
}

TEST(HandshakeOrderTable, NamesEveryEngineStateAndAgreesWithItself) {
  std::set<std::string_view> in_table{"Traffic"};
  for (const Shape& shape : handshake_order::shapes()) {
    EXPECT_FALSE(shape.citation.empty()) << shape.name;
    for (const Role role : {Role::client, Role::server}) {
      const auto path = role == Role::client ? shape.client : shape.server;
      ASSERT_FALSE(path.empty());
      EXPECT_EQ(path.back().next, "Traffic") << shape.name;
      for (std::size_t i = 0; i < path.size(); ++i) {
        in_table.insert(path[i].state);
        if (i + 1 < path.size()) {
          EXPECT_EQ(path[i].next, path[i + 1].state) << shape.name << " step " << i;
        }
        const auto next = handshake_order::next_states(role, path[i].state, path[i].input);
        EXPECT_NE(std::find(next.begin(), next.end(), path[i].next), next.end());
        // Only the server's next state depends on the shape (whether it
        // asked for a certificate, and whether it got one).
        if (role == Role::client) {
          EXPECT_EQ(next.size(), 1U) << shape.name << " " << path[i].state;
        }
      }
    }
  }
  // Every state of the engine that reads input is in the table.
  std::set<std::string_view> engine_states;
  for (const std::string_view name : states::state_names()) {
    if (name != "ClientIdle" && name != "Failed") {
      engine_states.insert(name);
    }
  }
  EXPECT_EQ(in_table, engine_states);
}

TEST(HandshakeOrderTable, ExpectedInputsNameTheMessages) {
  EXPECT_EQ(handshake_order::expected_inputs(Role::client, "ExpectCertificateRequestOrDone"),
            "server_hello_done or certificate_request");
  EXPECT_EQ(handshake_order::expected_inputs(Role::server, "ExpectClientChangeCipherSpec"),
            "ChangeCipherSpec");
  EXPECT_EQ(handshake_order::expected_inputs(Role::server, "Traffic"), "");
}

// inputs_of: the inputs in words "a or b" as a set, for comparing lists
// whatever their order.
std::set<std::string> inputs_of(std::string_view words) {
  std::set<std::string> inputs;
  constexpr std::string_view kOr = " or ";
  while (!words.empty()) {
    const std::size_t end = words.find(kOr);
    inputs.emplace(words.substr(0, end));
    words = end == std::string_view::npos ? std::string_view() : words.substr(end + kOr.size());
  }
  return inputs;
}

// expect_named_as_table: an error for an input out of order ("<input>
// received in state <state>; expected <inputs> (RFC ...)") names the
// inputs the table expects in that state, and nothing when it expects
// none; counts the errors checked. Other unexpected_message errors (the
// record layer's refusal of an early ChangeCipherSpec) name no order.
void expect_named_as_table(const Error& error, Role role, std::string_view state,
                           std::size_t& checked) {
  const std::string& text = error.context;
  if (text.find(" received in state ") == std::string::npos) {
    return;
  }
  ++checked;
  constexpr std::string_view kExpected = "; expected ";
  const std::size_t at = text.find(kExpected);
  const std::string table = handshake_order::expected_inputs(role, state);
  if (table.empty()) {
    EXPECT_EQ(at, std::string::npos) << text;
    return;
  }
  ASSERT_NE(at, std::string::npos) << text;
  const std::size_t from = at + kExpected.size();
  const std::size_t end = text.find(" (RFC 5246", from);
  ASSERT_NE(end, std::string::npos) << text;
  EXPECT_EQ(inputs_of(std::string_view(text).substr(from, end - from)), inputs_of(table)) << text;
}

// walk: for each state of `role`'s path in `shape`, feeds every input to a
// fresh engine in that state and checks the outcome against the table;
// `named` counts the order errors whose named inputs were checked.
void walk(const Shape& shape, Role role, const Recorded& recorded,
          const std::function<Pair()>& make, std::size_t& named) {
  const auto path = role == Role::client ? shape.client : shape.server;
  const std::vector<Event>& peer =
      role == Role::client ? recorded.from_server : recorded.from_client;
  const Role peer_role = role == Role::client ? Role::server : Role::client;
  ASSERT_EQ(peer.size(), path.size())
      << shape.name << ": the recorded stream is not the table's path";
  for (std::size_t k = 0; k < peer.size(); ++k) {
    EXPECT_EQ(peer[k].input, path[k].input)
        << shape.name << " " << path[k].state << ": the peer sent "
        << handshake_order::input_name(peer[k].input) << ", the table says "
        << handshake_order::input_name(path[k].input);
  }

  // k == path.size(): Traffic.
  for (std::size_t k = 0; k <= path.size(); ++k) {
    const std::string_view state = k < path.size() ? path[k].state : "Traffic";
    // The number of protected records the peer sent before this state.
    const std::uint64_t sequence = k == path.size() ? 1 : 0;

    const auto fresh = [&]() {
      auto pair = make();
      std::unique_ptr<Engine> engine =
          role == Role::client ? std::move(pair.client) : std::move(pair.server);
      EXPECT_TRUE(engine->start().ok());
      drain(*engine);
      for (std::size_t i = 0; i < k; ++i) {
        EXPECT_TRUE(engine->feed(peer[i].record).ok()) << describe(*engine);
        drain(*engine);
      }
      EXPECT_EQ(engine->state_name(), state) << shape.name;
      return engine;
    };
    const auto wire = [&](ContentType type, ByteView payload) {
      return reads_protected(state) ? seal_record(recorded, peer_role, sequence, type, payload)
                                    : test::record(static_cast<std::uint8_t>(type), payload);
    };

    for (const Input& input : every_input()) {
      SCOPED_TRACE(std::string(shape.name) + (role == Role::client ? " client" : " server") +
                   " in " + std::string(state) + " gets " + handshake_order::input_name(input));
      auto engine = fresh();
      const Outcome outcome = handshake_order::outcome(role, state, input);
      const bool real = k < path.size() && input == path[k].input;
      if (real) {
        ASSERT_EQ(outcome, Outcome::advance);
        EXPECT_TRUE(engine->feed(peer[k].record).ok()) << describe(*engine);
        EXPECT_EQ(engine->state_name(), path[k].next) << describe(*engine);
        continue;
      }
      Bytes bytes;
      switch (input.kind) {
        case Input::Kind::handshake: {
          const Bytes message = {input.handshake_type, 0, 0, 0};  // empty body
          bytes = wire(ContentType::handshake, message);
          break;
        }
        case Input::Kind::change_cipher_spec:
          bytes = wire(ContentType::change_cipher_spec, Bytes{1});
          break;
        case Input::Kind::application_data:
          bytes = wire(ContentType::application_data, as_bytes_view(std::string_view("x")));
          break;
      }
      (void)engine->feed(bytes);
      switch (outcome) {
        case Outcome::unexpected:
          ASSERT_TRUE(engine->failure().has_value()) << describe(*engine);
          EXPECT_EQ(engine->failure()->code, make_error_code(Errc::unexpected_message))
              << describe(*engine);
          EXPECT_EQ(alert_for(engine->failure()->code), AlertDescription::unexpected_message);
          expect_named_as_table(*engine->failure(), role, state, named);
          break;
        case Outcome::advance:
          // A step of another shape, with an empty body: the engine took it
          // (it moved on, or its parser refused the body), not refused it
          // for its order.
          if (engine->failure().has_value()) {
            EXPECT_NE(engine->failure()->code, make_error_code(Errc::unexpected_message))
                << describe(*engine);
          } else {
            const auto next = handshake_order::next_states(role, state, input);
            EXPECT_NE(std::find(next.begin(), next.end(), engine->state_name()), next.end())
                << describe(*engine);
          }
          break;
        case Outcome::ignored:
          EXPECT_FALSE(engine->failure().has_value()) << describe(*engine);
          EXPECT_EQ(engine->state_name(), state);
          break;
        case Outcome::renegotiation:
          ASSERT_TRUE(engine->failure().has_value()) << describe(*engine);
          EXPECT_EQ(engine->failure()->code, make_error_code(Errc::no_renegotiation));
          break;
        case Outcome::traffic: {
          EXPECT_FALSE(engine->failure().has_value()) << describe(*engine);
          std::array<std::uint8_t, 4> buffer{};
          auto read = engine->read_app(buffer);
          ASSERT_TRUE(read.ok());
          EXPECT_EQ(*read, 1U);
          break;
        }
      }
    }

    // Alerts are outside the order (RFC 5246 §7.2): a fatal alert ends
    // every handshake state; close_notify before Finished is an error.
    {
      SCOPED_TRACE(std::string(shape.name) + " " + std::string(state) + " gets a fatal alert");
      auto engine = fresh();
      (void)engine->feed(wire(ContentType::alert, Bytes{2, 40}));  // fatal handshake_failure
      ASSERT_TRUE(engine->failure().has_value());
      EXPECT_EQ(engine->failure()->code, make_error_code(Errc::alert_received));
    }
    {
      SCOPED_TRACE(std::string(shape.name) + " " + std::string(state) + " gets close_notify");
      auto engine = fresh();
      (void)engine->feed(wire(ContentType::alert, Bytes{1, 0}));
      if (state == "Traffic") {
        EXPECT_FALSE(engine->failure().has_value());
        EXPECT_EQ(engine->status(), EngineStatus::has_output);  // our answering close_notify
      } else {
        ASSERT_TRUE(engine->failure().has_value());
        EXPECT_EQ(engine->failure()->code, make_error_code(Errc::closed));
      }
    }
  }
}

TEST_F(HandshakeOrderTest, EveryShapeEverySideEveryStateEveryInput) {
  std::size_t named = 0;
  for (const Shape& shape : handshake_order::shapes()) {
    SCOPED_TRACE(shape.name);
    Recorded recorded;
    ASSERT_NO_FATAL_FAILURE(recorded = record_shape(shape));
    // The test's keys are the handshake's: the real Finished records open.
    for (const Role sender : {Role::client, Role::server}) {
      const Bytes& finished = sender == Role::client ? recorded.from_client.back().record
                                                     : recorded.from_server.back().record;
      auto protection = RecordProtection::create(
          *recorded.suite,
          sender == Role::client ? recorded.client_write_key : recorded.server_write_key,
          sender == Role::client ? recorded.client_write_iv : recorded.server_write_iv);
      ASSERT_TRUE(protection.ok());
      Bytes plaintext;
      ASSERT_TRUE(protection
                      ->open(ContentType::handshake,
                             ByteView(finished).subspan(kRecordHeaderLength), plaintext)
                      .ok())
          << shape.name;
      ASSERT_FALSE(plaintext.empty());
      EXPECT_EQ(plaintext[0], static_cast<std::uint8_t>(HandshakeType::finished));
    }
    for (const Role role : {Role::client, Role::server}) {
      walk(
          shape, role, recorded, [&] { return make_pair(shape); }, named);
    }
  }
  // Most refusals are the engine's order errors, each checked above.
  EXPECT_GT(named, 100U);
}

}  // namespace
}  // namespace pgptls::tls
