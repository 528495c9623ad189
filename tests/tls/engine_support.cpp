#include "tests/tls/engine_support.h"

#include <gnutls/crypto.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "base/encoding.h"
#include "tests/support/process.h"
#include "tls/wire/errors.h"

namespace pgptls::tls::test {

namespace {

std::vector<std::string> key_arguments(KeyKind kind) {
  switch (kind) {
    case KeyKind::ed25519:
      return {"--key-type", "ed25519"};
    case KeyKind::ecdsa_p256:
      return {"--key-type", "ecdsa", "--curve", "secp256r1"};
    case KeyKind::ecdsa_p384:
      return {"--key-type", "ecdsa", "--curve", "secp384r1"};
    case KeyKind::rsa2048:
      return {"--key-type", "rsa", "--bits", "2048"};
    case KeyKind::rsa_pss2048:
      return {"--key-type", "rsa-pss", "--bits", "2048"};
  }
  return {};
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void run_checked(const std::vector<std::string>& argv) {
  const auto result = pgptls::test::run_tool(argv);
  if (!result.ok()) {
    throw std::runtime_error(argv.front() + " failed: " + result.describe());
  }
}

base::PublicKeyHandle public_key_of_certificate(ByteView der) {
  gnutls_x509_crt_t raw = nullptr;
  if (gnutls_x509_crt_init(&raw) < 0) {
    return nullptr;
  }
  base::X509CertificateHandle certificate(raw);
  gnutls_datum_t datum{const_cast<unsigned char*>(der.data()), static_cast<unsigned>(der.size())};
  if (gnutls_x509_crt_import(certificate.get(), &datum, GNUTLS_X509_FMT_DER) < 0) {
    return nullptr;
  }
  gnutls_pubkey_t key = nullptr;
  if (gnutls_pubkey_init(&key) < 0) {
    return nullptr;
  }
  base::PublicKeyHandle handle(key);
  if (gnutls_pubkey_import_x509(handle.get(), certificate.get(), 0) < 0) {
    return nullptr;
  }
  return handle;
}

}  // namespace

X509Identity make_x509_identity(const pgptls::test::TempDir& dir, KeyKind kind,
                                const std::string& domain) {
  const auto key_file = dir.file(domain + ".key.pem");
  const auto template_file = dir.file(domain + ".tmpl");
  const auto cert_file = dir.file(domain + ".crt.der");
  std::vector<std::string> generate{"certtool", "--generate-privkey", "--outfile",
                                    key_file.string()};
  for (const auto& argument : key_arguments(kind)) {
    generate.push_back(argument);
  }
  run_checked(generate);
  {
    std::ofstream out(template_file);
    out << "cn = " << domain << "\ndns_name = " << domain
        << "\nexpiration_days = 365\nsigning_key\ntls_www_server\ntls_www_client\n";
  }
  run_checked({"certtool", "--generate-self-signed", "--load-privkey", key_file.string(),
               "--template", template_file.string(), "--outder", "--outfile", cert_file.string()});

  X509Identity identity;
  identity.domain = domain;
  const std::string der = read_text(cert_file);
  identity.certificate_der.assign(der.begin(), der.end());
  const std::string pem = read_text(key_file);
  gnutls_privkey_t raw = nullptr;
  if (gnutls_privkey_init(&raw) < 0) {
    throw std::runtime_error("gnutls_privkey_init failed");
  }
  base::PrivateKeyHandle key(raw);
  gnutls_datum_t datum{reinterpret_cast<unsigned char*>(const_cast<char*>(pem.data())),
                       static_cast<unsigned>(pem.size())};
  if (gnutls_privkey_import_x509_raw(key.get(), &datum, GNUTLS_X509_FMT_PEM, nullptr, 0) < 0) {
    throw std::runtime_error("cannot load the certtool key " + key_file.string());
  }
  identity.key = base::share(std::move(key));
  identity.spki_sha256 = spki_sha256_of_certificate(identity.certificate_der);
  identity.key_pem = key_file;
  identity.certificate_pem = dir.file(domain + ".crt.pem");
  {
    // RFC 7468 §2: base64 lines of 64 characters between the labels.
    const std::string base64 = base::base64_encode(identity.certificate_der);
    std::ofstream out(identity.certificate_pem);
    out << "-----BEGIN CERTIFICATE-----\n";
    for (std::size_t offset = 0; offset < base64.size(); offset += 64) {
      out << base64.substr(offset, 64) << "\n";
    }
    out << "-----END CERTIFICATE-----\n";
  }
  return identity;
}

Bytes spki_sha256_of_certificate(ByteView der) {
  auto key = public_key_of_certificate(der);
  if (!key) {
    return {};
  }
  gnutls_datum_t spki{nullptr, 0};
  if (gnutls_pubkey_export2(key.get(), GNUTLS_X509_FMT_DER, &spki) < 0) {
    return {};
  }
  Bytes digest(32);
  const int rc = gnutls_hash_fast(GNUTLS_DIG_SHA256, spki.data, spki.size, digest.data());
  gnutls_free(spki.data);
  return rc < 0 ? Bytes{} : digest;
}

Result<VerifiedPeer> SpkiVerifier::verify(const PresentedCertificate& certificate,
                                          const VerifyRequest& request) {
  ++calls;
  if (certificate.type != CertificateType::x509 || certificate.x509_chain.empty()) {
    return make_error(Errc::peer_rejected, "test verifier: only X.509 chains are trusted");
  }
  const Bytes spki = spki_sha256_of_certificate(certificate.x509_chain.front());
  const auto trusted = std::find_if(trusted_.begin(), trusted_.end(),
                                    [&](const auto& entry) { return entry.first == spki; });
  if (spki.empty() || trusted == trusted_.end() ||
      (request.expected_domain.has_value() && *request.expected_domain != trusted->second)) {
    return make_error(Errc::peer_rejected, "certificate sha256/" + base::base64_encode(spki) +
                                               " is not pinned for " +
                                               request.expected_domain.value_or("any domain") +
                                               "; pin it with `pgptls pin add`");
  }
  VerifiedPeer peer;
  peer.type = CertificateType::x509;
  peer.domains = {trusted->second};
  peer.accepted_by = "pin sha256/" + base::base64_encode(spki);
  peer.signing_key = public_key_of_certificate(certificate.x509_chain.front());
  return peer;
}

}  // namespace pgptls::tls::test
