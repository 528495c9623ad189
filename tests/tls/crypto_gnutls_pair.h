// crypto_gnutls_pair.h: a GnuTLS 3.7 client and server connected over memory
// in one thread, TLS 1.2 with one forced cipher suite. Tests use it to check
// pgptls's record protection against GnuTLS's byte for byte; the record
// benchmark uses it as the reference. Needs no test framework.
#pragma once

#include <gnutls/gnutls.h>

#include <cstdint>
#include <memory>
#include <string>

#include "base/bytes.h"
#include "base/result.h"

namespace pgptls::tls::test {

// GnutlsPair: both ends of one connection. Bytes each side sends land in the
// other's inbound buffer; the pull functions answer EAGAIN when it is empty.
class GnutlsPair {
 public:
  // connect: makes a self-signed server certificate (ECDSA P-256 for the
  // ECDSA suites, RSA-2048 for the RSA suites) and completes a TLS 1.2
  // handshake that can only pick `suite` (an IANA number of tls/cipher_suite.h).
  // Fails with a GnuTLS message on any error.
  [[nodiscard]] static Result<std::unique_ptr<GnutlsPair>> connect(std::uint16_t suite);
  ~GnutlsPair();
  GnutlsPair(const GnutlsPair&) = delete;
  GnutlsPair& operator=(const GnutlsPair&) = delete;

  [[nodiscard]] gnutls_session_t client() const { return client_; }
  [[nodiscard]] gnutls_session_t server() const { return server_; }

  // client_random / server_random / master_secret: of the finished handshake.
  [[nodiscard]] Bytes client_random() const;
  [[nodiscard]] Bytes server_random() const;
  [[nodiscard]] Bytes master_secret() const;

  // to_server / to_client: bytes in flight towards that side (what the other
  // side sent and the receiver has not pulled yet). Tests read and replace
  // them to inspect and inject records.
  Bytes& to_server() { return to_server_.bytes; }
  Bytes& to_client() { return to_client_.bytes; }

 private:
  struct Queue {
    Bytes bytes;
    std::size_t start = 0;
  };
  GnutlsPair() = default;
  static ssize_t push(gnutls_transport_ptr_t queue, const void* data, std::size_t size);
  static ssize_t pull(gnutls_transport_ptr_t queue, void* data, std::size_t size);
  static int pull_timeout(gnutls_transport_ptr_t queue, unsigned int ms);

  gnutls_certificate_credentials_t server_credentials_ = nullptr;
  gnutls_certificate_credentials_t client_credentials_ = nullptr;
  gnutls_session_t client_ = nullptr;
  gnutls_session_t server_ = nullptr;
  Queue to_server_;
  Queue to_client_;
};

}  // namespace pgptls::tls::test
