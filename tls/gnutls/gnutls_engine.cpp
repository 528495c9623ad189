#include "tls/gnutls/gnutls_engine.h"

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <string>
#include <string_view>
#include <utility>

#include "base/byte_queue.h"
#include "base/gnutls_handles.h"
#include "tls/crypto/gnutls_keys.h"
#include "tls/gnutls/gnutls_context.h"
#include "tls/gnutls/gnutls_errors.h"
#include "tls/wire/errors.h"
#include "tls/wire/record_header.h"

namespace pgptls::tls {
namespace {

// Caps on what a peer's Certificate message may hold before it reaches the
// verifier (GnuTLS itself caps the handshake message size).
constexpr std::size_t kMaxPeerChainLength = 16;
// (gnutls_record_recv reads at most one record of plaintext per call:
// kMaxPlaintextLength, RFC 8446 §5.1.)

std::string_view gnutls_version_keyword(TlsVersion version) {
  return version == TlsVersion::tls13 ? "+VERS-TLS1.3" : "+VERS-TLS1.2";
}

std::string_view ctype_name(CertificateType type) {
  return type == CertificateType::raw_public_key ? "RAWPK" : "X509";
}

bool has_credential(const Credentials& credentials, CertificateType type) {
  switch (type) {
    case CertificateType::x509:
      return credentials.x509.has_value();
    case CertificateType::raw_public_key:
      return credentials.raw_public_key.has_value();
    case CertificateType::openpgp:
      return false;
  }
  return false;
}

// build_priority: AEAD suites with ECDHE only (no CBC, no RSA key exchange,
// no SHA-1 signatures, per DESIGN.md), the configured versions, and the
// certificate types of RFC 7250 in preference order.
std::string build_priority(const GnutlsEngineConfig& config) {
  std::string priority =
      "NORMAL:-VERS-ALL:-CIPHER-ALL:+AES-256-GCM:+AES-128-GCM:+CHACHA20-POLY1305:-MAC-ALL:+AEAD:"
      "-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA:-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1:"
      "+GROUP-SECP384R1:-SIGN-RSA-SHA1:-SIGN-ECDSA-SHA1:-CTYPE-ALL";
  if (config.max_version == TlsVersion::tls13) {
    priority += ":";
    priority += gnutls_version_keyword(TlsVersion::tls13);
  }
  if (config.min_version == TlsVersion::tls12) {
    priority += ":";
    priority += gnutls_version_keyword(TlsVersion::tls12);
  }
  const bool client = config.role == Role::client;
  // Our side: only types we can present. The peer's side: every type we accept.
  const std::string_view ours = client ? "CLI" : "SRV";
  const std::string_view theirs = client ? "SRV" : "CLI";
  bool offered_own = false;
  for (const CertificateType type : config.certificate_types) {
    if (has_credential(config.credentials, type)) {
      priority += ":+CTYPE-" + std::string(ours) + "-" + std::string(ctype_name(type));
      offered_own = true;
    }
  }
  if (!offered_own) {
    // Without any credential a client still answers a CertificateRequest
    // (with an empty Certificate), which needs a certificate type.
    priority += ":+CTYPE-" + std::string(ours) + "-X509";
  }
  for (const CertificateType type : config.certificate_types) {
    priority += ":+CTYPE-" + std::string(theirs) + "-" + std::string(ctype_name(type));
  }
  return priority;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

CertificateType from_gnutls_ctype(gnutls_certificate_type_t type) {
  return type == GNUTLS_CRT_RAWPK ? CertificateType::raw_public_key : CertificateType::x509;
}

class GnutlsEngine final : public Engine {
 public:
  GnutlsEngine(GnutlsEngineConfig config, std::shared_ptr<const GnutlsContext> context)
      : config_(std::move(config)), context_(std::move(context)) {}

  GnutlsEngine(const GnutlsEngine&) = delete;
  GnutlsEngine& operator=(const GnutlsEngine&) = delete;

  [[nodiscard]] const GnutlsContext* context() const { return context_.get(); }
  // shared: the settings every connection of the context has (role,
  // credentials, certificate types, versions, client_auth), read from the
  // context instead of copied into each connection's config.
  [[nodiscard]] const GnutlsEngineConfig& shared() const { return context_->config(); }

  Status init();
  // retrieve: GnuTLS's certificate callback, set once on the context's
  // credentials: answers from the session's engine's context.
  static int retrieve(gnutls_session_t session, const gnutls_datum_t* ca_names, int ca_count,
                      const gnutls_pk_algorithm_t* algorithms, int algorithm_count,
                      gnutls_pcert_st** pcerts, unsigned int* pcert_count, gnutls_privkey_t* key);

  Status start() override;
  Status feed(ByteView bytes) override;
  [[nodiscard]] ByteView pending_output() const override { return output_.view(); }
  void consume_output(std::size_t count) override;
  Result<std::size_t> write_app(ByteView data) override;
  Result<std::size_t> read_app(std::span<std::uint8_t> out) override;
  Status close() override;
  Status settle_peer(Result<VerifiedPeer> verdict) override;
  [[nodiscard]] EngineStatus status() const override;
  [[nodiscard]] const std::optional<Error>& failure() const override { return failure_; }
  [[nodiscard]] const SessionInfo& session() const override { return info_; }
  [[nodiscard]] std::string_view state_name() const override;

 private:
  enum class Phase : std::uint8_t { created, handshaking, established, failed };

  static ssize_t push(gnutls_transport_ptr_t self, const void* data, std::size_t size);
  static ssize_t pull(gnutls_transport_ptr_t self, void* data, std::size_t size);
  static int pull_timeout(gnutls_transport_ptr_t self, unsigned int milliseconds);
  static int verify(gnutls_session_t session);

  int verify_peer();
  Status continue_handshake();
  Status read_records();
  // receive_close: the peer's close_notify takes effect once the application
  // has read the data before it; answers it in TLS 1.2 (RFC 5246 §7.2.1).
  void receive_close();
  void fill_session_info();
  Error error_from_gnutls(int code) const;
  Error fail(Error error, int gnutls_code);

  GnutlsEngineConfig config_;
  // Declared before the session, so the session goes first.
  std::shared_ptr<const GnutlsContext> context_;
  base::SessionHandle session_handle_;
  gnutls_session_t session_ = nullptr;  // session_handle_'s

  Phase phase_ = Phase::created;
  bool local_closed_ = false;
  // close_arrived_: GnuTLS decrypted the peer's close_notify; peer_closed_:
  // the application read the data before it, so it took effect.
  bool close_arrived_ = false;
  bool peer_closed_ = false;

  base::ByteQueue input_;
  base::ByteQueue output_;
  base::ByteQueue app_input_;

  std::optional<Error> failure_;
  std::optional<Error> verify_error_;
  std::optional<VerifiedPeer> verified_;
  SessionInfo info_;
};

Status GnutlsEngine::init() {
  int rc = gnutls_init(&session_, context_->session_flags());
  if (rc < 0) {
    session_ = nullptr;
    return make_error(Errc::internal_error, std::string("gnutls_init: ") + gnutls_strerror(rc));
  }
  session_handle_.reset(session_);
  // The context's priority cache and credentials: parsed and imported once.
  rc = gnutls_priority_set(session_, context_->priority());
  if (rc < 0) {
    return make_error(Errc::internal_error,
                      std::string("gnutls_priority_set: ") + gnutls_strerror(rc));
  }
  rc = gnutls_credentials_set(session_, GNUTLS_CRD_CERTIFICATE, context_->credentials());
  if (rc < 0) {
    return make_error(Errc::internal_error,
                      std::string("gnutls_credentials_set: ") + gnutls_strerror(rc));
  }

  if (shared().role == Role::server) {
    gnutls_certificate_request_t request = GNUTLS_CERT_IGNORE;
    if (shared().client_auth == ClientAuth::request) {
      request = GNUTLS_CERT_REQUEST;
    } else if (shared().client_auth == ClientAuth::require) {
      request = GNUTLS_CERT_REQUIRE;
    }
    gnutls_certificate_server_set_request(session_, request);
    // We name no CAs: trust is the verifier's (pins, authorities).
    gnutls_certificate_send_x509_rdn_sequence(session_, 1);
  } else if (!config_.server_name.empty()) {
    rc = gnutls_server_name_set(session_, GNUTLS_NAME_DNS, config_.server_name.data(),
                                config_.server_name.size());
    if (rc < 0) {
      return make_error(Errc::invalid_state, "server name '" + config_.server_name +
                                                 "' cannot be sent as SNI: " + gnutls_strerror(rc));
    }
    info_.server_name = config_.server_name;
  }

  if (!config_.alpn.empty()) {
    std::vector<gnutls_datum_t> protocols;
    for (const auto& protocol : config_.alpn) {
      if (protocol.empty() || protocol.size() > 255) {
        return make_error(Errc::invalid_state,
                          "an ALPN protocol name must have 1 to 255 bytes (RFC 7301 §3.1)");
      }
      protocols.push_back(gnutls_datum_of(as_bytes_view(protocol)));
    }
    rc = gnutls_alpn_set_protocols(session_, protocols.data(),
                                   static_cast<unsigned>(protocols.size()),
                                   GNUTLS_ALPN_MANDATORY | GNUTLS_ALPN_SERVER_PRECEDENCE);
    if (rc < 0) {
      return make_error(Errc::internal_error,
                        std::string("gnutls_alpn_set_protocols: ") + gnutls_strerror(rc));
    }
  }

  gnutls_session_set_ptr(session_, this);
  gnutls_transport_set_ptr(session_, this);
  gnutls_transport_set_push_function(session_, &GnutlsEngine::push);
  gnutls_transport_set_pull_function(session_, &GnutlsEngine::pull);
  gnutls_transport_set_pull_timeout_function(session_, &GnutlsEngine::pull_timeout);
  // Deadlines belong to the transport, which owns the clock.
  gnutls_handshake_set_timeout(session_, 0);
  if (config_.verifier) {
    gnutls_session_set_verify_function(session_, &GnutlsEngine::verify);
  }
  return {};
}

ssize_t GnutlsEngine::push(gnutls_transport_ptr_t self, const void* data, std::size_t size) {
  auto* engine = static_cast<GnutlsEngine*>(self);
  engine->output_.append(ByteView(static_cast<const std::uint8_t*>(data), size));
  return static_cast<ssize_t>(size);
}

ssize_t GnutlsEngine::pull(gnutls_transport_ptr_t self, void* data, std::size_t size) {
  auto* engine = static_cast<GnutlsEngine*>(self);
  if (engine->input_.empty()) {
    // Not end of stream: the transport has simply not fed more yet.
    gnutls_transport_set_errno(engine->session_, EAGAIN);
    return -1;
  }
  return static_cast<ssize_t>(
      engine->input_.read(std::span<std::uint8_t>(static_cast<std::uint8_t*>(data), size)));
}

int GnutlsEngine::pull_timeout(gnutls_transport_ptr_t self, unsigned int /*milliseconds*/) {
  auto* engine = static_cast<GnutlsEngine*>(self);
  const std::size_t available = engine->input_.size();
  if (available == 0) {
    gnutls_transport_set_errno(engine->session_, EAGAIN);
    return -1;
  }
  return static_cast<int>(std::min<std::size_t>(available, 1 << 30));
}

int GnutlsEngine::retrieve(gnutls_session_t session, const gnutls_datum_t* /*ca_names*/,
                           int /*ca_count*/, const gnutls_pk_algorithm_t* /*algorithms*/,
                           int /*algorithm_count*/, gnutls_pcert_st** pcerts,
                           unsigned int* pcert_count, gnutls_privkey_t* key) {
  const auto* engine = static_cast<const GnutlsEngine*>(gnutls_session_get_ptr(session));
  engine->context_->own_certificate(gnutls_certificate_type_get2(session, GNUTLS_CTYPE_OURS),
                                    pcerts, pcert_count, key);
  // Returning no certificate is not an error: a client then sends an empty
  // Certificate, and a server fails the handshake for lack of credentials.
  return 0;
}

int GnutlsEngine::verify(gnutls_session_t session) {
  auto* engine = static_cast<GnutlsEngine*>(gnutls_session_get_ptr(session));
  return engine->verify_peer();
}

int GnutlsEngine::verify_peer() {
  unsigned int count = 0;
  const gnutls_datum_t* list = gnutls_certificate_get_peers(session_, &count);
  if (list == nullptr || count == 0) {
    // An anonymous client under ClientAuth::request; GnuTLS itself rejects
    // it under require, and a server always sends a certificate.
    return 0;
  }
  PresentedCertificate presented;
  presented.type = from_gnutls_ctype(gnutls_certificate_type_get2(session_, GNUTLS_CTYPE_PEERS));
  // GnuTLS takes a peer that ignores our certificate type list as X.509
  // (RFC 7250 §4.2 makes an absent answer mean X.509); we accept only the
  // types we offered.
  if (std::find(shared().certificate_types.begin(), shared().certificate_types.end(),
                presented.type) == shared().certificate_types.end()) {
    verify_error_ = make_error(
        Errc::unsupported_certificate,
        "the peer presented a certificate of type " +
            std::string(certificate_type_name(presented.type)) +
            ", which this connection does not accept; offer that type or configure the peer "
            "for ours");
    return GNUTLS_E_CERTIFICATE_ERROR;
  }
  if (count > kMaxPeerChainLength) {
    verify_error_ = make_error(Errc::bad_certificate,
                               "the peer sent " + std::to_string(count) +
                                   " certificates; at most 16 are accepted (send a shorter chain)");
    return GNUTLS_E_CERTIFICATE_ERROR;
  }
  if (presented.type == CertificateType::raw_public_key) {
    presented.raw_public_key.assign(list[0].data, list[0].data + list[0].size);
  } else {
    for (unsigned int i = 0; i < count; ++i) {
      presented.x509_chain.emplace_back(list[i].data, list[i].data + list[i].size);
    }
  }

  // The key GnuTLS checks the handshake signature with.
  auto peer_key = presented.type == CertificateType::raw_public_key
                      ? public_key_from_spki(presented.raw_public_key)
                      : public_key_from_x509(presented.x509_chain.front());
  if (!peer_key.ok()) {
    verify_error_ = std::move(peer_key).error().wrap("peer certificate");
    return GNUTLS_E_CERTIFICATE_ERROR;
  }

  const VerifyRequest request{config_.expected_domain, shared().role};
  auto verdict = config_.verifier->verify(presented, request);
  if (!verdict.ok()) {
    // The same alert as the RFC 6091 engine for the same refusal.
    verify_error_ = verifier_refusal(std::move(verdict).error());
    return GNUTLS_E_CERTIFICATE_ERROR;
  }
  if (!verdict->signing_key) {
    verify_error_ = make_error(Errc::internal_error,
                               "the peer verifier accepted the peer "
                               "but returned no key to check it against");
    return GNUTLS_E_CERTIFICATE_ERROR;
  }
  const auto same = same_public_key(peer_key->get(), verdict->signing_key.get());
  if (!same.ok()) {
    verify_error_ = same.error();
    return GNUTLS_E_CERTIFICATE_ERROR;
  }
  if (!*same) {
    verify_error_ = make_error(Errc::bad_certificate,
                               "the peer's certificate holds a different key than the one the "
                               "verifier accepted (" +
                                   verdict->accepted_by + "); the peer must present that key");
    return GNUTLS_E_CERTIFICATE_ERROR;
  }
  verified_ = std::move(verdict).value();
  return 0;
}

Status GnutlsEngine::start() {
  if (failure_) {
    return *failure_;
  }
  if (phase_ != Phase::created) {
    return make_error(Errc::invalid_state, "start() called twice");
  }
  phase_ = Phase::handshaking;
  if (shared().role == Role::server) {
    return {};  // A server waits for the ClientHello.
  }
  return continue_handshake();
}

Status GnutlsEngine::feed(ByteView bytes) {
  if (failure_) {
    return *failure_;
  }
  if (phase_ == Phase::created) {
    if (shared().role == Role::client) {
      return make_error(Errc::invalid_state, "feed() before start(): a client starts first");
    }
    phase_ = Phase::handshaking;
  }
  if (close_arrived_) {
    return make_error(Errc::closed, "bytes after the peer's close_notify are ignored");
  }
  input_.append(bytes);
  if (phase_ == Phase::handshaking) {
    PGPTLS_CHECK(continue_handshake());
  }
  if (phase_ == Phase::established) {
    PGPTLS_CHECK(read_records());
  }
  return {};
}

Status GnutlsEngine::continue_handshake() {
  std::size_t unread_before = input_.size();
  for (;;) {
    const int rc = gnutls_handshake(session_);
    if (rc == 0) {
      // Defence in depth: only certificate key exchanges are enabled, so a
      // server always presents a certificate, and GnuTLS enforces
      // ClientAuth::require; never report an unverified peer as established.
      const bool peer_required =
          shared().role == Role::client || shared().client_auth == ClientAuth::require;
      if (peer_required && !verified_) {
        return fail(make_error(Errc::handshake_failure,
                               "the handshake finished without a verified peer certificate"),
                    0);
      }
      // RFC 7627 §5.2: TLS 1.2 without the extended master secret is refused,
      // as by the RFC 6091 engine (a server's dispatcher refuses such hellos
      // before this engine runs; this covers the client side).
      if (gnutls_protocol_get_version(session_) == GNUTLS_TLS1_2 &&
          gnutls_session_ext_master_secret_status(session_) == 0) {
        return fail(make_error(Errc::insufficient_security,
                               "the peer does not use extended_master_secret (RFC 7627) in TLS "
                               "1.2, which pgptls requires; upgrade the peer's TLS library"),
                    0);
      }
      phase_ = Phase::established;
      fill_session_info();
      return {};
    }
    if (rc == GNUTLS_E_AGAIN) {
      // GnuTLS may stop after each small record with EAGAIN while more
      // input is buffered (a ClientHello in 1-byte records): go on while
      // it makes progress.
      const std::size_t unread = input_.size();
      if (unread > 0 && unread != unread_before) {
        unread_before = unread;
        continue;
      }
      return {};
    }
    if (rc == GNUTLS_E_INTERRUPTED || rc == GNUTLS_E_WARNING_ALERT_RECEIVED ||
        rc == GNUTLS_E_GOT_APPLICATION_DATA) {
      continue;
    }
    return fail(error_from_gnutls(rc), rc);
  }
}

Status GnutlsEngine::read_records() {
  std::array<std::uint8_t, kMaxPlaintextLength> buffer{};
  std::size_t unread_before = input_.size();
  for (;;) {
    const ssize_t rc = gnutls_record_recv(session_, buffer.data(), buffer.size());
    if (rc > 0) {
      app_input_.append(ByteView(buffer).first(static_cast<std::size_t>(rc)));
      continue;
    }
    if (rc == 0) {
      // RFC 5246 §6, §7.2.1: close_notify is a record in the stream and the
      // records before it reach the application first, so it is received
      // only when the application has read their data (read_app() finishes
      // the close then); answering it now would discard the replies the
      // application still owes to that data.
      close_arrived_ = true;
      if (app_input_.empty()) {
        receive_close();
      }
      return {};
    }
    if (rc == GNUTLS_E_AGAIN) {
      // GnuTLS also answers EAGAIN after a post-handshake message (a TLS 1.3
      // NewSessionTicket or KeyUpdate) although more records may be
      // buffered; only stop when the input is used up or nothing moved.
      const std::size_t unread = input_.size();
      if ((unread > 0 && unread != unread_before) || gnutls_record_check_pending(session_) > 0) {
        unread_before = unread;
        continue;
      }
      return {};
    }
    if (rc == GNUTLS_E_INTERRUPTED || rc == GNUTLS_E_WARNING_ALERT_RECEIVED) {
      continue;
    }
    if (rc == GNUTLS_E_REHANDSHAKE) {
      // DESIGN.md: no renegotiation. RFC 5246 §7.2.2 lets us refuse it with a
      // warning and keep the connection.
      (void)gnutls_alert_send(session_, GNUTLS_AL_WARNING, GNUTLS_A_NO_RENEGOTIATION);
      continue;
    }
    return fail(error_from_gnutls(static_cast<int>(rc)), static_cast<int>(rc));
  }
}

void GnutlsEngine::fill_session_info() {
  if (const char* name = gnutls_protocol_get_name(gnutls_protocol_get_version(session_))) {
    info_.protocol = name;
  }
  if (const char* suite = gnutls_ciphersuite_get(session_)) {
    info_.cipher_suite = suite;
  }
  if (const char* group = gnutls_group_get_name(gnutls_group_get(session_))) {
    info_.group = lower(group);
  }
  gnutls_datum_t alpn{nullptr, 0};
  if (gnutls_alpn_get_selected_protocol(session_, &alpn) == 0) {
    info_.alpn.assign(reinterpret_cast<const char*>(alpn.data), alpn.size);
  }
  if (shared().role == Role::server) {
    std::array<char, 256> name{};
    std::size_t size = name.size();
    unsigned int type = 0;
    if (gnutls_server_name_get(session_, name.data(), &size, &type, 0) == 0 &&
        type == GNUTLS_NAME_DNS) {
      info_.server_name.assign(name.data(), size);
    }
  }
  if (verified_) {
    info_.certificate_type = verified_->type;
    info_.peer = std::move(verified_);
    verified_.reset();
  } else {
    info_.certificate_type =
        from_gnutls_ctype(gnutls_certificate_type_get2(session_, GNUTLS_CTYPE_OURS));
  }
}

Error GnutlsEngine::error_from_gnutls(int code) const {
  if (code == GNUTLS_E_CERTIFICATE_ERROR && verify_error_) {
    return *verify_error_;  // our verifier's own reason
  }
  if (code == GNUTLS_E_FATAL_ALERT_RECEIVED) {
    return error_for_received_alert(gnutls_alert_get(session_));
  }
  return error_for_gnutls_code(code);
}

Error GnutlsEngine::fail(Error error, int gnutls_code) {
  if (failure_) {
    return *failure_;
  }
  phase_ = Phase::failed;
  failure_ = error;
  if ((gnutls_code == GNUTLS_E_CERTIFICATE_ERROR && verify_error_) || gnutls_code == 0) {
    // Our own decision (gnutls_code 0: not a GnuTLS error): send the alert
    // our error maps to (RFC 5246 §7.2.2).
    (void)gnutls_alert_send(session_, GNUTLS_AL_FATAL,
                            static_cast<gnutls_alert_description_t>(alert_for(error.code)));
  } else if (gnutls_code != GNUTLS_E_FATAL_ALERT_RECEIVED &&
             gnutls_code != GNUTLS_E_PREMATURE_TERMINATION) {
    // GnuTLS knows which alert its own errors call for.
    (void)gnutls_alert_send_appropriate(session_, gnutls_code);
  }
  return error;
}

void GnutlsEngine::consume_output(std::size_t count) {
  output_.consume(count);
}

Result<std::size_t> GnutlsEngine::write_app(ByteView data) {
  if (failure_) {
    return *failure_;
  }
  if (phase_ != Phase::established || local_closed_) {
    return make_error(Errc::invalid_state, local_closed_ ? "write_app() after close"
                                                         : "write_app() before the "
                                                           "handshake finished");
  }
  std::size_t written = 0;
  int retries = 0;
  while (written < data.size()) {
    const std::size_t chunk = std::min(kMaxPlaintextLength, data.size() - written);
    const ssize_t rc = gnutls_record_send(session_, data.data() + written, chunk);
    if ((rc == GNUTLS_E_AGAIN || rc == GNUTLS_E_INTERRUPTED) && ++retries <= 8) {
      continue;  // push never blocks, so this is transient; bounded anyway
    }
    if (rc < 0) {
      return fail(error_from_gnutls(static_cast<int>(rc)), static_cast<int>(rc));
    }
    written += static_cast<std::size_t>(rc);
  }
  return written;
}

void GnutlsEngine::receive_close() {
  peer_closed_ = true;
  // RFC 5246 §7.2.1: in TLS 1.2 a close_notify is answered at once, pending
  // writes discarded. RFC 8446 §6.1 drops that rule for TLS 1.3 (it "could
  // cause truncation in the read side"): the peer closed only its write
  // side, and ours stays open until close() (a gateway still relays the
  // answer its backend is producing).
  if (!local_closed_ && gnutls_protocol_get_version(session_) != GNUTLS_TLS1_3) {
    local_closed_ = true;
    (void)gnutls_bye(session_, GNUTLS_SHUT_WR);
  }
}

Result<std::size_t> GnutlsEngine::read_app(std::span<std::uint8_t> out) {
  if (app_input_.empty() && failure_) {
    return *failure_;
  }
  if (app_input_.empty() && close_arrived_ && !peer_closed_) {
    receive_close();  // the application has read up to the close_notify
    return std::size_t{0};
  }
  return app_input_.read(out);
}

Status GnutlsEngine::close() {
  if (failure_) {
    return *failure_;
  }
  if (phase_ != Phase::established) {
    return make_error(Errc::invalid_state,
                      "close() before the handshake finished; drop the connection instead");
  }
  if (local_closed_) {
    return {};
  }
  local_closed_ = true;
  const int rc = gnutls_bye(session_, GNUTLS_SHUT_WR);
  if (rc < 0 && rc != GNUTLS_E_AGAIN) {
    return fail(error_from_gnutls(rc), rc);
  }
  return {};
}

Status GnutlsEngine::settle_peer(Result<VerifiedPeer> verdict) {
  if (failure_) {
    return *failure_;
  }
  if (!info_.peer || !info_.peer->pending) {
    return make_error(Errc::invalid_state, "settle_peer() without a provisional peer");
  }
  if (!verdict.ok()) {
    // Our own decision (gnutls_code 0): the alert the error maps to, as
    // for a refusal inside the verify callback (RFC 5246 §7.2.2).
    return fail(verifier_refusal(std::move(verdict).error()), 0);
  }
  info_.peer = std::move(verdict).value();
  return {};
}

EngineStatus GnutlsEngine::status() const {
  if (!output_.empty()) {
    return EngineStatus::has_output;
  }
  if (phase_ == Phase::failed) {
    return EngineStatus::failed;
  }
  // Closed only once the application read up to the peer's close_notify
  // (read_app() with nothing before it left). After our own, reading
  // goes on (established, write_app() refused): RFC 8446 §6.1 says our
  // close_notify "does not have any effect on its read side", and RFC 5246
  // §7.2.1 lets the initiator read until the answering close_notify, so an
  // answer already in flight is not lost.
  if (peer_closed_) {
    return EngineStatus::closed;
  }
  if (phase_ == Phase::established) {
    return EngineStatus::established;
  }
  return EngineStatus::need_input;
}

std::string_view GnutlsEngine::state_name() const {
  switch (phase_) {
    case Phase::created:
      return "Created";
    case Phase::handshaking:
      return "Handshake";
    case Phase::established:
      if (peer_closed_) {
        return "Closed";
      }
      return local_closed_ ? "CloseSent" : "Established";
    case Phase::failed:
      return "Failed";
  }
  return "Unknown";
}

// check_config: the configuration errors make_gnutls_engine documents.
Status check_config(const GnutlsEngineConfig& config) {
  if (config.min_version == TlsVersion::tls13 && config.max_version == TlsVersion::tls12) {
    return make_error(Errc::invalid_state, "min_version TLS 1.3 is above max_version TLS 1.2");
  }
  if (config.certificate_types.empty()) {
    return make_error(Errc::invalid_state,
                      "the GnuTLS engine offers X.509 and raw public keys only; OpenPGP needs "
                      "the RFC 6091 engine");
  }
  if (config.role == Role::server) {
    const bool any =
        std::any_of(config.certificate_types.begin(), config.certificate_types.end(),
                    [&](CertificateType type) { return has_credential(config.credentials, type); });
    if (!any) {
      return make_error(Errc::invalid_state,
                        "a server needs an X.509 or raw public key credential of an offered "
                        "certificate type");
    }
  }
  return {};
}

}  // namespace

Result<std::shared_ptr<const GnutlsContext>> make_gnutls_context(const GnutlsEngineConfig& config) {
  GnutlsEngineConfig shared = config;
  std::erase(shared.certificate_types, CertificateType::openpgp);
  PGPTLS_CHECK(check_config(shared));
  // The per-connection fields stay with each engine.
  shared.server_name.clear();
  shared.alpn.clear();
  shared.verifier.reset();
  shared.expected_domain.reset();
  shared.context.reset();
  auto context = std::make_shared<GnutlsContext>(shared);
  PGPTLS_CHECK(context->init());
  return std::shared_ptr<const GnutlsContext>(std::move(context));
}

const GnutlsContext* context_of(const Engine& engine) {
  const auto* gnutls = dynamic_cast<const GnutlsEngine*>(&engine);
  return gnutls == nullptr ? nullptr : gnutls->context();
}

Status GnutlsContext::init() {
  session_flags_ = (config_.role == Role::client ? GNUTLS_CLIENT : GNUTLS_SERVER) |
                   GNUTLS_NONBLOCK | GNUTLS_NO_TICKETS;
  if (std::find(config_.certificate_types.begin(), config_.certificate_types.end(),
                CertificateType::raw_public_key) != config_.certificate_types.end()) {
    session_flags_ |= GNUTLS_ENABLE_RAWPK;
  }
  const std::string priority = build_priority(config_);
  const char* error_position = nullptr;
  gnutls_priority_t raw_priority = nullptr;
  int rc = gnutls_priority_init2(&raw_priority, priority.c_str(), &error_position, 0);
  if (rc < 0) {
    return make_error(Errc::internal_error, "GnuTLS rejects the priority string at '" +
                                                std::string(error_position ? error_position : "") +
                                                "': " + gnutls_strerror(rc));
  }
  priority_.reset(raw_priority);
  gnutls_certificate_credentials_t raw_credentials = nullptr;
  rc = gnutls_certificate_allocate_credentials(&raw_credentials);
  if (rc < 0) {
    return make_error(
        Errc::internal_error,
        std::string("gnutls_certificate_allocate_credentials: ") + gnutls_strerror(rc));
  }
  credentials_.reset(raw_credentials);
  PGPTLS_CHECK(load_certificates());
  if (config_.credentials.x509 || config_.credentials.raw_public_key) {
    // The callback hands over our certificate whatever key types a TLS 1.2
    // CertificateRequest lists: GnuTLS 3.7's client otherwise withholds an
    // Ed25519 client certificate.
    gnutls_certificate_set_retrieve_function2(credentials_.get(), &GnutlsEngine::retrieve);
  }
  return {};
}

Status GnutlsContext::load_certificates() {
  if (config_.credentials.x509) {
    const auto& chain = config_.credentials.x509->chain;
    x509_chain_.reserve(chain.size());
    for (const auto& der : chain) {
      gnutls_pcert_st pcert{};
      const gnutls_datum_t datum = gnutls_datum_of(der);
      const int rc = gnutls_pcert_import_x509_raw(&pcert, &datum, GNUTLS_X509_FMT_DER, 0);
      if (rc < 0) {
        return make_error(Errc::bad_credential,
                          std::string("our X.509 certificate does not load into GnuTLS: ") +
                              gnutls_strerror(rc) + "; check the certificate file");
      }
      x509_chain_.adopt(pcert);
    }
  }
  if (config_.credentials.raw_public_key) {
    gnutls_pcert_st pcert{};
    const gnutls_datum_t datum =
        gnutls_datum_of(config_.credentials.raw_public_key->subject_public_key_info);
    const int rc = gnutls_pcert_import_rawpk_raw(&pcert, &datum, GNUTLS_X509_FMT_DER, 0, 0);
    if (rc < 0) {
      return make_error(Errc::bad_credential,
                        std::string("our raw public key does not load into GnuTLS: ") +
                            gnutls_strerror(rc) + "; check the key file");
    }
    raw_public_key_.adopt(pcert);
  }
  return {};
}

void GnutlsContext::own_certificate(gnutls_certificate_type_t type, gnutls_pcert_st** pcerts,
                                    unsigned int* count, gnutls_privkey_t* key) const {
  *pcerts = nullptr;
  *count = 0;
  *key = nullptr;
  if (type == GNUTLS_CRT_RAWPK && !raw_public_key_.empty()) {
    *pcerts = raw_public_key_.data();
    *count = 1;
    *key = config_.credentials.raw_public_key->signer.get();
  } else if (type == GNUTLS_CRT_X509 && !x509_chain_.empty()) {
    *pcerts = x509_chain_.data();
    *count = static_cast<unsigned int>(x509_chain_.size());
    *key = config_.credentials.x509->signer.get();
  }
}

Result<std::unique_ptr<Engine>> make_gnutls_engine(GnutlsEngineConfig config) {
  std::erase(config.certificate_types, CertificateType::openpgp);
  std::shared_ptr<const GnutlsContext> context = std::move(config.context);
  if (!context) {
    PGPTLS_TRY(context, make_gnutls_context(config));
  }
  // The shared settings are the context's (the engine reads them there).
  const GnutlsEngineConfig& shared = context->config();
  if (!config.verifier &&
      !(shared.role == Role::server && shared.client_auth == ClientAuth::none)) {
    return make_error(Errc::invalid_state,
                      "no peer verifier configured; every peer certificate needs one");
  }
  auto engine = std::make_unique<GnutlsEngine>(std::move(config), std::move(context));
  PGPTLS_CHECK(engine->init());
  return std::unique_ptr<Engine>(std::move(engine));
}

}  // namespace pgptls::tls
