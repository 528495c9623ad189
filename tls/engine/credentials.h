// credentials.h: the local side's own certificates and signing keys.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "base/bytes.h"
#include "base/gnutls_handles.h"

namespace pgptls::tls {

// OpenPgpCredential: an OpenPGP certificate and the secret key of the
// component key (primary or subkey) that signs in the handshake.
struct OpenPgpCredential {
  // The binary transferable public key sent in subkey_cert (RFC 6091 §3.3).
  Bytes transferable_key;
  // Key ID (8 bytes for v4) of the signing component key.
  Bytes key_id;
  // Fingerprint (20 bytes for v4) of the certificate, sent instead of the
  // key when send_fingerprint_only is set (subkey_cert_fingerprint).
  Bytes fingerprint;
  bool send_fingerprint_only = false;
  // The signing key; shared so one credential serves many connections.
  base::SharedPrivateKey signer;
};

// X509Credential: an X.509 chain (DER, leaf first) and the leaf's key.
struct X509Credential {
  std::vector<Bytes> chain;
  base::SharedPrivateKey signer;
};

// RawPublicKeyCredential: a bare public key (RFC 7250) and its private key.
struct RawPublicKeyCredential {
  Bytes subject_public_key_info;  // DER
  base::SharedPrivateKey signer;
};

// Credentials: everything the local side can present. A client offers the
// certificate types it has a credential for; a server picks among them.
struct Credentials {
  std::optional<OpenPgpCredential> openpgp;
  std::optional<X509Credential> x509;
  std::optional<RawPublicKeyCredential> raw_public_key;
};

// ClientAuth: whether a server asks the client for a certificate.
enum class ClientAuth : std::uint8_t { none, request, require };

}  // namespace pgptls::tls
