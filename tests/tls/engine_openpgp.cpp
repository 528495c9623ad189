#include "tests/tls/engine_openpgp.h"

#include <gnutls/crypto.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>

#include "base/byte_reader.h"
#include "base/encoding.h"
#include "openpgp/armor.h"
#include "openpgp/cert.h"
#include "openpgp/key_material.h"
#include "tests/support/process.h"
#include "tls/wire/errors.h"

namespace pgptls::tls::test {

namespace {

using base::ByteReader;

std::string run_gpg(const pgptls::test::TempDir& home, std::vector<std::string> arguments) {
  std::vector<std::string> argv{"gpg",      "--homedir",    home.path().string(),
                                "--batch",  "--yes",        "--pinentry-mode",
                                "loopback", "--passphrase", ""};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  const auto result = pgptls::test::run_tool(argv);
  if (!result.ok()) {
    throw std::runtime_error("gpg failed: " + result.describe());
  }
  return result.out;
}

// Packet: one OpenPGP packet of an export (RFC 4880 §4.2).
struct Packet {
  int tag = 0;
  ByteView body;
};

std::vector<Packet> split_packets(ByteView data) {
  std::vector<Packet> packets;
  ByteReader reader(data);
  while (!reader.empty()) {
    const std::uint8_t header = reader.u8().value();
    Packet packet;
    std::size_t length = 0;
    if ((header & 0x40) != 0) {  // new format; gpg writes one-, two- or five-octet lengths
      packet.tag = header & 0x3F;
      const std::uint8_t first = reader.u8().value();
      if (first < 192) {
        length = first;
      } else if (first < 224) {
        length = ((first - 192) << 8) + reader.u8().value() + 192;
      } else {
        length = reader.u32().value();
      }
    } else {  // old format
      packet.tag = (header >> 2) & 0x0F;
      switch (header & 0x03) {
        case 0:
          length = reader.u8().value();
          break;
        case 1:
          length = reader.u16().value();
          break;
        default:
          length = reader.u32().value();
          break;
      }
    }
    packet.body = reader.bytes(length).value();
    packets.push_back(packet);
  }
  return packets;
}

ByteView read_mpi(ByteReader& reader) {
  const std::uint16_t bits = reader.u16().value();
  return reader.bytes((bits + 7) / 8).value();
}

Bytes left_pad(ByteView value, std::size_t size) {
  Bytes out(size > value.size() ? size - value.size() : 0, 0);
  out.insert(out.end(), value.begin(), value.end());
  return out;
}

gnutls_datum_t datum(const Bytes& bytes) {
  return {const_cast<unsigned char*>(bytes.data()), static_cast<unsigned>(bytes.size())};
}

// SecretKey: a v4 secret (sub)key packet's fingerprint and GnuTLS key.
struct SecretKey {
  Bytes fingerprint;
  base::SharedPrivateKey key;
  Bytes spki;  // from the public fields only
};

// spki_der: the DER SubjectPublicKeyInfo of a GnuTLS public key.
Bytes spki_der(gnutls_pubkey_t key) {
  gnutls_datum_t out{nullptr, 0};
  if (gnutls_pubkey_export2(key, GNUTLS_X509_FMT_DER, &out) < 0) {
    throw std::runtime_error("cannot export a public key");
  }
  Bytes der(out.data, out.data + out.size);
  gnutls_free(out.data);
  return der;
}

// check_pair: the secret key signs, and the key built from the OpenPGP
// public fields verifies it; so the TLS signer is the OpenPGP key.
void check_pair(gnutls_privkey_t secret, gnutls_pubkey_t public_key) {
  const unsigned char message[] = "pgptls key pair check";
  const gnutls_datum_t data{const_cast<unsigned char*>(message), sizeof(message)};
  const int pk = gnutls_pubkey_get_pk_algorithm(public_key, nullptr);
  const gnutls_sign_algorithm_t algorithm = pk == GNUTLS_PK_EDDSA_ED25519
                                                ? GNUTLS_SIGN_EDDSA_ED25519
                                            : pk == GNUTLS_PK_ECDSA ? GNUTLS_SIGN_ECDSA_SHA256
                                                                    : GNUTLS_SIGN_RSA_SHA256;
  gnutls_datum_t signature{nullptr, 0};
  if (gnutls_privkey_sign_data2(secret, algorithm, 0, &data, &signature) < 0) {
    throw std::runtime_error("the OpenPGP secret key cannot sign");
  }
  const int rc = gnutls_pubkey_verify_data2(public_key, algorithm, 0, &data, &signature);
  gnutls_free(signature.data);
  if (rc < 0) {
    throw std::runtime_error("the OpenPGP secret key does not match its public key");
  }
}

SecretKey read_secret_key(ByteView body) {
  ByteReader reader(body);
  if (reader.u8().value() != 4) {
    throw std::runtime_error("not a v4 key");
  }
  (void)reader.u32().value();  // creation time
  const std::uint8_t algorithm = reader.u8().value();
  Bytes n, e, point, oid;
  if (algorithm == 1) {  // RSA
    n = to_bytes(read_mpi(reader));
    e = to_bytes(read_mpi(reader));
  } else if (algorithm == 19 || algorithm == 22) {  // ECDSA, EdDSA (legacy)
    oid = to_bytes(reader.prefixed_bytes(base::LengthPrefix::u8).value());
    point = to_bytes(read_mpi(reader));
  } else {
    throw std::runtime_error("unexpected OpenPGP algorithm " + std::to_string(algorithm));
  }
  // RFC 4880 §12.2: fingerprint = SHA-1(0x99, uint16 length, public part).
  const ByteView public_part = body.first(reader.offset());
  Bytes hashed{0x99, static_cast<std::uint8_t>(public_part.size() >> 8),
               static_cast<std::uint8_t>(public_part.size())};
  hashed.insert(hashed.end(), public_part.begin(), public_part.end());
  Bytes fingerprint(20);
  gnutls_hash_fast(GNUTLS_DIG_SHA1, hashed.data(), hashed.size(), fingerprint.data());

  if (reader.u8().value() != 0) {
    throw std::runtime_error("secret key is protected");
  }
  gnutls_privkey_t raw = nullptr;
  gnutls_privkey_init(&raw);
  base::PrivateKeyHandle key(raw);
  int rc = 0;
  if (algorithm == 1) {
    const Bytes d = to_bytes(read_mpi(reader));
    const Bytes p = to_bytes(read_mpi(reader));
    const Bytes q = to_bytes(read_mpi(reader));
    const Bytes u = to_bytes(read_mpi(reader));
    // OpenPGP's u is p^-1 mod q; PKCS #1's coefficient is q^-1 mod p, so
    // the primes swap places.
    const auto dn = datum(n), de = datum(e), dd = datum(d), dp = datum(q), dq = datum(p),
               du = datum(u);
    rc = gnutls_privkey_import_rsa_raw(key.get(), &dn, &de, &dd, &dp, &dq, &du, nullptr, nullptr);
  } else if (algorithm == 22) {
    const Bytes seed = left_pad(read_mpi(reader), 32);
    const Bytes x(point.begin() + 1, point.end());  // drop the 0x40 prefix
    const auto dx = datum(x), dk = datum(seed);
    rc = gnutls_privkey_import_ecc_raw(key.get(), GNUTLS_ECC_CURVE_ED25519, &dx, nullptr, &dk);
  } else {
    const Bytes secret = left_pad(read_mpi(reader), 32);
    const Bytes x(point.begin() + 1, point.begin() + 33);
    const Bytes y(point.begin() + 33, point.end());
    const auto dx = datum(x), dy = datum(y), dk = datum(secret);
    rc = gnutls_privkey_import_ecc_raw(key.get(), GNUTLS_ECC_CURVE_SECP256R1, &dx, &dy, &dk);
  }
  if (rc < 0) {
    throw std::runtime_error(std::string("GnuTLS refused the key: ") + gnutls_strerror(rc));
  }
  gnutls_pubkey_t raw_public = nullptr;
  gnutls_pubkey_init(&raw_public);
  base::PublicKeyHandle public_key(raw_public);
  if (algorithm == 1) {
    const auto dn = datum(n), de = datum(e);
    rc = gnutls_pubkey_import_rsa_raw(public_key.get(), &dn, &de);
  } else if (algorithm == 22) {
    const Bytes x(point.begin() + 1, point.end());
    const auto dx = datum(x);
    rc = gnutls_pubkey_import_ecc_raw(public_key.get(), GNUTLS_ECC_CURVE_ED25519, &dx, nullptr);
  } else {
    const Bytes x(point.begin() + 1, point.begin() + 33);
    const Bytes y(point.begin() + 33, point.end());
    const auto dx = datum(x), dy = datum(y);
    rc = gnutls_pubkey_import_ecc_raw(public_key.get(), GNUTLS_ECC_CURVE_SECP256R1, &dx, &dy);
  }
  if (rc < 0) {
    throw std::runtime_error(std::string("GnuTLS refused the public key: ") + gnutls_strerror(rc));
  }
  check_pair(key.get(), public_key.get());
  return {fingerprint, base::share(std::move(key)), spki_der(public_key.get())};
}

// colons_field: field `index` of the first `record` line of gpg --with-colons.
std::vector<std::string> colon_records(const std::string& text, const std::string& record) {
  std::vector<std::string> values;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(record + ":", 0) == 0) {
      values.push_back(line);
    }
  }
  return values;
}

std::string field(const std::string& line, int index) {
  std::istringstream fields(line);
  std::string value;
  for (int i = 0; i <= index; ++i) {
    std::getline(fields, value, ':');
  }
  return value;
}

}  // namespace

OpenPgpIdentity make_openpgp_identity(const pgptls::test::TempDir& home, OpenPgpKind kind,
                                      const std::string& domain) {
  const std::string uid = "xmpp:" + domain;
  const char* algorithm = kind == OpenPgpKind::nistp256  ? "nistp256"
                          : kind == OpenPgpKind::rsa2048 ? "rsa2048"
                                                         : "ed25519";
  const bool subkey = kind == OpenPgpKind::ed25519_subkey;
  run_gpg(home, {"--quick-gen-key", uid, algorithm, subkey ? "cert" : "sign,cert", "never"});
  const std::string listing = run_gpg(home, {"--with-colons", "--list-keys", "=" + uid});
  const std::string primary_fpr = field(colon_records(listing, "fpr").front(), 9);
  if (subkey) {
    run_gpg(home, {"--quick-add-key", primary_fpr, "ed25519", "sign", "never"});
  }
  const std::string full = run_gpg(home, {"--with-colons", "--list-keys", primary_fpr});
  const auto fprs = colon_records(full, "fpr");
  const std::string signing_fpr = field(fprs.back(), 9);  // the subkey when there is one

  OpenPgpIdentity identity;
  identity.domain = domain;
  const auto exported = pgptls::test::run_tool(
      {"gpg", "--homedir", home.path().string(), "--batch", "--export", primary_fpr});
  identity.transferable_key.assign(exported.out.begin(), exported.out.end());
  identity.fingerprint = base::hex_decode(primary_fpr).value();
  const Bytes signing_fingerprint = base::hex_decode(signing_fpr).value();
  identity.signing_key_id.assign(signing_fingerprint.end() - 8, signing_fingerprint.end());

  const auto secret = pgptls::test::run_tool({"gpg", "--homedir", home.path().string(), "--batch",
                                              "--pinentry-mode", "loopback", "--passphrase", "",
                                              "--export-secret-keys", primary_fpr});
  const Bytes secret_bytes(secret.out.begin(), secret.out.end());
  for (const Packet& packet : split_packets(secret_bytes)) {
    if (packet.tag == 5 || packet.tag == 7) {
      SecretKey key = read_secret_key(packet.body);
      if (key.fingerprint == signing_fingerprint) {
        identity.signer = key.key;
        identity.signing_spki = key.spki;
      }
    }
  }
  if (!identity.signer || identity.transferable_key.empty()) {
    throw std::runtime_error("gpg export of " + uid + " has no usable signing key");
  }
  return identity;
}

OpenPgpIdentity load_reference_identity(const std::string& name, const std::string& domain,
                                        const std::string& signing_key_id_hex) {
  const std::string base = std::string(PGPTLS_TEST_DATA_DIR) + "/gnutls-3.5/keys/" + name;
  const auto read = [](const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      throw std::runtime_error("cannot read " + path);
    }
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    return Bytes(text.begin(), text.end());
  };
  OpenPgpIdentity identity;
  identity.domain = domain;
  identity.transferable_key = read(base + ".pub.gpg");
  auto cert = openpgp::parse_certificate(identity.transferable_key);
  if (!cert.ok()) {
    throw std::runtime_error(cert.error().message());
  }
  identity.fingerprint = cert->fingerprint();
  identity.signing_key_id = base::hex_decode(signing_key_id_hex).value();
  const openpgp::PublicKey* signing = cert->find_key(identity.signing_key_id);
  if (signing == nullptr) {
    throw std::runtime_error("no key " + signing_key_id_hex + " in " + name);
  }
  const Bytes armored = read(base + ".sec.asc");
  auto blocks = openpgp::decode_armor_or_binary(armored);
  if (!blocks.ok() || blocks->empty()) {
    throw std::runtime_error("cannot dearmor " + name + ".sec.asc");
  }
  for (const Packet& packet : split_packets(blocks->front().data)) {
    if (packet.tag == 5 || packet.tag == 7) {
      SecretKey key = read_secret_key(packet.body);
      if (key.fingerprint == signing->fingerprint) {
        identity.signer = key.key;
        identity.signing_spki = key.spki;
      }
    }
  }
  if (!identity.signer) {
    throw std::runtime_error("no secret for " + signing_key_id_hex + " in " + name);
  }
  return identity;
}

Result<VerifiedPeer> OpenPgpTrustVerifier::verify(const PresentedCertificate& certificate,
                                                  const VerifyRequest& request) {
  if (certificate.type != CertificateType::openpgp) {
    return make_error(Errc::peer_rejected, "test verifier: only OpenPGP keys are trusted");
  }
  // subkey_cert_fingerprint: resolve the certificate in our "keyring".
  Bytes key_bytes = certificate.openpgp_transferable_key;
  if (!certificate.openpgp_fingerprint.empty()) {
    for (const OpenPgpIdentity* identity : trusted_) {
      if (identity->fingerprint == certificate.openpgp_fingerprint) {
        key_bytes = identity->transferable_key;
      }
    }
    if (key_bytes.empty()) {
      return make_error(Errc::certificate_unobtainable,
                        "OpenPGP key " + base::hex_encode_upper(certificate.openpgp_fingerprint) +
                            " is not in the keyring; import it with `pgptls keyring import`");
    }
  }
  // The keyring library reads the certificate and names the signing key.
  auto cert = openpgp::parse_certificate(key_bytes);
  if (!cert.ok()) {
    return make_error(Errc::bad_certificate, cert.error().message());
  }
  const auto trusted = std::find_if(trusted_.begin(), trusted_.end(), [&](const auto* identity) {
    return identity->fingerprint == cert->fingerprint();
  });
  if (trusted == trusted_.end() ||
      (request.expected_domain.has_value() && *request.expected_domain != (*trusted)->domain)) {
    return make_error(Errc::peer_rejected, "peer key not certified by any authority: xmpp:" +
                                               request.expected_domain.value_or("?") + ", key 0x" +
                                               cert->fingerprint_hex());
  }
  const openpgp::PublicKey* component = cert->find_key(certificate.openpgp_key_id);
  if (component == nullptr) {
    return make_error(Errc::bad_certificate,
                      "the OpenPGP key ID " + base::hex_encode_upper(certificate.openpgp_key_id) +
                          " names no key of certificate 0x" + cert->fingerprint_hex());
  }
  auto key = openpgp::to_gnutls_pubkey(*component);
  if (!key.ok()) {
    return make_error(Errc::bad_certificate, key.error().message());
  }
  VerifiedPeer peer;
  peer.type = CertificateType::openpgp;
  peer.domains = {(*trusted)->domain};
  peer.accepted_by = "test trust 0x" + cert->fingerprint_hex();
  peer.signing_key = std::move(key).value();
  return peer;
}

openpgp::Cert load_reference_cert(const std::string& name) {
  const std::string path =
      std::string(PGPTLS_TEST_DATA_DIR) + "/gnutls-3.5/keys/" + name + ".pub.gpg";
  std::ifstream in(path, std::ios::binary);
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  auto cert = openpgp::parse_certificate(as_bytes_view(text));
  if (!cert.ok()) {
    throw std::runtime_error(path + ": " + cert.error().message());
  }
  return std::move(cert).value();
}

Result<VerifiedPeer> AuthorityVerifier::verify(const PresentedCertificate& certificate,
                                               const VerifyRequest& request) {
  if (certificate.type != CertificateType::openpgp) {
    return make_error(Errc::peer_rejected, "test verifier: only OpenPGP keys are checked");
  }
  if (!request.expected_domain.has_value()) {
    return make_error(Errc::peer_rejected, "no expected peer domain to check the key against");
  }
  openpgp::Cert cert;
  if (!certificate.openpgp_fingerprint.empty()) {
    const auto known = std::find_if(keyring_.begin(), keyring_.end(), [&](const auto& c) {
      return c.fingerprint() == certificate.openpgp_fingerprint;
    });
    if (known == keyring_.end()) {
      return make_error(Errc::certificate_unobtainable,
                        "OpenPGP key " + base::hex_encode_upper(certificate.openpgp_fingerprint) +
                            " is not in the keyring; import it with `pgptls keyring import`");
    }
    cert = *known;
  } else {
    auto parsed = openpgp::parse_certificate(certificate.openpgp_transferable_key, policy_.limits);
    if (!parsed.ok()) {
      return make_error(Errc::bad_certificate, parsed.error().message());
    }
    cert = std::move(parsed).value();
  }
  auto accepted = keyring::check_peer(cert, *request.expected_domain, authorities_, policy_, now_);
  if (!accepted.ok()) {
    return make_error(Errc::peer_rejected, accepted.error().message());
  }
  const keyring::ValidatedCert validated = keyring::validate(cert, policy_, now_);
  auto key = keyring::select_authentication_key(validated, certificate.openpgp_key_id, policy_);
  if (!key.ok()) {
    return make_error(Errc::bad_certificate, key.error().message());
  }
  auto handle = openpgp::to_gnutls_pubkey(**key);
  if (!handle.ok()) {
    return make_error(Errc::bad_certificate, handle.error().message());
  }
  VerifiedPeer peer;
  peer.type = CertificateType::openpgp;
  peer.domains = {accepted->domain};
  peer.accepted_by = "authority " + base::hex_encode_upper(accepted->authority_fingerprint);
  peer.signing_key = std::move(handle).value();
  return peer;
}

}  // namespace pgptls::tls::test
