#include "transport/engine_selection.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "base/errors.h"
#include "base/name_table.h"
#include "tls/gnutls/gnutls_context.h"
#include "tls/rfc6091/refusal_engine.h"
#include "tls/rfc6091/rfc6091_engine.h"
#include "tls/wire/errors.h"
#include "transport/errors.h"

namespace pgptls::transport {

namespace {

// kClientModes: the names of --client-mode and the TOML's client_mode.
constexpr base::NameTable<ClientMode, 3> kClientModes{{
    {ClientMode::openpgp, "openpgp"},
    {ClientMode::x509, "x509"},
    {ClientMode::automatic, "auto"},
}};

// rfc6091_engine: the RFC 6091 engine (TLS 1.2, OpenPGP and X.509) for one
// connection.
Result<std::unique_ptr<tls::Engine>> rfc6091_engine(const EngineSettings& settings,
                                                    const EngineRequest& request) {
  tls::Rfc6091Config config;
  config.role = request.role;
  config.policy = settings.openpgp_policy;
  if (!request.options.alpn.empty()) {
    config.policy.alpn = request.options.alpn;
  }
  config.credentials = settings.credentials;
  config.verifier = settings.verifier;
  config.rng = settings.rng;
  config.clock = settings.clock;
  config.client_auth = settings.client_auth;
  config.handshake_timeout = settings.handshake_timeout;
  if (request.role == tls::Role::client) {
    config.server_name = request.options.peer_domain;
  }
  config.expected_peer_domain = request.options.peer_domain;
  return tls::make_rfc6091_engine(std::move(config));
}

// gnutls_context_config: the GnuTLS settings that a context holds, the
// same for every connection of one side (tls::GnutlsContext).
tls::GnutlsEngineConfig gnutls_context_config(const EngineSettings& settings, tls::Role role) {
  tls::GnutlsEngineConfig config;
  config.role = role;
  config.credentials = settings.credentials;
  config.certificate_types = settings.gnutls_certificate_types;
  config.min_version = settings.gnutls_min_version;
  config.max_version = settings.gnutls_max_version;
  config.client_auth = settings.client_auth;
  return config;
}

// gnutls_engine: the GnuTLS engine (TLS 1.3 and 1.2, X.509 and raw public
// keys) for one connection.
Result<std::unique_ptr<tls::Engine>> gnutls_engine(
    const EngineSettings& settings, const EngineRequest& request,
    std::shared_ptr<const tls::GnutlsContext> context = nullptr) {
  // A shared context holds the settings it was built with (role,
  // credentials, ...); without one, this connection's own is built from them.
  tls::GnutlsEngineConfig config;
  if (context) {
    config.context = std::move(context);
  } else {
    config = gnutls_context_config(settings, request.role);
  }
  config.alpn = request.options.alpn;
  config.verifier = settings.verifier;
  if (request.role == tls::Role::client && request.options.peer_domain) {
    // The client names the domain it dialled (SNI, RFC 6066 §3).
    config.server_name = *request.options.peer_domain;
  }
  config.expected_domain = request.options.peer_domain;
  return tls::make_gnutls_engine(std::move(config));
}

// shared_gnutls_context: the GnuTLS context (priority cache, credentials,
// our chain) that every connection of one server or one client shares,
// built once. Null when it cannot be built (a server without an X.509
// credential): each connection that needs the GnuTLS engine then builds
// its own and reports why it cannot, as the engine always did.
std::shared_ptr<const tls::GnutlsContext> shared_gnutls_context(const EngineSettings& settings,
                                                                tls::Role role) {
  auto context = tls::make_gnutls_context(gnutls_context_config(settings, role));
  return context.ok() ? std::move(context).value() : nullptr;
}

// server_offer: what the server can serve, for the peek's choice. OpenPGP
// needs the credential and a policy that allows OpenPGP certificates (an
// operator may switch them off); the GnuTLS engine serves X.509 and raw
// public keys, and TLS 1.3.
tls::ServerOffer server_offer(const EngineSettings& settings) {
  const auto& types = settings.openpgp_policy.certificate_types;
  tls::ServerOffer offer;
  offer.openpgp =
      settings.credentials.openpgp.has_value() &&
      std::find(types.begin(), types.end(), tls::CertificateType::openpgp) != types.end();
  offer.x509 =
      settings.credentials.x509.has_value() || settings.credentials.raw_public_key.has_value();
  offer.tls13 = settings.gnutls_max_version >= tls::TlsVersion::tls13;
  return offer;
}

// ServerDispatch: the server factory of one connection. The Stream owns a
// copy of the factory, so the peek state below is per connection. The
// stream passes every byte received so far on each call; the peek reads
// them in place (no copy) and a call with fewer bytes than the previous one
// (a factory shared by mistake) starts a fresh peek.
//
// A refused ClientHello (malformed, out of order, no common certificate
// type or version, over the caps, too slow) gets the refusal engine, which
// sends the fatal alert before the stream closes (RFC 5246 §7.2.2).
class ServerDispatch {
 public:
  explicit ServerDispatch(std::shared_ptr<const EngineSettings> settings)
      : settings_(std::move(settings)),
        // Once per server, shared by every connection's copy of the factory.
        gnutls_context_(shared_gnutls_context(*settings_, tls::Role::server)) {}

  Result<std::unique_ptr<tls::Engine>> operator()(const EngineRequest& request) {
    if (request.role != tls::Role::server) {
      return make_error(tls::Errc::invalid_state,
                        "a server engine factory was asked for a client engine; use "
                        "make_client_engine_factory for clients");
    }
    const ByteView bytes = request.first_bytes;
    if (!peek_ || bytes.size() < seen_) {
      peek_.emplace(*settings_->clock, server_offer(*settings_), settings_->peek_limits);
    }
    seen_ = bytes.size();
    auto decision = peek_->examine(bytes);
    if (!decision) {
      peek_.reset();
      return tls::make_refusal_engine(std::move(decision).error());
    }
    if (!*decision) {
      return make_error(Errc::need_more_input, "the ClientHello is not complete yet");
    }
    const tls::EngineChoice choice = (*decision)->engine;
    peek_.reset();
    if (choice == tls::EngineChoice::rfc6091) {
      return rfc6091_engine(*settings_, request);
    }
    return gnutls_engine(*settings_, request, gnutls_context_);
  }

 private:
  std::shared_ptr<const EngineSettings> settings_;
  std::shared_ptr<const tls::GnutlsContext> gnutls_context_;  // null: built per connection
  std::optional<tls::ClientHelloPeek> peek_;
  std::size_t seen_ = 0;
};

}  // namespace

Result<ClientMode> parse_client_mode(std::string_view text) {
  if (const std::optional<ClientMode> mode = base::value_named(kClientModes, text)) {
    return *mode;
  }
  return make_error(
      base::Errc::invalid_value,
      "unknown client mode '" + std::string(text) +
          "': use openpgp (RFC 6091, OpenPGP then X.509), x509 (TLS 1.3 with "
          "X.509) or auto (openpgp for domains the keyring knows as OpenPGP-capable)");
}

std::string_view client_mode_name(ClientMode mode) {
  return base::name_of(kClientModes, mode).value_or("auto");
}

EngineFactory make_server_engine_factory(std::shared_ptr<const EngineSettings> settings) {
  return ServerDispatch(std::move(settings));
}

KnowsOpenPgp make_knows_openpgp(std::shared_ptr<tls::OpenPgpTrust> trust,
                                std::shared_ptr<pins::PinAccess> pins) {
  return
      [trust = std::move(trust), pins = std::move(pins)](std::string_view domain) -> Result<bool> {
        if (trust) {
          PGPTLS_TRY(const bool certified, trust->domain_is_certified(domain));
          if (certified) {
            return true;
          }
        }
        if (pins) {
          // The sticky OpenPGP record: the domain authenticated with
          // OpenPGP before, so it can again.
          auto record = pins->openpgp_auth(domain);
          if (!record.ok() && record.error().code == pins::PinErrc::not_ready) {
            // A login or pin of the domain is being written (most often
            // its first OpenPGP login, as every new OpenPGP peer causes
            // one). An engine choice does not wait for the disk; the
            // trust decision of the connection does, so a wrong guess
            // costs one connection, never trust.
            return true;
          }
          PGPTLS_TRY(const auto found, std::move(record));
          if (found) {
            return true;
          }
        }
        return false;
      };
}

EngineFactory make_client_engine_factory(std::shared_ptr<const EngineSettings> settings,
                                         ClientMode mode, KnowsOpenPgp knows_openpgp) {
  // Once per client (its credentials), shared by every outbound connection
  // and every copy of the factory.
  std::shared_ptr<const tls::GnutlsContext> context =
      shared_gnutls_context(*settings, tls::Role::client);
  return [settings = std::move(settings), mode, knows_openpgp = std::move(knows_openpgp),
          context = std::move(context)](
             const EngineRequest& request) -> Result<std::unique_ptr<tls::Engine>> {
    if (request.role != tls::Role::client) {
      return make_error(tls::Errc::invalid_state,
                        "a client engine factory was asked for a server engine; use "
                        "make_server_engine_factory for servers");
    }
    ClientMode chosen = request.options.client_mode.value_or(mode);
    if (chosen == ClientMode::automatic) {
      if (!request.options.peer_domain) {
        return make_error(base::Errc::invalid_value,
                          "client mode auto decides by the peer's domain, but none was given: "
                          "name the domain to connect to, or use mode openpgp or x509");
      }
      if (!knows_openpgp) {
        return make_error(tls::Errc::invalid_state,
                          "client mode auto needs the keyring (knows_openpgp) to decide");
      }
      PGPTLS_TRY(const bool openpgp, knows_openpgp(*request.options.peer_domain));
      chosen = openpgp ? ClientMode::openpgp : ClientMode::x509;
    }
    if (chosen == ClientMode::openpgp) {
      return rfc6091_engine(*settings, request);
    }
    return gnutls_engine(*settings, request, context);
  };
}

}  // namespace pgptls::transport
