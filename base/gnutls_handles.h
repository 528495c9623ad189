// gnutls_handles.h: owning handles for GnuTLS objects, so every key and
// certificate is released (and private keys wiped by GnuTLS) on every path.
#pragma once

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include <memory>
#include <type_traits>

namespace pgptls::base {

struct PublicKeyDeleter {
  void operator()(gnutls_pubkey_t key) const noexcept { gnutls_pubkey_deinit(key); }
};
struct PrivateKeyDeleter {
  void operator()(gnutls_privkey_t key) const noexcept { gnutls_privkey_deinit(key); }
};
struct X509CertificateDeleter {
  void operator()(gnutls_x509_crt_t cert) const noexcept { gnutls_x509_crt_deinit(cert); }
};
struct X509PrivateKeyDeleter {
  void operator()(gnutls_x509_privkey_t key) const noexcept { gnutls_x509_privkey_deinit(key); }
};

// PublicKeyHandle: an owned gnutls_pubkey_t (verifying keys).
using PublicKeyHandle = std::unique_ptr<std::remove_pointer_t<gnutls_pubkey_t>, PublicKeyDeleter>;
// PrivateKeyHandle: an owned gnutls_privkey_t (signing keys).
using PrivateKeyHandle =
    std::unique_ptr<std::remove_pointer_t<gnutls_privkey_t>, PrivateKeyDeleter>;
// X509CertificateHandle: an owned gnutls_x509_crt_t.
using X509CertificateHandle =
    std::unique_ptr<std::remove_pointer_t<gnutls_x509_crt_t>, X509CertificateDeleter>;
// X509PrivateKeyHandle: an owned gnutls_x509_privkey_t.
using X509PrivateKeyHandle =
    std::unique_ptr<std::remove_pointer_t<gnutls_x509_privkey_t>, X509PrivateKeyDeleter>;

// SharedPrivateKey: a signing key shared by many connections.
using SharedPrivateKey = std::shared_ptr<std::remove_pointer_t<gnutls_privkey_t>>;

// share: turns an owned private key into a shared one.
inline SharedPrivateKey share(PrivateKeyHandle key) {
  return SharedPrivateKey(key.release(), PrivateKeyDeleter{});
}

}  // namespace pgptls::base
