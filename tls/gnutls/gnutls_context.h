// gnutls_context.h: what every GnuTLS session of one server (or client)
// shares, built once: the priority cache, the certificate credentials with
// our X.509 chain and raw public key imported, and the session flags. The
// per-connection part is the engine (gnutls_engine.h), as Asio splits
// ssl::context from ssl::detail::engine. Immutable once made, so sessions on
// several threads may share it (GnuTLS reads credentials and priority
// caches without changing them).
//
// Usage:
//   PGPTLS_TRY(auto context, tls::make_gnutls_context(config));  // once
//   config.context = context;                                    // per connection
//   PGPTLS_TRY(auto engine, tls::make_gnutls_engine(config));
#pragma once

#include <memory>

#include "base/gnutls_handles.h"
#include "base/result.h"
#include "tls/gnutls/gnutls_engine.h"

namespace pgptls::tls {

// GnutlsContext: implemented in gnutls_engine.cpp, beside the engine that
// uses it.
class GnutlsContext {
 public:
  // The config's role, credentials, certificate types, versions and
  // client_auth (its per-connection fields are not used).
  explicit GnutlsContext(const GnutlsEngineConfig& config) : config_(config) {}

  [[nodiscard]] const GnutlsEngineConfig& config() const { return config_; }
  [[nodiscard]] unsigned int session_flags() const { return session_flags_; }
  [[nodiscard]] gnutls_priority_t priority() const { return priority_.get(); }
  [[nodiscard]] gnutls_certificate_credentials_t credentials() const { return credentials_.get(); }
  // own_certificate: our chain and key for a certificate type GnuTLS chose
  // (none: empty chain, null key).
  void own_certificate(gnutls_certificate_type_t type, gnutls_pcert_st** pcerts,
                       unsigned int* count, gnutls_privkey_t* key) const;

 private:
  friend Result<std::shared_ptr<const GnutlsContext>> make_gnutls_context(
      const GnutlsEngineConfig& config);
  [[nodiscard]] Status init();
  [[nodiscard]] Status load_certificates();

  GnutlsEngineConfig config_;  // shared fields only; per-connection ones cleared
  unsigned int session_flags_ = 0;
  base::PriorityHandle priority_;
  base::CertificateCredentialsHandle credentials_;
  base::PcertList x509_chain_;
  base::PcertList raw_public_key_;
};

// make_gnutls_context: checks the configuration as make_gnutls_engine does
// (Errc::invalid_state for an inconsistent one), builds the priority cache
// (Errc::internal_error if GnuTLS refuses it) and imports our certificates
// (Errc::bad_credential).
[[nodiscard]] Result<std::shared_ptr<const GnutlsContext>> make_gnutls_context(
    const GnutlsEngineConfig& config);

// context_of: the context a GnuTLS engine's session uses; null for any
// other engine (so a caller can see that two connections share one).
[[nodiscard]] const GnutlsContext* context_of(const Engine& engine);

}  // namespace pgptls::tls
