// x509_credentials.h: loading the local side's X.509 chain and private key,
// or a raw public key (RFC 7250), from PEM/DER bytes or files.
//
// Usage:
//   PGPTLS_TRY(auto x509, tls::load_x509_credential_files("chain.pem", "key.pem"));
//   credentials.x509 = std::move(x509);
#pragma once

#include <filesystem>

#include "base/bytes.h"
#include "base/result.h"
#include "tls/engine/credentials.h"

namespace pgptls::tls {

// Caps on what a credential file may hold (a chain of a few certificates).
inline constexpr std::size_t kMaxCredentialFileSize = std::size_t{1} << 20;
inline constexpr std::size_t kMaxChainLength = 16;

// load_private_key: a private key in PEM (PKCS#1, PKCS#8 unencrypted, SEC1)
// or DER. Fails with Errc::bad_credential naming GnuTLS's reason.
[[nodiscard]] Result<base::PrivateKeyHandle> load_private_key(ByteView key_bytes);

// load_x509_chain: the certificates of a PEM bundle (leaf first) or a single
// DER certificate, as DER. Fails with Errc::bad_credential when nothing
// parses or the chain exceeds kMaxChainLength.
[[nodiscard]] Result<std::vector<Bytes>> load_x509_chain(ByteView chain_bytes);

// load_x509_credential: a chain (PEM or DER, leaf first) and the leaf's
// private key. Fails with Errc::bad_credential when either does not parse or
// the key does not belong to the leaf certificate.
[[nodiscard]] Result<X509Credential> load_x509_credential(ByteView chain_bytes, ByteView key_bytes);

// load_x509_credential_files: as load_x509_credential, reading two files
// (base::Errc::io_error when a file cannot be read).
[[nodiscard]] Result<X509Credential> load_x509_credential_files(
    const std::filesystem::path& chain_file, const std::filesystem::path& key_file);

// load_raw_public_key_credential: a raw public key credential from a private
// key (PEM or DER); the SubjectPublicKeyInfo is derived from it.
[[nodiscard]] Result<RawPublicKeyCredential> load_raw_public_key_credential(ByteView key_bytes);

// load_raw_public_key_credential_file: as above, from a file.
[[nodiscard]] Result<RawPublicKeyCredential> load_raw_public_key_credential_file(
    const std::filesystem::path& key_file);

}  // namespace pgptls::tls
