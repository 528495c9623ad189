#include "tls/gnutls/x509_credentials.h"

#include <string>
#include <string_view>

#include "base/file.h"
#include "tls/crypto/gnutls_keys.h"
#include "tls/wire/errors.h"

namespace pgptls::tls {
namespace {

bool looks_like_pem(ByteView bytes) {
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  return text.find("-----BEGIN ") != std::string_view::npos;
}

Error credential_error(std::string_view what, int rc, std::string_view fix) {
  return make_error(Errc::bad_credential,
                    std::string(what) + ": " + gnutls_strerror(rc) + "; " + std::string(fix));
}

}  // namespace

Result<base::PrivateKeyHandle> load_private_key(ByteView key_bytes) {
  if (key_bytes.empty() || key_bytes.size() > kMaxCredentialFileSize) {
    return make_error(Errc::bad_credential,
                      "private key is empty or larger than 1 MiB; give a PEM or DER key file");
  }
  gnutls_privkey_t raw = nullptr;
  if (gnutls_privkey_init(&raw) < 0) {
    return make_error(Errc::internal_error, "gnutls_privkey_init failed");
  }
  base::PrivateKeyHandle key(raw);
  const gnutls_datum_t datum = gnutls_datum_of(key_bytes);
  const gnutls_x509_crt_fmt_t format =
      looks_like_pem(key_bytes) ? GNUTLS_X509_FMT_PEM : GNUTLS_X509_FMT_DER;
  const int rc = gnutls_privkey_import_x509_raw(key.get(), &datum, format, nullptr, 0);
  if (rc < 0) {
    return credential_error("private key does not load", rc,
                            "give an unencrypted PEM or DER private key (e.g. made by certtool "
                            "--generate-privkey)");
  }
  return key;
}

Result<std::vector<Bytes>> load_x509_chain(ByteView chain_bytes) {
  if (chain_bytes.empty() || chain_bytes.size() > kMaxCredentialFileSize) {
    return make_error(Errc::bad_credential,
                      "certificate chain is empty or larger than 1 MiB; give a PEM or DER file");
  }
  gnutls_x509_crt_t* list = nullptr;
  unsigned int count = 0;
  const gnutls_datum_t datum = gnutls_datum_of(chain_bytes);
  const gnutls_x509_crt_fmt_t format =
      looks_like_pem(chain_bytes) ? GNUTLS_X509_FMT_PEM : GNUTLS_X509_FMT_DER;
  const int rc = gnutls_x509_crt_list_import2(&list, &count, &datum, format, 0);
  if (rc < 0) {
    return credential_error("X.509 certificate chain does not load", rc,
                            "give PEM certificates (leaf first) or one DER certificate");
  }
  std::vector<base::X509CertificateHandle> owned;
  owned.reserve(count);
  for (unsigned int i = 0; i < count; ++i) {
    owned.emplace_back(list[i]);
  }
  gnutls_free(list);
  if (owned.empty() || owned.size() > kMaxChainLength) {
    return make_error(Errc::bad_credential, "X.509 certificate chain holds " +
                                                std::to_string(owned.size()) +
                                                " certificates; give between 1 and 16, leaf first");
  }
  std::vector<Bytes> chain;
  for (const auto& cert : owned) {
    gnutls_datum_t der{nullptr, 0};
    const int export_rc = gnutls_x509_crt_export2(cert.get(), GNUTLS_X509_FMT_DER, &der);
    if (export_rc < 0) {
      return credential_error("X.509 certificate cannot be exported", export_rc,
                              "check the certificate file");
    }
    chain.emplace_back(der.data, der.data + der.size);
    gnutls_free(der.data);
  }
  return chain;
}

Result<X509Credential> load_x509_credential(ByteView chain_bytes, ByteView key_bytes) {
  PGPTLS_TRY(std::vector<Bytes> chain, load_x509_chain(chain_bytes));
  PGPTLS_TRY(base::PrivateKeyHandle key, load_private_key(key_bytes));

  // The key must belong to the leaf, or every handshake would fail later
  // with a signature error that is much harder to understand.
  PGPTLS_TRY(const auto leaf_key, public_key_from_x509(chain.front()));
  PGPTLS_TRY(const auto derived, public_key_of_private(key.get()));
  PGPTLS_TRY(const bool same, same_public_key(leaf_key.get(), derived.get()));
  if (!same) {
    return make_error(Errc::bad_credential,
                      "the private key does not belong to the first certificate of the chain; "
                      "give the key of the leaf certificate, and put the leaf first");
  }
  return X509Credential{std::move(chain), base::share(std::move(key))};
}

Result<X509Credential> load_x509_credential_files(const std::filesystem::path& chain_file,
                                                  const std::filesystem::path& key_file) {
  PGPTLS_TRY(const Bytes chain, base::read_file(chain_file, kMaxCredentialFileSize));
  PGPTLS_TRY(const Bytes key, base::read_file(key_file, kMaxCredentialFileSize));
  auto credential = load_x509_credential(chain, key);
  if (!credential.ok()) {
    return std::move(credential).error().wrap(chain_file.string() + " / " + key_file.string());
  }
  return credential;
}

Result<RawPublicKeyCredential> load_raw_public_key_credential(ByteView key_bytes) {
  PGPTLS_TRY(base::PrivateKeyHandle key, load_private_key(key_bytes));
  PGPTLS_TRY(const auto derived, public_key_of_private(key.get()));
  PGPTLS_TRY(Bytes spki, spki_of(derived.get()));
  return RawPublicKeyCredential{std::move(spki), base::share(std::move(key))};
}

Result<RawPublicKeyCredential> load_raw_public_key_credential_file(
    const std::filesystem::path& key_file) {
  PGPTLS_TRY(const Bytes key, base::read_file(key_file, kMaxCredentialFileSize));
  auto credential = load_raw_public_key_credential(key);
  if (!credential.ok()) {
    return std::move(credential).error().wrap(key_file.string());
  }
  return credential;
}

}  // namespace pgptls::tls
