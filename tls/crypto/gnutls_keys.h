// gnutls_keys.h: small conversions between DER/PEM key material and GnuTLS
// key objects, shared by the credential loaders, the GnuTLS engine and the
// trust verifier.
#pragma once

#include "base/bytes.h"
#include "base/gnutls_handles.h"
#include "base/result.h"

namespace pgptls::tls {

// new_public_key: an empty gnutls_pubkey_t to import into. Fails with
// Errc::internal_error only when GnuTLS cannot allocate.
[[nodiscard]] Result<base::PublicKeyHandle> new_public_key();

// public_key_of_private: the public half of a private key (to check that a
// key belongs to a certificate, or to send it as a raw public key).
// Fails with Errc::bad_credential when GnuTLS cannot derive it.
[[nodiscard]] Result<base::PublicKeyHandle> public_key_of_private(gnutls_privkey_t key);

// x509_certificate_from_der: imports one DER X.509 certificate. Fails with
// Errc::bad_certificate when it does not parse.
[[nodiscard]] Result<base::X509CertificateHandle> x509_certificate_from_der(ByteView der);

// public_key_from_spki: imports a DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7,
// also the raw public key of RFC 7250 §3). Fails with Errc::bad_certificate.
[[nodiscard]] Result<base::PublicKeyHandle> public_key_from_spki(ByteView spki_der);

// public_key_from_x509: the subject public key of a DER X.509 certificate.
// Fails with Errc::bad_certificate when the certificate does not parse.
[[nodiscard]] Result<base::PublicKeyHandle> public_key_from_x509(ByteView certificate_der);

// spki_of: the DER SubjectPublicKeyInfo of a public key.
[[nodiscard]] Result<Bytes> spki_of(gnutls_pubkey_t key);

// spki_of_x509: the DER SubjectPublicKeyInfo of a DER X.509 certificate
// (what RFC 7469 pin-sha256 hashes).
[[nodiscard]] Result<Bytes> spki_of_x509(ByteView certificate_der);

// same_public_key: true when both keys have the same SubjectPublicKeyInfo.
// Fails only when a key cannot be exported.
[[nodiscard]] Result<bool> same_public_key(gnutls_pubkey_t a, gnutls_pubkey_t b);

// gnutls_datum_of: a non-owning gnutls_datum_t over bytes (GnuTLS only
// reads through it).
gnutls_datum_t gnutls_datum_of(ByteView bytes);

}  // namespace pgptls::tls
