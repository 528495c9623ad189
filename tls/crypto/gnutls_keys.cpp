#include "tls/crypto/gnutls_keys.h"

#include <string>

#include "base/gnutls_datum.h"
#include "base/secret.h"
#include "tls/wire/errors.h"

namespace pgptls::tls {

gnutls_datum_t gnutls_datum_of(ByteView bytes) {
  return base::datum_of(bytes);
}

Result<base::PublicKeyHandle> new_public_key() {
  gnutls_pubkey_t raw = nullptr;
  if (gnutls_pubkey_init(&raw) < 0) {
    return make_error(Errc::internal_error, "gnutls_pubkey_init failed");
  }
  return base::PublicKeyHandle(raw);
}

Result<base::PublicKeyHandle> public_key_of_private(gnutls_privkey_t key) {
  PGPTLS_TRY(base::PublicKeyHandle public_key, new_public_key());
  const int rc = gnutls_pubkey_import_privkey(public_key.get(), key, 0, 0);
  if (rc < 0) {
    return make_error(Errc::bad_credential,
                      std::string("cannot derive the public key of the private key: ") +
                          gnutls_strerror(rc) + "; check the key file");
  }
  return public_key;
}

Result<base::X509CertificateHandle> x509_certificate_from_der(ByteView der) {
  gnutls_x509_crt_t raw = nullptr;
  if (gnutls_x509_crt_init(&raw) < 0) {
    return make_error(Errc::internal_error, "gnutls_x509_crt_init failed");
  }
  base::X509CertificateHandle crt(raw);
  const gnutls_datum_t datum = gnutls_datum_of(der);
  const int rc = gnutls_x509_crt_import(crt.get(), &datum, GNUTLS_X509_FMT_DER);
  if (rc < 0) {
    return make_error(Errc::bad_certificate,
                      std::string("X.509 certificate does not parse: ") + gnutls_strerror(rc));
  }
  return crt;
}

Result<base::PublicKeyHandle> public_key_from_spki(ByteView spki_der) {
  PGPTLS_TRY(base::PublicKeyHandle key, new_public_key());
  const gnutls_datum_t datum = gnutls_datum_of(spki_der);
  const int rc = gnutls_pubkey_import(key.get(), &datum, GNUTLS_X509_FMT_DER);
  if (rc < 0) {
    return make_error(
        Errc::bad_certificate,
        std::string("public key (SubjectPublicKeyInfo) does not parse: ") + gnutls_strerror(rc));
  }
  return key;
}

Result<base::PublicKeyHandle> public_key_from_x509(ByteView certificate_der) {
  PGPTLS_TRY(base::PublicKeyHandle key, new_public_key());
  const gnutls_datum_t datum = gnutls_datum_of(certificate_der);
  const int rc = gnutls_pubkey_import_x509_raw(key.get(), &datum, GNUTLS_X509_FMT_DER, 0);
  if (rc < 0) {
    return make_error(Errc::bad_certificate,
                      std::string("X.509 certificate does not parse: ") + gnutls_strerror(rc));
  }
  return key;
}

Result<Bytes> spki_of(gnutls_pubkey_t key) {
  base::OwnedDatum out;
  const int rc = gnutls_pubkey_export2(key, GNUTLS_X509_FMT_DER, &out.datum);
  if (rc < 0) {
    return make_error(Errc::internal_error,
                      std::string("cannot export a public key: ") + gnutls_strerror(rc));
  }
  return out.bytes();
}

Result<Bytes> spki_of_x509(ByteView certificate_der) {
  PGPTLS_TRY(const auto key, public_key_from_x509(certificate_der));
  return spki_of(key.get());
}

Result<bool> same_public_key(gnutls_pubkey_t a, gnutls_pubkey_t b) {
  PGPTLS_TRY(const Bytes spki_a, spki_of(a));
  PGPTLS_TRY(const Bytes spki_b, spki_of(b));
  return spki_a == spki_b;
}

}  // namespace pgptls::tls
