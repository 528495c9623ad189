// rfc6091_engine.cpp: the parts of the RFC 6091 engine that both roles
// share: record dispatch, alerts, ChangeCipherSpec, application data,
// close_notify, the deadline and failure handling.
#include "tls/rfc6091/rfc6091_engine.h"

#include <algorithm>

#include "tls/crypto/prf.h"
#include "tls/rfc6091/handshake_engine.h"
#include "tls/wire/errors.h"
#include "tls/wire/messages/simple.h"

namespace pgptls::tls {

namespace states {

namespace {

constexpr std::string_view kNames[] = {
    "ClientIdle",
    "ExpectServerHello",
    "ExpectServerCertificate",
    "ExpectServerKeyExchange",
    "ExpectCertificateRequestOrDone",
    "ExpectServerHelloDone",
    "ExpectServerChangeCipherSpec",
    "ExpectServerFinished",
    "ExpectClientHello",
    "ExpectClientCertificate",
    "ExpectClientKeyExchange",
    "ExpectCertificateVerify",
    "ExpectClientChangeCipherSpec",
    "ExpectClientFinished",
    "Traffic",
    "Failed",
};
static_assert(std::size(kNames) == std::variant_size_v<State>);

}  // namespace

std::string_view state_name(const State& state) noexcept {
  return kNames[state.index()];
}

std::span<const std::string_view> state_names() noexcept {
  return kNames;
}

std::string expected_input(const State& state) {
  return std::visit(
      [](const auto& current) {
        using S = std::decay_t<decltype(current)>;
        std::string words;
        if constexpr (std::is_same_v<S, ExpectServerChangeCipherSpec> ||
                      std::is_same_v<S, ExpectClientChangeCipherSpec>) {
          words = "ChangeCipherSpec";
        } else if constexpr (requires { S::kAccepts; }) {
          for (const HandshakeType type : S::kAccepts) {
            words += (words.empty() ? "" : " or ");
            words += messages::handshake_type_name(static_cast<std::uint8_t>(type));
          }
        }
        return words;
      },
      state);
}

}  // namespace states

namespace {

using messages::HandshakeMessage;
using messages::HandshakeType;

}  // namespace

Error Rfc6091Engine::unexpected(std::string_view what) const {
  const std::string expected = states::expected_input(state_);
  return make_error(Errc::unexpected_message,
                    std::string(what) + " received in state " + std::string(state_name()) +
                        (expected.empty() ? std::string() : "; expected " + expected) +
                        " (RFC 5246 §7.3 fixes the message order)");
}

Result<std::unique_ptr<Engine>> make_rfc6091_engine(Rfc6091Config config) {
  if (!config.verifier || !config.rng || !config.clock) {
    return make_error(Errc::invalid_state,
                      "the RFC 6091 engine needs a peer verifier, an RNG and a clock");
  }
  if (config.role == Role::server) {
    const bool has_credential = std::any_of(
        config.policy.certificate_types.begin(), config.policy.certificate_types.end(),
        [&](CertificateType type) { return signing_key_for(config.credentials, type) != nullptr; });
    if (!has_credential) {
      return make_error(Errc::invalid_state,
                        "a TLS server needs a credential (OpenPGP or X.509) of a certificate "
                        "type its policy allows");
    }
  }
  return std::unique_ptr<Engine>(new Rfc6091Engine(std::move(config)));
}

Rfc6091Engine::Rfc6091Engine(Rfc6091Config config)
    : config_(std::move(config)),
      state_(config_.role == Role::client ? states::State(states::ClientIdle{})
                                          : states::State(states::ExpectClientHello{})),
      reassembler_(config_.limits.max_handshake_message) {
  session_.protocol = "TLS1.2";
}

Status Rfc6091Engine::start() {
  if (failure_.has_value()) {
    return *failure_;
  }
  if (config_.role == Role::server) {
    return {};
  }
  if (!std::holds_alternative<states::ClientIdle>(state_)) {
    return make_error(Errc::invalid_state, "start() called twice");
  }
  deadline_ = config_.clock->now() + config_.handshake_timeout;
  auto started = client_start();
  if (!started.ok()) {
    return fail(std::move(started).error());
  }
  return {};
}

Error Rfc6091Engine::fail(Error error) {
  if (failure_.has_value()) {
    return *failure_;
  }
  const bool peer_ended_it = error.code == make_error_code(Errc::alert_received) ||
                             error.code == make_error_code(Errc::closed);
  if (!peer_ended_it) {
    // Best effort: a failing write leaves only the error to report.
    (void)records_.write_alert(AlertLevel::fatal, alert_for(error.code));
  }
  failure_ = error;
  state_ = states::Failed{};
  return error;
}

Status Rfc6091Engine::check_deadline() {
  if (std::holds_alternative<states::Traffic>(state_)) {
    return {};
  }
  const base::TimePoint now = config_.clock->now();
  if (!deadline_.has_value()) {
    deadline_ = now + config_.handshake_timeout;
  }
  if (now > *deadline_) {
    return make_error(Errc::timeout, "the TLS handshake did not finish within " +
                                         std::to_string(config_.handshake_timeout.count()) +
                                         " ms (handshake_timeout)");
  }
  return {};
}

Status Rfc6091Engine::feed(ByteView bytes) {
  if (failure_.has_value()) {
    return *failure_;
  }
  if (std::holds_alternative<states::ClientIdle>(state_)) {
    return make_error(Errc::invalid_state, "feed() before start() on a client");
  }
  if (auto deadline = check_deadline(); !deadline.ok()) {
    return fail(std::move(deadline).error());
  }
  if (const auto* traffic = std::get_if<states::Traffic>(&state_);
      traffic != nullptr && traffic->close_arrived) {
    return {};  // RFC 5246 §7.2.1: data after close_notify is ignored, not buffered
  }
  records_.feed(bytes);
  auto processed = process_records();
  if (!processed.ok()) {
    return fail(std::move(processed).error());
  }
  return {};
}

Status Rfc6091Engine::process_records() {
  while (true) {
    if (auto* traffic = std::get_if<states::Traffic>(&state_);
        traffic != nullptr && traffic->close_arrived) {
      return {};  // RFC 5246 §7.2.1: data after close_notify is ignored
    }
    PGPTLS_TRY(const auto record, records_.next_record());
    if (!record.has_value()) {
      return {};
    }
    switch (record->type) {
      case ContentType::alert:
        PGPTLS_CHECK(on_alert(record->fragment));
        break;
      case ContentType::change_cipher_spec:
        PGPTLS_CHECK(on_change_cipher_spec());
        break;
      case ContentType::handshake: {
        PGPTLS_CHECK(reassembler_.add(record->fragment));
        while (auto message = reassembler_.next()) {
          PGPTLS_CHECK(on_handshake_message(*message));
          if (std::holds_alternative<states::Failed>(state_)) {
            return {};
          }
        }
        break;
      }
      case ContentType::application_data: {
        // RFC 5246 §7.4.9: no application data before Finished.
        auto* traffic = std::get_if<states::Traffic>(&state_);
        if (traffic == nullptr) {
          return unexpected("application data");
        }
        if (!reassembler_.empty()) {
          return make_error(Errc::unexpected_message,
                            "application data interleaved with a fragmented handshake message");
        }
        app_in_.append(record->fragment);
        break;
      }
    }
  }
}

Status Rfc6091Engine::on_alert(ByteView payload) {
  PGPTLS_TRY(const messages::Alert alert, messages::parse_alert(payload));
  auto* traffic = std::get_if<states::Traffic>(&state_);
  if (alert.description == AlertDescription::close_notify) {
    if (traffic == nullptr) {
      return make_error(Errc::closed, "the peer closed the connection during the handshake");
    }
    // RFC 5246 §6, §7.2.1: close_notify is a record in the stream and the
    // records before it reach the application first, so it is received only
    // when the application has read their data; read_app() finishes the
    // close then. Answering it now would end our write side (and discard
    // pending writes) while the application still owes replies to that data.
    traffic->close_arrived = true;
    if (app_in_.empty()) {
      return receive_close(*traffic);
    }
    return {};
  }
  if (alert.level == AlertLevel::warning && alert.description == AlertDescription::user_canceled) {
    return {};  // RFC 5246 §7.2.2: followed by close_notify
  }
  return make_error(Errc::alert_received,
                    std::string("the peer sent the alert ") + alert_name(alert.description) +
                        (alert.level == AlertLevel::fatal ? " (fatal)" : " (warning)"));
}

Status Rfc6091Engine::receive_close(states::Traffic& traffic) {
  traffic.close_received = true;
  if (!traffic.close_sent) {
    // RFC 5246 §7.2.1: "the other party MUST respond with a close_notify
    // alert of its own".
    traffic.close_sent = true;
    PGPTLS_CHECK(records_.write_alert(AlertLevel::warning, AlertDescription::close_notify));
  }
  return {};
}

Status Rfc6091Engine::on_change_cipher_spec() {
  // RFC 5246 §7.1: ChangeCipherSpec falls between the key exchange and
  // Finished, on a handshake message boundary. The record layer already
  // refused one that came before the keys were ready.
  if (!reassembler_.empty()) {
    return make_error(Errc::unexpected_message,
                      "ChangeCipherSpec inside a fragmented handshake message");
  }
  if (auto* state = std::get_if<states::ExpectServerChangeCipherSpec>(&state_)) {
    state_ = states::ExpectServerFinished{state->suite, std::move(state->server),
                                          std::move(state->master_secret)};
    return {};
  }
  if (auto* state = std::get_if<states::ExpectClientChangeCipherSpec>(&state_)) {
    state_ = states::ExpectClientFinished{std::move(state->choice), std::move(state->client),
                                          std::move(state->master_secret),
                                          std::move(state->server_write)};
    return {};
  }
  return unexpected("ChangeCipherSpec");
}

Status Rfc6091Engine::on_traffic_handshake(const HandshakeMessage& message) {
  // RFC 5746 §4.5 / §3.7: pgptls never renegotiates.
  const bool renegotiation =
      (config_.role == Role::client &&
       message.type == static_cast<std::uint8_t>(HandshakeType::hello_request)) ||
      (config_.role == Role::server &&
       message.type == static_cast<std::uint8_t>(HandshakeType::client_hello));
  if (renegotiation) {
    return make_error(Errc::no_renegotiation,
                      "the peer tried to renegotiate; pgptls refuses renegotiation (reconnect "
                      "instead)");
  }
  return unexpected(messages::handshake_type_name(message.type));
}

Status Rfc6091Engine::on_handshake_message(const HandshakeMessage& message) {
  using T = HandshakeType;
  const auto is = [&](T type) { return message.type == static_cast<std::uint8_t>(type); };
  // RFC 5246 §7.4.1.1: a client ignores HelloRequest while negotiating.
  if (config_.role == Role::client && is(T::hello_request) &&
      !std::holds_alternative<states::Traffic>(state_)) {
    if (!message.body.empty()) {
      return make_error(Errc::decode_error, "HelloRequest with a body");
    }
    return {};
  }
  return std::visit(
      [&](auto& state) -> Status {
        using S = std::decay_t<decltype(state)>;
        if constexpr (std::is_same_v<S, states::Traffic>) {
          return on_traffic_handshake(message);
        } else if constexpr (requires { S::kAccepts; }) {
          if (std::find(S::kAccepts.begin(), S::kAccepts.end(),
                        static_cast<HandshakeType>(message.type)) != S::kAccepts.end()) {
            return on_message(state, message);
          }
        }
        return unexpected(messages::handshake_type_name(message.type));
      },
      state_);
}

Status Rfc6091Engine::send_handshake(HandshakeType type, ByteView body) {
  PGPTLS_TRY(const Bytes encoded, messages::encode_handshake(type, body));
  PGPTLS_CHECK(transcript_.append(encoded));
  flight_.insert(flight_.end(), encoded.begin(), encoded.end());
  return {};
}

Status Rfc6091Engine::flush_flight() {
  // One write per flight: the record layer packs the messages into as few
  // records as 2^14-byte fragments allow (RFC 5246 §6.2.1).
  if (flight_.empty()) {
    return {};
  }
  PGPTLS_CHECK(records_.write(ContentType::handshake, flight_));
  flight_.clear();
  return {};
}

Status Rfc6091Engine::receive_into_transcript(const HandshakeMessage& message) {
  PGPTLS_TRY(const Bytes encoded, message.encoded());
  return transcript_.append(encoded);
}

Result<messages::Random> Rfc6091Engine::fresh_random() {
  messages::Random random{};
  PGPTLS_CHECK(config_.rng->fill(random, base::RngLevel::random));
  return random;
}

Status Rfc6091Engine::send_certificate(CertificateType type, bool have_credential) {
  Bytes body;
  if (type == CertificateType::openpgp) {
    messages::OpenPgpCertificateMessage message;  // empty_cert unless we have one
    message.layout = messages::OpenPgpLayout::gnutls;
    if (have_credential) {
      const OpenPgpCredential& credential = *config_.credentials.openpgp;
      message.key_id = credential.key_id;
      if (credential.send_fingerprint_only) {
        message.descriptor = messages::OpenPgpDescriptor::subkey_cert_fingerprint;
        message.fingerprint = credential.fingerprint;
      } else {
        message.descriptor = messages::OpenPgpDescriptor::subkey_cert;
        message.transferable_key = credential.transferable_key;
      }
    }
    PGPTLS_TRY(body, messages::encode_openpgp_certificate(message));
  } else {
    messages::X509CertificateMessage message;
    if (have_credential) {
      message.chain = config_.credentials.x509->chain;
    }
    PGPTLS_TRY(body, messages::encode_x509_certificate(message));
  }
  return send_handshake(HandshakeType::certificate, body);
}

Result<std::optional<PresentedCertificate>> Rfc6091Engine::read_certificate(
    CertificateType type, const HandshakeMessage& message) {
  PresentedCertificate presented;
  presented.type = type;
  if (type == CertificateType::openpgp) {
    PGPTLS_TRY(auto parsed, messages::parse_openpgp_certificate(message.body, config_.limits));
    if (parsed.descriptor == messages::OpenPgpDescriptor::empty_cert) {
      return std::optional<PresentedCertificate>();
    }
    presented.openpgp_key_id = std::move(parsed.key_id);
    presented.openpgp_transferable_key = std::move(parsed.transferable_key);
    presented.openpgp_fingerprint = std::move(parsed.fingerprint);
  } else {
    PGPTLS_TRY(auto parsed, messages::parse_x509_certificate(message.body, config_.limits));
    if (parsed.chain.empty()) {
      return std::optional<PresentedCertificate>();
    }
    presented.x509_chain = std::move(parsed.chain);
  }
  return std::optional<PresentedCertificate>(std::move(presented));
}

Result<std::optional<PeerProof>> Rfc6091Engine::verified_certificate(
    CertificateType type, const HandshakeMessage& message) {
  PGPTLS_TRY(auto presented, read_certificate(type, message));
  if (!presented.has_value()) {
    return std::optional<PeerProof>();
  }
  PGPTLS_TRY(auto proof, verify_peer(*config_.verifier, *presented, verify_request()));
  return std::optional<PeerProof>(std::move(proof));
}

Result<base::SecretBytes> Rfc6091Engine::master_secret(const CipherSuite& suite,
                                                       const base::SecretBytes& pre_master) {
  PGPTLS_TRY(const Bytes session_hash, transcript_.current_hash());
  return extended_master_secret(suite.prf_hash, pre_master, session_hash);
}

Result<Rfc6091Engine::TrafficKeys> Rfc6091Engine::traffic_keys(const CipherSuite& suite,
                                                               const base::SecretBytes& master) {
  PGPTLS_TRY(const KeyBlock keys, derive_key_block(suite, master, client_random_, server_random_));
  PGPTLS_TRY(auto client_write,
             RecordProtection::create(suite, keys.client_write_key, keys.client_write_iv));
  PGPTLS_TRY(auto server_write,
             RecordProtection::create(suite, keys.server_write_key, keys.server_write_iv));
  return TrafficKeys{std::move(client_write), std::move(server_write)};
}

Status Rfc6091Engine::send_finished(const CipherSuite& suite, const base::SecretBytes& master) {
  PGPTLS_TRY(const Bytes transcript_hash, transcript_.current_hash());
  PGPTLS_TRY(const Bytes verify_data,
             finished_verify_data(suite.prf_hash, master, config_.role, transcript_hash));
  PGPTLS_CHECK(send_handshake(HandshakeType::finished, verify_data));
  return flush_flight();
}

Result<FinishedProof> Rfc6091Engine::receive_finished(const CipherSuite& suite,
                                                      const base::SecretBytes& master,
                                                      const HandshakeMessage& message) {
  const Role peer = config_.role == Role::client ? Role::server : Role::client;
  PGPTLS_TRY(const Bytes verify_data, messages::parse_finished(message.body, kVerifyDataLength));
  PGPTLS_TRY(const Bytes transcript_hash, transcript_.current_hash());
  PGPTLS_TRY(auto finished,
             verify_peer_finished(suite.prf_hash, master, peer, transcript_hash, verify_data));
  PGPTLS_CHECK(receive_into_transcript(message));
  return finished;
}

VerifyRequest Rfc6091Engine::verify_request() const {
  VerifyRequest request;
  request.local_role = config_.role;
  request.expected_domain = config_.expected_peer_domain;
  if (!request.expected_domain.has_value() && config_.role == Role::client) {
    request.expected_domain = config_.server_name;
  }
  return request;
}

Status Rfc6091Engine::enter_traffic(std::optional<AuthenticatedPeer> peer, FinishedProof finished) {
  if (peer.has_value()) {
    session_.peer = std::move(peer->certificate).release();
  }
  state_ = states::Traffic{std::move(finished)};
  return {};
}

Result<std::size_t> Rfc6091Engine::write_app(ByteView data) {
  if (failure_.has_value()) {
    return *failure_;
  }
  auto* traffic = std::get_if<states::Traffic>(&state_);
  if (traffic == nullptr) {
    return make_error(Errc::invalid_state, "application data can be sent only after the handshake");
  }
  if (traffic->close_sent) {
    // Our close_notify ends our direction only; reading goes on (status()).
    return make_error(Errc::invalid_state,
                      traffic->close_received
                          ? "write_app() after close: the peer sent close_notify and ours "
                            "answered it (RFC 5246 §7.2.1)"
                          : "write_app() after close: our close_notify was sent (RFC 5246 §7.2.1)");
  }
  if (data.empty()) {
    return std::size_t{0};
  }
  auto written = records_.write(ContentType::application_data, data);
  if (!written.ok()) {
    return fail(std::move(written).error());
  }
  return data.size();
}

Result<std::size_t> Rfc6091Engine::read_app(std::span<std::uint8_t> out) {
  if (const std::size_t count = app_in_.read(out); count > 0) {
    return count;
  }
  if (failure_.has_value()) {
    return *failure_;
  }
  // The application has read everything before the peer's close_notify:
  // now it is received (RFC 5246 §7.2.1).
  if (auto* traffic = std::get_if<states::Traffic>(&state_);
      traffic != nullptr && app_in_.empty() && traffic->close_arrived && !traffic->close_received) {
    if (auto received = receive_close(*traffic); !received.ok()) {
      return fail(std::move(received).error());
    }
  }
  return std::size_t{0};
}

Status Rfc6091Engine::close() {
  if (failure_.has_value()) {
    return *failure_;
  }
  auto* traffic = std::get_if<states::Traffic>(&state_);
  if (traffic == nullptr) {
    // Closing mid-handshake: user_canceled followed by close_notify
    // (RFC 5246 §7.2.2), then the engine is finished.
    (void)records_.write_alert(AlertLevel::warning, AlertDescription::user_canceled);
    (void)records_.write_alert(AlertLevel::warning, AlertDescription::close_notify);
    return fail(make_error(Errc::closed, "closed by the application during the handshake"));
  }
  if (!traffic->close_sent) {
    traffic->close_sent = true;
    PGPTLS_CHECK(records_.write_alert(AlertLevel::warning, AlertDescription::close_notify));
  }
  return {};
}

Status Rfc6091Engine::settle_peer(Result<VerifiedPeer> verdict) {
  if (failure_.has_value()) {
    return *failure_;
  }
  if (!session_.peer || !session_.peer->pending) {
    return make_error(Errc::invalid_state, "settle_peer() without a provisional peer");
  }
  if (!verdict.ok()) {
    // The same alert as a refusal during the handshake (RFC 5246 §7.2.2),
    // sent under the connection's keys.
    return fail(verifier_refusal(std::move(verdict).error()));
  }
  session_.peer = std::move(verdict).value();
  return {};
}

EngineStatus Rfc6091Engine::status() const {
  if (!records_.pending_output().empty()) {
    return EngineStatus::has_output;
  }
  if (failure_.has_value()) {
    return EngineStatus::failed;
  }
  if (const auto* traffic = std::get_if<states::Traffic>(&state_)) {
    // Closed only once the application read up to the peer's close_notify
    // (we answer it then). After our own, reading goes on (established,
    // write_app() refused): RFC 5246 §7.2.1 lets the initiator of the close
    // read until the answering close_notify, so an answer already in flight
    // is not lost, and the GnuTLS engine behaves the same way.
    return traffic->close_received ? EngineStatus::closed : EngineStatus::established;
  }
  return EngineStatus::need_input;
}

}  // namespace pgptls::tls
