// handshake_client.cpp: the client side of the RFC 6091 engine's TLS 1.2
// handshake (RFC 5246 §7.3, ECDHE per RFC 8422, EMS per RFC 7627).
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

// client_signature_scheme: the scheme of the client's CertificateVerify, or
// nullopt when its key does not suit the CertificateRequest (then it sends
// an empty Certificate, RFC 5246 §7.4.6).
std::optional<SignatureScheme> client_signature_scheme(
    gnutls_privkey_t key, const NegotiationPolicy& policy,
    const messages::CertificateRequest& request) {
  const auto scheme =
      choose_signature_scheme(key, policy.signature_schemes, request.signature_algorithms);
  if (!scheme.has_value()) {
    return std::nullopt;
  }
  // RFC 8422 §5.5: rsa_sign for RSA keys, ecdsa_sign for ECDSA and EdDSA.
  const std::uint8_t needed =
      auth_algorithm_of(*scheme) == AuthAlgorithm::rsa ? messages::kRsaSign : messages::kEcdsaSign;
  if (std::find(request.certificate_types.begin(), request.certificate_types.end(), needed) ==
      request.certificate_types.end()) {
    return std::nullopt;
  }
  return scheme;
}

}  // namespace

Status Rfc6091Engine::client_start() {
  PGPTLS_TRY(client_random_, fresh_random());
  const auto types = offered_certificate_types(config_.policy, config_.credentials);
  PGPTLS_TRY(auto hello,
             build_client_hello(config_.policy, types, config_.server_name, client_random_));
  PGPTLS_TRY(const Bytes body, messages::encode_client_hello(hello));
  PGPTLS_CHECK(send_handshake(HandshakeType::client_hello, body));
  PGPTLS_CHECK(flush_flight());
  session_.server_name = config_.server_name.value_or("");
  state_ = states::ExpectServerHello{std::move(hello)};
  return {};
}

Status Rfc6091Engine::on_message(states::ExpectServerHello& state,
                                 const HandshakeMessage& message) {
  PGPTLS_TRY(const auto hello, messages::parse_server_hello(message.body));
  if (hello.version == kTls12) {
    // RFC 5246 Appendix E.1: from here on our records (an alert about this
    // very ServerHello included) carry the version the server chose.
    records_.lock_version();
  }
  PGPTLS_TRY(auto negotiated, check_server_hello(state.offered, hello));
  server_random_ = hello.random;
  PGPTLS_CHECK(receive_into_transcript(message));
  PGPTLS_CHECK(transcript_.select_hash(negotiated.suite->prf_hash));
  session_.cipher_suite = std::string(negotiated.suite->name);
  session_.certificate_type = negotiated.certificate_type;
  session_.alpn = negotiated.alpn.value_or("");
  state_ = states::ExpectServerCertificate{std::move(negotiated)};
  return {};
}

Status Rfc6091Engine::on_message(states::ExpectServerCertificate& state,
                                 const HandshakeMessage& message) {
  PGPTLS_TRY(auto server, verified_certificate(state.negotiated.certificate_type, message));
  if (!server.has_value()) {
    return make_error(Errc::bad_certificate,
                      "the server sent an empty certificate; a server must authenticate");
  }
  PGPTLS_CHECK(receive_into_transcript(message));
  state_ = states::ExpectServerKeyExchange{std::move(state.negotiated), std::move(*server)};
  return {};
}

Status Rfc6091Engine::on_message(states::ExpectServerKeyExchange& state,
                                 const HandshakeMessage& message) {
  PGPTLS_TRY(const auto exchange, messages::parse_server_key_exchange(message.body));
  const auto group = find_group(exchange.group);
  if (!group.has_value() || std::find(config_.policy.groups.begin(), config_.policy.groups.end(),
                                      *group) == config_.policy.groups.end()) {
    return make_error(Errc::illegal_parameter, "the server chose ECDHE group " +
                                                   std::to_string(exchange.group) +
                                                   ", which was not offered (RFC 8422 §5.4)");
  }
  // RFC 5246 §7.4.3: the signature's algorithm must fit the suite's key type.
  const auto scheme = find_signature_scheme(exchange.signed_params.scheme);
  if (scheme.has_value() && auth_algorithm_of(*scheme) != state.negotiated.suite->auth) {
    return make_error(Errc::illegal_parameter,
                      "the ServerKeyExchange signature algorithm does not match the cipher "
                      "suite's authentication (RFC 5246 §7.4.3)");
  }
  PGPTLS_TRY(const Bytes params, exchange.params());
  PGPTLS_TRY(const Bytes data,
             server_key_exchange_signed_data(client_random_, server_random_, params));
  PGPTLS_TRY(auto signature,
             verify_handshake_signature(state.server, exchange.signed_params.scheme,
                                        wire_values(config_.policy.signature_schemes), data,
                                        exchange.signed_params.signature));
  PGPTLS_CHECK(receive_into_transcript(message));
  session_.group = std::string(group_name(*group));
  state_ = states::ExpectCertificateRequestOrDone{states::ServerKeyExchanged{
      std::move(state.negotiated), AuthenticatedPeer{std::move(state.server), std::move(signature)},
      *group, exchange.public_key}};
  return {};
}

Status Rfc6091Engine::on_message(states::ExpectCertificateRequestOrDone& state,
                                 const HandshakeMessage& message) {
  if (message.type == static_cast<std::uint8_t>(HandshakeType::server_hello_done)) {
    states::ServerKeyExchanged exchanged = std::move(state.exchanged);
    return on_server_hello_done(std::move(exchanged), nullptr, message);
  }
  PGPTLS_TRY(auto request, messages::parse_certificate_request(message.body));
  // RFC 6091 §3.4 (and GnuTLS 3.5): with OpenPGP the authorities are empty.
  if (state.exchanged.negotiated.certificate_type == CertificateType::openpgp &&
      !request.certificate_authorities.empty()) {
    return make_error(Errc::illegal_parameter,
                      "the server's CertificateRequest lists certificate authorities although "
                      "OpenPGP was negotiated (RFC 6091 §3.4 requires an empty list)");
  }
  PGPTLS_CHECK(receive_into_transcript(message));
  state_ = states::ExpectServerHelloDone{std::move(state.exchanged), std::move(request)};
  return {};
}

Status Rfc6091Engine::on_message(states::ExpectServerHelloDone& state,
                                 const HandshakeMessage& message) {
  states::ExpectServerHelloDone moved = std::move(state);
  return on_server_hello_done(std::move(moved.exchanged), &moved.request, message);
}

Status Rfc6091Engine::on_server_hello_done(states::ServerKeyExchanged exchanged,
                                           const messages::CertificateRequest* request,
                                           const HandshakeMessage& message) {
  PGPTLS_CHECK(messages::parse_server_hello_done(message.body));
  PGPTLS_CHECK(receive_into_transcript(message));
  const CipherSuite& suite = *exchanged.negotiated.suite;
  const CertificateType type = exchanged.negotiated.certificate_type;

  // Client certificate (RFC 5246 §7.4.6): ours if the key suits the
  // request, an empty one otherwise.
  const std::optional<SignatureScheme> client_scheme =
      request == nullptr ? std::nullopt
                         : client_signature_scheme(signing_key_for(config_.credentials, type),
                                                   config_.policy, *request);
  if (request != nullptr) {
    PGPTLS_CHECK(send_certificate(type, client_scheme.has_value()));
  }

  // ClientKeyExchange and the extended master secret (RFC 7627 §4: the
  // session hash runs up to and including ClientKeyExchange).
  PGPTLS_TRY(const auto mine, EcdheKeyPair::generate(exchanged.group, *config_.rng));
  PGPTLS_TRY(const base::SecretBytes pre_master, mine.shared_secret(exchanged.server_public));
  PGPTLS_TRY(const Bytes exchange_body, messages::encode_client_key_exchange(mine.public_key()));
  PGPTLS_CHECK(send_handshake(HandshakeType::client_key_exchange, exchange_body));
  PGPTLS_TRY(base::SecretBytes master, master_secret(suite, pre_master));

  // CertificateVerify over every message so far (RFC 5246 §7.4.8).
  if (client_scheme.has_value()) {
    PGPTLS_CHECK(send_certificate_verify(type, *client_scheme));
  }
  transcript_.release_messages();
  PGPTLS_CHECK(flush_flight());

  PGPTLS_TRY(auto keys, traffic_keys(suite, master));
  PGPTLS_CHECK(records_.write_change_cipher_spec(std::move(keys.client_write)));
  records_.expect_change_cipher_spec(std::move(keys.server_write));
  PGPTLS_CHECK(send_finished(suite, master));
  state_ =
      states::ExpectServerChangeCipherSpec{&suite, std::move(exchanged.server), std::move(master)};
  return {};
}

Status Rfc6091Engine::send_certificate_verify(CertificateType type, SignatureScheme scheme) {
  gnutls_privkey_t key = signing_key_for(config_.credentials, type);
  PGPTLS_TRY(Bytes signature, sign(key, scheme, transcript_.messages()));
  PGPTLS_TRY(const Bytes body, messages::encode_certificate_verify(messages::DigitallySigned{
                                   wire_value(scheme), std::move(signature)}));
  return send_handshake(HandshakeType::certificate_verify, body);
}

Status Rfc6091Engine::on_message(states::ExpectServerFinished& state,
                                 const HandshakeMessage& message) {
  PGPTLS_TRY(auto finished, receive_finished(*state.suite, state.master_secret, message));
  return enter_traffic(std::move(state.server), std::move(finished));
}

}  // namespace pgptls::tls
