#include "tests/tls/crypto_gnutls_pair.h"

#include <gnutls/x509.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "base/gnutls_handles.h"
#include "tls/wire/cipher_suite.h"
#include "tls/wire/errors.h"

namespace pgptls::tls::test {
namespace {

Error gnutls_failure(const std::string& what, int rc) {
  return make_error(Errc::internal_error, what + ": " + gnutls_strerror(rc));
}

// priority_for: a TLS 1.2-only priority string that allows just one suite.
Result<std::string> priority_for(std::uint16_t id) {
  const CipherSuite* suite = find_cipher_suite(id);
  if (suite == nullptr) {
    return make_error(Errc::handshake_failure, "not a pgptls cipher suite");
  }
  std::string cipher;
  switch (suite->aead) {
    case AeadAlgorithm::aes_128_gcm:
      cipher = "AES-128-GCM";
      break;
    case AeadAlgorithm::aes_256_gcm:
      cipher = "AES-256-GCM";
      break;
    case AeadAlgorithm::chacha20_poly1305:
      cipher = "CHACHA20-POLY1305";
      break;
  }
  const std::string kx = suite->auth == AuthAlgorithm::rsa ? "ECDHE-RSA" : "ECDHE-ECDSA";
  return "NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+" + cipher + ":-KX-ALL:+" + kx;
}

// self_signed: a throwaway server certificate made with GnuTLS's X.509 API.
Status make_credentials(AuthAlgorithm auth, gnutls_certificate_credentials_t credentials) {
  gnutls_x509_privkey_t raw_key = nullptr;
  gnutls_x509_crt_t raw_crt = nullptr;
  int rc = gnutls_x509_privkey_init(&raw_key);
  if (rc < 0) {
    return gnutls_failure("key init", rc);
  }
  const base::X509PrivateKeyHandle key(raw_key);
  rc = auth == AuthAlgorithm::rsa
           ? gnutls_x509_privkey_generate(raw_key, GNUTLS_PK_RSA, 2048, 0)
           : gnutls_x509_privkey_generate(raw_key, GNUTLS_PK_ECDSA,
                                          GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0);
  if (rc < 0) {
    return gnutls_failure("key generation", rc);
  }
  rc = gnutls_x509_crt_init(&raw_crt);
  if (rc < 0) {
    return gnutls_failure("certificate init", rc);
  }
  const base::X509CertificateHandle crt(raw_crt);
  const unsigned char serial[1] = {1};
  const std::time_t now = std::time(nullptr);
  if ((rc = gnutls_x509_crt_set_version(raw_crt, 3)) < 0 ||
      (rc = gnutls_x509_crt_set_serial(raw_crt, serial, sizeof serial)) < 0 ||
      (rc = gnutls_x509_crt_set_activation_time(raw_crt, now - 3600)) < 0 ||
      (rc = gnutls_x509_crt_set_expiration_time(raw_crt, now + 86400)) < 0 ||
      (rc = gnutls_x509_crt_set_dn(raw_crt, "CN=pair.example", nullptr)) < 0 ||
      (rc = gnutls_x509_crt_set_key(raw_crt, raw_key)) < 0 ||
      (rc = gnutls_x509_crt_sign2(raw_crt, raw_crt, raw_key, GNUTLS_DIG_SHA256, 0)) < 0) {
    return gnutls_failure("self-signed certificate", rc);
  }
  gnutls_x509_crt_t chain[1] = {raw_crt};
  rc = gnutls_certificate_set_x509_key(credentials, chain, 1, raw_key);
  if (rc < 0) {
    return gnutls_failure("server credentials", rc);
  }
  return {};
}

}  // namespace

ssize_t GnutlsPair::push(gnutls_transport_ptr_t queue, const void* data, std::size_t size) {
  auto* q = static_cast<Queue*>(queue);
  const auto* bytes = static_cast<const std::uint8_t*>(data);
  q->bytes.insert(q->bytes.end(), bytes, bytes + size);
  return static_cast<ssize_t>(size);
}

ssize_t GnutlsPair::pull(gnutls_transport_ptr_t queue, void* data, std::size_t size) {
  auto* q = static_cast<Queue*>(queue);
  const std::size_t available = q->bytes.size() - q->start;
  if (available == 0) {
    errno = EAGAIN;
    return -1;
  }
  const std::size_t take = std::min(size, available);
  std::memcpy(data, q->bytes.data() + q->start, take);
  q->start += take;
  if (q->start == q->bytes.size()) {
    q->bytes.clear();
    q->start = 0;
  }
  return static_cast<ssize_t>(take);
}

int GnutlsPair::pull_timeout(gnutls_transport_ptr_t queue, unsigned int /*ms*/) {
  auto* q = static_cast<Queue*>(queue);
  return q->bytes.size() > q->start ? 1 : 0;
}

Result<std::unique_ptr<GnutlsPair>> GnutlsPair::connect(std::uint16_t suite_id) {
  PGPTLS_TRY(const std::string priority, priority_for(suite_id));
  std::unique_ptr<GnutlsPair> pair(new GnutlsPair());
  int rc = gnutls_certificate_allocate_credentials(&pair->server_credentials_);
  if (rc < 0 || (rc = gnutls_certificate_allocate_credentials(&pair->client_credentials_)) < 0) {
    return gnutls_failure("credentials", rc);
  }
  PGPTLS_CHECK(make_credentials(find_cipher_suite(suite_id)->auth, pair->server_credentials_));
  if ((rc = gnutls_init(&pair->client_, GNUTLS_CLIENT | GNUTLS_NONBLOCK | GNUTLS_NO_TICKETS)) < 0 ||
      (rc = gnutls_init(&pair->server_, GNUTLS_SERVER | GNUTLS_NONBLOCK | GNUTLS_NO_TICKETS)) < 0) {
    return gnutls_failure("session init", rc);
  }
  struct Side {
    gnutls_session_t session;
    gnutls_certificate_credentials_t credentials;
    Queue* inbound;
    Queue* outbound;
  };
  for (const Side& side :
       {Side{pair->client_, pair->client_credentials_, &pair->to_client_, &pair->to_server_},
        Side{pair->server_, pair->server_credentials_, &pair->to_server_, &pair->to_client_}}) {
    if ((rc = gnutls_priority_set_direct(side.session, priority.c_str(), nullptr)) < 0 ||
        (rc = gnutls_credentials_set(side.session, GNUTLS_CRD_CERTIFICATE, side.credentials)) < 0) {
      return gnutls_failure("session setup (" + priority + ")", rc);
    }
    gnutls_transport_set_push_function(side.session, push);
    gnutls_transport_set_pull_function(side.session, pull);
    gnutls_transport_set_pull_timeout_function(side.session, pull_timeout);
    gnutls_transport_set_ptr2(side.session, side.inbound, side.outbound);
  }
  // Drive both handshakes until both are done; each round moves at least one
  // flight, so a handful of rounds suffice.
  bool client_done = false;
  bool server_done = false;
  for (int round = 0; round < 20 && !(client_done && server_done); ++round) {
    for (auto [session, done] :
         {std::pair{pair->client_, &client_done}, std::pair{pair->server_, &server_done}}) {
      if (*done) {
        continue;
      }
      rc = gnutls_handshake(session);
      if (rc == GNUTLS_E_SUCCESS) {
        *done = true;
      } else if (rc != GNUTLS_E_AGAIN && rc != GNUTLS_E_INTERRUPTED) {
        return gnutls_failure("GnuTLS handshake", rc);
      }
    }
  }
  if (!(client_done && server_done)) {
    return make_error(Errc::timeout, "GnuTLS handshake over memory did not finish");
  }
  return pair;
}

GnutlsPair::~GnutlsPair() {
  if (client_ != nullptr) {
    gnutls_deinit(client_);
  }
  if (server_ != nullptr) {
    gnutls_deinit(server_);
  }
  if (client_credentials_ != nullptr) {
    gnutls_certificate_free_credentials(client_credentials_);
  }
  if (server_credentials_ != nullptr) {
    gnutls_certificate_free_credentials(server_credentials_);
  }
}

Bytes GnutlsPair::client_random() const {
  gnutls_datum_t client{};
  gnutls_datum_t server{};
  gnutls_session_get_random(client_, &client, &server);
  return Bytes(client.data, client.data + client.size);
}

Bytes GnutlsPair::server_random() const {
  gnutls_datum_t client{};
  gnutls_datum_t server{};
  gnutls_session_get_random(client_, &client, &server);
  return Bytes(server.data, server.data + server.size);
}

Bytes GnutlsPair::master_secret() const {
  gnutls_datum_t secret{};
  gnutls_session_get_master_secret(client_, &secret);
  return Bytes(secret.data, secret.data + secret.size);
}

}  // namespace pgptls::tls::test
