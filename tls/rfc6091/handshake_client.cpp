// handshake_client.cpp: the client side of the RFC 6091 engine's TLS 1.2
// handshake (RFC 5246 §7.3, ECDHE per RFC 8422, EMS per RFC 7627).
#include <algorithm>

#include "tls/crypto/prf.h"
#include "tls/rfc6091/handshake_engine.h"
#include "tls/wire/errors.h"
#include "tls/wire/messages/certificate_request.h"
#include "tls/wire/messages/key_exchange.h"
#include "tls/wire/messages/simple.h"

namespace pgptls::tls {

namespace {

using messages::HandshakeMessage;
using messages::HandshakeType;

std::vector<std::uint16_t> wire_schemes(const std::vector<SignatureScheme>& schemes) {
  std::vector<std::uint16_t> wire;
  for (const SignatureScheme scheme : schemes) {
    wire.push_back(static_cast<std::uint16_t>(scheme));
  }
  return wire;
}

// signed_params: client_random + server_random + ServerECDHParams, what a
// ServerKeyExchange signs (RFC 8422 §5.4).
Bytes signed_params(const messages::Random& client_random, const messages::Random& server_random,
                    ByteView params) {
  Bytes data(client_random.begin(), client_random.end());
  data.insert(data.end(), server_random.begin(), server_random.end());
  data.insert(data.end(), params.begin(), params.end());
  return data;
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

Status Rfc6091Engine::on_server_hello(states::ExpectServerHello& state,
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

Status Rfc6091Engine::on_server_certificate(states::ExpectServerCertificate& state,
                                            const HandshakeMessage& message) {
  PGPTLS_TRY(auto presented, read_certificate(state.negotiated.certificate_type, message));
  if (!presented.has_value()) {
    return make_error(Errc::bad_certificate,
                      "the server sent an empty certificate; a server must authenticate");
  }
  PGPTLS_TRY(auto proof, verify_peer(*config_.verifier, *presented, verify_request()));
  PGPTLS_CHECK(receive_into_transcript(message));
  state_ = states::ExpectServerKeyExchange{std::move(state.negotiated), std::move(proof)};
  return {};
}

Status Rfc6091Engine::on_server_key_exchange(states::ExpectServerKeyExchange& state,
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
  const bool rsa_scheme = scheme.has_value() && *scheme != SignatureScheme::ed25519 &&
                          *scheme != SignatureScheme::ecdsa_secp256r1_sha256 &&
                          *scheme != SignatureScheme::ecdsa_secp384r1_sha384;
  if (scheme.has_value() && rsa_scheme != (state.negotiated.suite->auth == AuthAlgorithm::rsa)) {
    return make_error(Errc::illegal_parameter,
                      "the ServerKeyExchange signature algorithm does not match the cipher "
                      "suite's authentication (RFC 5246 §7.4.3)");
  }
  const Bytes data = signed_params(client_random_, server_random_, exchange.params());
  PGPTLS_TRY(auto signature,
             verify_handshake_signature(state.server, exchange.signed_params.scheme,
                                        wire_schemes(config_.policy.signature_schemes), data,
                                        exchange.signed_params.signature));
  PGPTLS_CHECK(receive_into_transcript(message));
  session_.group = std::string(group_name(*group));
  state_ = states::ExpectCertificateRequestOrDone{states::ServerKeyExchanged{
      std::move(state.negotiated), AuthenticatedPeer{std::move(state.server), std::move(signature)},
      *group, exchange.public_key}};
  return {};
}

Status Rfc6091Engine::on_certificate_request_or_done(states::ExpectCertificateRequestOrDone& state,
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

Status Rfc6091Engine::on_server_hello_done(states::ServerKeyExchanged exchanged,
                                           const messages::CertificateRequest* request,
                                           const HandshakeMessage& message) {
  PGPTLS_CHECK(messages::parse_server_hello_done(message.body));
  PGPTLS_CHECK(receive_into_transcript(message));
  const CipherSuite& suite = *exchanged.negotiated.suite;
  const CertificateType type = exchanged.negotiated.certificate_type;

  // Client certificate (RFC 5246 §7.4.6): ours if the key suits the
  // request, an empty one otherwise.
  std::optional<SignatureScheme> client_scheme;
  if (request != nullptr) {
    gnutls_privkey_t key = signing_key_for(config_.credentials, type);
    if (key != nullptr) {
      const auto auth = auth_algorithm_for_key(key);
      const std::uint8_t needed =
          auth == AuthAlgorithm::rsa ? messages::kRsaSign : messages::kEcdsaSign;
      const bool type_ok =
          std::find(request->certificate_types.begin(), request->certificate_types.end(), needed) !=
          request->certificate_types.end();
      for (const SignatureScheme scheme : schemes_for_key(key)) {
        const bool allowed = std::find(config_.policy.signature_schemes.begin(),
                                       config_.policy.signature_schemes.end(),
                                       scheme) != config_.policy.signature_schemes.end();
        const bool requested =
            std::find(request->signature_algorithms.begin(), request->signature_algorithms.end(),
                      static_cast<std::uint16_t>(scheme)) != request->signature_algorithms.end();
        if (type_ok && allowed && requested) {
          client_scheme = scheme;
          break;
        }
      }
    }
    PGPTLS_CHECK(send_certificate(type, client_scheme.has_value()));
  }

  // ClientKeyExchange and the extended master secret (RFC 7627 §4: the
  // session hash runs up to and including ClientKeyExchange).
  PGPTLS_TRY(const auto mine, EcdheKeyPair::generate(exchanged.group, *config_.rng));
  PGPTLS_TRY(const base::SecretBytes pre_master, mine.shared_secret(exchanged.server_public));
  PGPTLS_TRY(const Bytes exchange_body, messages::encode_client_key_exchange(mine.public_key()));
  PGPTLS_CHECK(send_handshake(HandshakeType::client_key_exchange, exchange_body));
  PGPTLS_TRY(const Bytes session_hash, transcript_.current_hash());
  PGPTLS_TRY(base::SecretBytes master,
             extended_master_secret(suite.prf_hash, pre_master, session_hash));

  // CertificateVerify over every message so far (RFC 5246 §7.4.8).
  if (client_scheme.has_value()) {
    gnutls_privkey_t key = signing_key_for(config_.credentials, type);
    PGPTLS_TRY(Bytes signature, sign(key, *client_scheme, transcript_.messages()));
    PGPTLS_TRY(const Bytes verify_body,
               messages::encode_certificate_verify(messages::DigitallySigned{
                   static_cast<std::uint16_t>(*client_scheme), std::move(signature)}));
    PGPTLS_CHECK(send_handshake(HandshakeType::certificate_verify, verify_body));
  }
  transcript_.release_messages();
  PGPTLS_CHECK(flush_flight());

  PGPTLS_TRY(const KeyBlock keys, derive_key_block(suite, master, client_random_, server_random_));
  PGPTLS_TRY(auto client_write,
             RecordProtection::create(suite, keys.client_write_key, keys.client_write_iv));
  PGPTLS_TRY(auto server_write,
             RecordProtection::create(suite, keys.server_write_key, keys.server_write_iv));
  PGPTLS_CHECK(records_.write_change_cipher_spec(std::move(client_write)));
  records_.expect_change_cipher_spec(std::move(server_write));

  PGPTLS_TRY(const Bytes finished_hash, transcript_.current_hash());
  PGPTLS_TRY(const Bytes verify_data,
             finished_verify_data(suite.prf_hash, master, Role::client, finished_hash));
  PGPTLS_CHECK(send_handshake(HandshakeType::finished, verify_data));
  PGPTLS_CHECK(flush_flight());
  state_ =
      states::ExpectServerChangeCipherSpec{&suite, std::move(exchanged.server), std::move(master)};
  return {};
}

Status Rfc6091Engine::on_server_finished(states::ExpectServerFinished& state,
                                         const HandshakeMessage& message) {
  PGPTLS_TRY(const Bytes verify_data, messages::parse_finished(message.body, kVerifyDataLength));
  PGPTLS_TRY(const Bytes transcript_hash, transcript_.current_hash());
  PGPTLS_TRY(auto finished, verify_peer_finished(state.suite->prf_hash, state.master_secret,
                                                 Role::server, transcript_hash, verify_data));
  PGPTLS_CHECK(receive_into_transcript(message));
  return enter_traffic(std::move(state.server), std::move(finished));
}

}  // namespace pgptls::tls
