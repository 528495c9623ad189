// handshake_engine.h: the RFC 6091 engine's class, shared by its three
// source files: rfc6091_engine.cpp (records, alerts, application data),
// handshake_client.cpp and handshake_server.cpp (the two state machines).
#pragma once

#include <optional>

#include "base/byte_queue.h"
#include "base/clock.h"
#include "tls/crypto/transcript.h"
#include "tls/engine/engine.h"
#include "tls/rfc6091/handshake_states.h"
#include "tls/rfc6091/record_layer.h"
#include "tls/rfc6091/rfc6091_engine.h"
#include "tls/wire/messages/certificate.h"
#include "tls/wire/messages/handshake.h"

namespace pgptls::tls {

class Rfc6091Engine final : public Engine {
 public:
  explicit Rfc6091Engine(Rfc6091Config config);

  [[nodiscard]] Status start() override;
  [[nodiscard]] Status feed(ByteView bytes) override;
  [[nodiscard]] ByteView pending_output() const override { return records_.pending_output(); }
  void consume_output(std::size_t count) override { records_.consume_output(count); }
  [[nodiscard]] Result<std::size_t> write_app(ByteView data) override;
  [[nodiscard]] Result<std::size_t> read_app(std::span<std::uint8_t> out) override;
  [[nodiscard]] Status close() override;
  [[nodiscard]] Status settle_peer(Result<VerifiedPeer> verdict) override;
  [[nodiscard]] EngineStatus status() const override;
  [[nodiscard]] const std::optional<Error>& failure() const override { return failure_; }
  [[nodiscard]] const SessionInfo& session() const override { return session_; }
  [[nodiscard]] std::string_view state_name() const override { return states::state_name(state_); }

 private:
  // Record dispatch (rfc6091_engine.cpp).
  [[nodiscard]] Status process_records();
  [[nodiscard]] Status on_alert(ByteView payload);
  // receive_close: the peer's close_notify takes effect once no application
  // data before it is left unread; answers it in TLS 1.2 (RFC 5246 §7.2.1).
  [[nodiscard]] Status receive_close(states::Traffic& traffic);
  [[nodiscard]] Status on_change_cipher_spec();
  [[nodiscard]] Status on_handshake_message(const messages::HandshakeMessage& message);
  [[nodiscard]] Status on_traffic_handshake(const messages::HandshakeMessage& message);
  [[nodiscard]] Status check_deadline();
  // unexpected: Errc::unexpected_message for `what` (a message, ChangeCipherSpec or
  // application data) out of order, naming what the current state waits for.
  [[nodiscard]] Error unexpected(std::string_view what) const;
  // fail: poisons the engine, queues the alert for the error (none when the
  // peer's own alert ended it), and returns the error.
  Error fail(Error error);

  // Shared handshake steps.
  [[nodiscard]] Status send_handshake(messages::HandshakeType type, ByteView body);
  [[nodiscard]] Status flush_flight();
  [[nodiscard]] Status receive_into_transcript(const messages::HandshakeMessage& message);
  [[nodiscard]] Result<messages::Random> fresh_random();
  [[nodiscard]] Status send_certificate(CertificateType type, bool have_credential);
  [[nodiscard]] Result<std::optional<PresentedCertificate>> read_certificate(
      CertificateType type, const messages::HandshakeMessage& message);
  [[nodiscard]] VerifyRequest verify_request() const;
  // verified_certificate: the peer's Certificate message, accepted by the
  // verifier; nullopt when it is empty (the caller decides whether that
  // is allowed).
  [[nodiscard]] Result<std::optional<PeerProof>> verified_certificate(
      CertificateType type, const messages::HandshakeMessage& message);
  // master_secret: the extended master secret (RFC 7627 §4: the session
  // hash is the transcript up to and including ClientKeyExchange).
  [[nodiscard]] Result<base::SecretBytes> master_secret(const CipherSuite& suite,
                                                        const base::SecretBytes& pre_master);
  // TrafficKeys: the record protection of each direction (RFC 5246 §6.3).
  struct TrafficKeys {
    RecordProtection client_write;
    RecordProtection server_write;
  };
  [[nodiscard]] Result<TrafficKeys> traffic_keys(const CipherSuite& suite,
                                                 const base::SecretBytes& master);
  // send_finished: our Finished over the transcript so far, ending the
  // flight (RFC 5246 §7.4.9).
  [[nodiscard]] Status send_finished(const CipherSuite& suite, const base::SecretBytes& master);
  // receive_finished: the peer's Finished, checked against the transcript
  // before it (RFC 5246 §7.4.9), then added to it.
  [[nodiscard]] Result<FinishedProof> receive_finished(const CipherSuite& suite,
                                                       const base::SecretBytes& master,
                                                       const messages::HandshakeMessage& message);
  [[nodiscard]] Status enter_traffic(std::optional<AuthenticatedPeer> peer, FinishedProof finished);

  // The peer's handshake messages: one on_message for each state with
  // kAccepts, called with a message of one of those types.
  using Message = messages::HandshakeMessage;
  // Client (handshake_client.cpp).
  [[nodiscard]] Status client_start();
  // ServerHello (RFC 5246 §7.4.1.3).
  [[nodiscard]] Status on_message(states::ExpectServerHello&, const Message&);
  // The server's Certificate (§7.4.2).
  [[nodiscard]] Status on_message(states::ExpectServerCertificate&, const Message&);
  // ServerKeyExchange (RFC 8422 §5.4).
  [[nodiscard]] Status on_message(states::ExpectServerKeyExchange&, const Message&);
  // CertificateRequest (§7.4.4) or ServerHelloDone (§7.4.5).
  [[nodiscard]] Status on_message(states::ExpectCertificateRequestOrDone&, const Message&);
  // ServerHelloDone after a CertificateRequest.
  [[nodiscard]] Status on_message(states::ExpectServerHelloDone&, const Message&);
  // on_server_hello_done: ServerHelloDone, with or without a request; the
  // client's second flight.
  [[nodiscard]] Status on_server_hello_done(states::ServerKeyExchanged exchanged,
                                            const messages::CertificateRequest* request,
                                            const messages::HandshakeMessage& message);
  // send_certificate_verify: signs every message so far (RFC 5246 §7.4.8).
  [[nodiscard]] Status send_certificate_verify(CertificateType type, SignatureScheme scheme);
  // The server's Finished (§7.4.9).
  [[nodiscard]] Status on_message(states::ExpectServerFinished&, const Message&);

  // Server (handshake_server.cpp).
  // ClientHello (§7.4.1.2); the server's first flight.
  [[nodiscard]] Status on_message(states::ExpectClientHello&, const Message&);
  // The client's Certificate (§7.4.6).
  [[nodiscard]] Status on_message(states::ExpectClientCertificate&, const Message&);
  // ClientKeyExchange (§7.4.7, RFC 8422 §5.7).
  [[nodiscard]] Status on_message(states::ExpectClientKeyExchange&, const Message&);
  // CertificateVerify (§7.4.8).
  [[nodiscard]] Status on_message(states::ExpectCertificateVerify&, const Message&);
  // The client's Finished (§7.4.9); the server's last flight.
  [[nodiscard]] Status on_message(states::ExpectClientFinished&, const Message&);

  Rfc6091Config config_;
  states::State state_;
  RecordLayer records_;
  messages::HandshakeReassembler reassembler_;
  Transcript transcript_;
  Bytes flight_;
  messages::Random client_random_{};
  messages::Random server_random_{};
  std::optional<base::TimePoint> deadline_;
  base::ByteQueue app_in_;
  SessionInfo session_;
  std::optional<Error> failure_;
};

}  // namespace pgptls::tls
