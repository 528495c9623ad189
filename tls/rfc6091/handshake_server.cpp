// handshake_server.cpp: the server side of the RFC 6091 engine's TLS 1.2
// handshake (RFC 5246 §7.3, ECDHE per RFC 8422, EMS per RFC 7627, client
// authentication per §7.4.4-§7.4.8).
#include <algorithm>

#include "tls/rfc6091/handshake_engine.h"
#include "tls/wire/errors.h"
#include "tls/wire/messages/certificate_request.h"
#include "tls/wire/messages/key_exchange.h"
#include "tls/wire/messages/simple.h"

namespace pgptls::tls {

namespace {

using messages::HandshakeMessage;
using messages::HandshakeType;

}  // namespace

Status Rfc6091Engine::on_message(states::ExpectClientHello& /*state*/,
                                 const HandshakeMessage& message) {
  PGPTLS_TRY(const auto hello, messages::parse_client_hello(message.body));
  PGPTLS_TRY(auto choice, select_server_parameters(hello, config_.policy, config_.credentials));
  client_random_ = hello.random;
  PGPTLS_TRY(server_random_, fresh_random());
  PGPTLS_TRY(const auto server_hello, build_server_hello(choice, server_random_));
  PGPTLS_TRY(const Bytes hello_body, messages::encode_server_hello(server_hello));
  PGPTLS_CHECK(receive_into_transcript(message));
  PGPTLS_CHECK(send_handshake(HandshakeType::server_hello, hello_body));
  PGPTLS_CHECK(transcript_.select_hash(choice.suite->prf_hash));
  records_.lock_version();
  session_.cipher_suite = std::string(choice.suite->name);
  session_.certificate_type = choice.certificate_type;
  session_.group = std::string(group_name(choice.group));
  session_.alpn = choice.alpn.value_or("");
  session_.server_name = choice.server_name.value_or("");

  PGPTLS_CHECK(send_certificate(choice.certificate_type, true));

  // ServerKeyExchange: our ECDHE share, signed over both randoms (RFC 8422 §5.4).
  PGPTLS_TRY(auto key, EcdheKeyPair::generate(choice.group, *config_.rng));
  messages::ServerKeyExchange exchange;
  exchange.group = static_cast<std::uint16_t>(choice.group);
  exchange.public_key = to_bytes(key.public_key());
  PGPTLS_TRY(const Bytes params, exchange.params());
  PGPTLS_TRY(const Bytes data,
             server_key_exchange_signed_data(client_random_, server_random_, params));
  gnutls_privkey_t signer = signing_key_for(config_.credentials, choice.certificate_type);
  PGPTLS_TRY(Bytes signature, sign(signer, choice.scheme, data));
  exchange.signed_params = {wire_value(choice.scheme), std::move(signature)};
  PGPTLS_TRY(const Bytes exchange_body, messages::encode_server_key_exchange(exchange));
  PGPTLS_CHECK(send_handshake(HandshakeType::server_key_exchange, exchange_body));

  // CertificateRequest (RFC 5246 §7.4.4): no authorities, which RFC 6091
  // §3.4 requires for OpenPGP and which leaves the choice to the client
  // (and trust to the verifier) for X.509.
  std::vector<std::uint16_t> requested;
  if (config_.client_auth != ClientAuth::none) {
    messages::CertificateRequest request;
    request.certificate_types = {messages::kEcdsaSign, messages::kRsaSign};
    requested = wire_values(config_.policy.signature_schemes);
    request.signature_algorithms = requested;
    PGPTLS_TRY(const Bytes request_body, messages::encode_certificate_request(request));
    PGPTLS_CHECK(send_handshake(HandshakeType::certificate_request, request_body));
  }
  PGPTLS_CHECK(send_handshake(HandshakeType::server_hello_done, {}));
  PGPTLS_CHECK(flush_flight());

  states::ServerFlightSent sent{std::move(choice), std::move(key), std::move(requested)};
  if (config_.client_auth != ClientAuth::none) {
    state_ = states::ExpectClientCertificate{std::move(sent)};
  } else {
    state_ = states::ExpectClientKeyExchange{std::move(sent), std::nullopt};
  }
  return {};
}

Status Rfc6091Engine::on_message(states::ExpectClientCertificate& state,
                                 const HandshakeMessage& message) {
  PGPTLS_TRY(auto client, verified_certificate(state.sent.choice.certificate_type, message));
  if (!client.has_value() && config_.client_auth == ClientAuth::require) {
    return make_error(Errc::handshake_failure,
                      "the client sent no certificate, and this server requires client "
                      "authentication (RFC 5246 §7.4.6)");
  }
  PGPTLS_CHECK(receive_into_transcript(message));
  state_ = states::ExpectClientKeyExchange{std::move(state.sent), std::move(client)};
  return {};
}

Status Rfc6091Engine::on_message(states::ExpectClientKeyExchange& state,
                                 const HandshakeMessage& message) {
  PGPTLS_TRY(const Bytes client_public, messages::parse_client_key_exchange(message.body));
  PGPTLS_TRY(const base::SecretBytes pre_master, state.sent.key.shared_secret(client_public));
  PGPTLS_CHECK(receive_into_transcript(message));
  const CipherSuite& suite = *state.sent.choice.suite;
  PGPTLS_TRY(base::SecretBytes master, master_secret(suite, pre_master));
  PGPTLS_TRY(auto keys, traffic_keys(suite, master));
  records_.expect_change_cipher_spec(std::move(keys.client_write));
  if (state.client.has_value()) {
    // RFC 5246 §7.4.8: a client that sent a certificate proves its key next.
    state_ = states::ExpectCertificateVerify{
        std::move(state.sent.choice), std::move(state.sent.requested_schemes),
        std::move(*state.client), std::move(master), std::move(keys.server_write)};
    return {};
  }
  transcript_.release_messages();
  state_ = states::ExpectClientChangeCipherSpec{std::move(state.sent.choice), std::nullopt,
                                                std::move(master), std::move(keys.server_write)};
  return {};
}

Status Rfc6091Engine::on_message(states::ExpectCertificateVerify& state,
                                 const HandshakeMessage& message) {
  PGPTLS_TRY(const auto verify, messages::parse_certificate_verify(message.body));
  PGPTLS_TRY(auto signature,
             verify_handshake_signature(state.client, verify.scheme, state.requested_schemes,
                                        transcript_.messages(), verify.signature));
  PGPTLS_CHECK(receive_into_transcript(message));
  transcript_.release_messages();
  state_ = states::ExpectClientChangeCipherSpec{
      std::move(state.choice), AuthenticatedPeer{std::move(state.client), std::move(signature)},
      std::move(state.master_secret), std::move(state.server_write)};
  return {};
}

Status Rfc6091Engine::on_message(states::ExpectClientFinished& state,
                                 const HandshakeMessage& message) {
  const CipherSuite& suite = *state.choice.suite;
  PGPTLS_TRY(auto finished, receive_finished(suite, state.master_secret, message));
  PGPTLS_CHECK(records_.write_change_cipher_spec(std::move(state.server_write)));
  PGPTLS_CHECK(send_finished(suite, state.master_secret));
  return enter_traffic(std::move(state.client), std::move(finished));
}

}  // namespace pgptls::tls
