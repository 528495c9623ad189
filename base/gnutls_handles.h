// gnutls_handles.h: owning handles for GnuTLS objects, so every key and
// certificate is released (and private keys wiped by GnuTLS) on every path.
#pragma once

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

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

struct SessionDeleter {
  void operator()(gnutls_session_t session) const noexcept { gnutls_deinit(session); }
};
struct CertificateCredentialsDeleter {
  void operator()(gnutls_certificate_credentials_t credentials) const noexcept {
    gnutls_certificate_free_credentials(credentials);
  }
};
struct PriorityDeleter {
  void operator()(gnutls_priority_t priority) const noexcept { gnutls_priority_deinit(priority); }
};

// SessionHandle: an owned gnutls_session_t.
using SessionHandle = std::unique_ptr<std::remove_pointer_t<gnutls_session_t>, SessionDeleter>;
// CertificateCredentialsHandle: an owned gnutls_certificate_credentials_t.
using CertificateCredentialsHandle =
    std::unique_ptr<std::remove_pointer_t<gnutls_certificate_credentials_t>,
                    CertificateCredentialsDeleter>;
// PriorityHandle: an owned priority cache (gnutls_priority_init).
using PriorityHandle = std::unique_ptr<std::remove_pointer_t<gnutls_priority_t>, PriorityDeleter>;

// PcertList: owned gnutls_pcert_st entries, contiguous as GnuTLS's
// certificate retrieve callback hands them over (a chain, leaf first).
class PcertList {
 public:
  PcertList() = default;
  PcertList(const PcertList&) = delete;
  PcertList& operator=(const PcertList&) = delete;
  PcertList(PcertList&& other) noexcept : entries_(std::move(other.entries_)) {
    other.entries_.clear();
  }
  PcertList& operator=(PcertList&&) = delete;
  ~PcertList() {
    for (gnutls_pcert_st& entry : entries_) {
      gnutls_pcert_deinit(&entry);
    }
  }
  // adopt: takes ownership of an imported entry.
  void adopt(const gnutls_pcert_st& entry) { entries_.push_back(entry); }
  void reserve(std::size_t count) { entries_.reserve(count); }
  // data: GnuTLS's callback takes the entries non-const, and only reads them.
  [[nodiscard]] gnutls_pcert_st* data() const {
    return const_cast<gnutls_pcert_st*>(entries_.data());
  }
  [[nodiscard]] std::size_t size() const { return entries_.size(); }
  [[nodiscard]] bool empty() const { return entries_.empty(); }

 private:
  std::vector<gnutls_pcert_st> entries_;
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
