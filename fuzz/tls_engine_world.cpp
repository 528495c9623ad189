#include <gnutls/x509.h>

#include <array>
#include <chrono>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

#include "base/byte_reader.h"
#include "base/clock.h"
#include "base/rng.h"
#include "fuzz/tls_engine_fuzz.h"
#include "tls/wire/errors.h"

namespace pgptls::fuzz {

namespace {

std::string read_file(const std::string& name) {
  std::ifstream in(std::string(PGPTLS_FUZZ_DATA_DIR) + "/tls_engine/" + name, std::ios::binary);
  if (!in) {
    throw std::runtime_error("missing fuzz data file " + name);
  }
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

base::SharedPrivateKey load_key(const std::string& name) {
  const std::string pem = read_file(name);
  gnutls_privkey_t raw = nullptr;
  if (gnutls_privkey_init(&raw) < 0) {
    throw std::runtime_error("gnutls_privkey_init");
  }
  base::PrivateKeyHandle key(raw);
  gnutls_datum_t datum{reinterpret_cast<unsigned char*>(const_cast<char*>(pem.data())),
                       static_cast<unsigned>(pem.size())};
  if (gnutls_privkey_import_x509_raw(key.get(), &datum, GNUTLS_X509_FMT_PEM, nullptr, 0) < 0) {
    throw std::runtime_error("cannot load " + name);
  }
  return base::share(std::move(key));
}

// AnyLeafVerifier: accepts every X.509 leaf that GnuTLS parses.
class AnyLeafVerifier final : public tls::PeerVerifier {
 public:
  Result<tls::VerifiedPeer> verify(const tls::PresentedCertificate& certificate,
                                   const tls::VerifyRequest& /*request*/) override {
    if (certificate.type != tls::CertificateType::x509 || certificate.x509_chain.empty()) {
      return make_error(tls::Errc::peer_rejected, "fuzz verifier: X.509 only");
    }
    const Bytes& der = certificate.x509_chain.front();
    gnutls_x509_crt_t raw = nullptr;
    if (gnutls_x509_crt_init(&raw) < 0) {
      return make_error(tls::Errc::internal_error, "gnutls_x509_crt_init");
    }
    base::X509CertificateHandle crt(raw);
    gnutls_datum_t datum{const_cast<unsigned char*>(der.data()), static_cast<unsigned>(der.size())};
    gnutls_pubkey_t key = nullptr;
    if (gnutls_x509_crt_import(crt.get(), &datum, GNUTLS_X509_FMT_DER) < 0 ||
        gnutls_pubkey_init(&key) < 0) {
      return make_error(tls::Errc::bad_certificate, "fuzz verifier: unreadable certificate");
    }
    base::PublicKeyHandle handle(key);
    if (gnutls_pubkey_import_x509(handle.get(), crt.get(), 0) < 0) {
      return make_error(tls::Errc::bad_certificate, "fuzz verifier: no public key");
    }
    tls::VerifiedPeer peer;
    peer.type = tls::CertificateType::x509;
    peer.domains = {"fuzz.example"};
    peer.accepted_by = "fuzz";
    peer.signing_key = std::move(handle);
    return peer;
  }
};

}  // namespace

tls::Rfc6091Config engine_config(tls::Role role) {
  static const base::SharedPrivateKey server_key = load_key("server.key.pem");
  static const base::SharedPrivateKey client_key = load_key("client.key.pem");
  static const std::string server_cert = read_file("server.crt.der");
  static const std::string client_cert = read_file("client.crt.der");
  tls::Rfc6091Config config;
  config.role = role;
  config.policy.certificate_types = {tls::CertificateType::x509};
  const std::string& cert = role == tls::Role::server ? server_cert : client_cert;
  config.credentials.x509 = tls::X509Credential{
      {Bytes(cert.begin(), cert.end())}, role == tls::Role::server ? server_key : client_key};
  config.verifier = std::make_shared<AnyLeafVerifier>();
  // Fixed seeds: the recorded seeds replay only with these exact streams.
  config.rng = std::make_shared<base::DeterministicRng>(role == tls::Role::server ? 2 : 1);
  config.clock =
      std::make_shared<base::FixedClock>(base::TimePoint(std::chrono::seconds(1'790'000'000)));
  config.server_name = "server.fuzz.example";
  config.client_auth = tls::ClientAuth::request;
  return config;
}

std::vector<ByteView> split_chunks(ByteView input) {
  std::vector<ByteView> chunks;
  base::ByteReader reader(input);
  while (!reader.empty()) {
    auto chunk = reader.prefixed_bytes(base::LengthPrefix::u16);
    if (!chunk.ok()) {
      chunks.push_back(reader.take_rest());
      break;
    }
    chunks.push_back(*chunk);
  }
  return chunks;
}

Bytes join_chunks(const std::vector<Bytes>& chunks) {
  Bytes out;
  for (const Bytes& chunk : chunks) {
    out.push_back(static_cast<std::uint8_t>(chunk.size() >> 8));
    out.push_back(static_cast<std::uint8_t>(chunk.size()));
    out.insert(out.end(), chunk.begin(), chunk.end());
  }
  return out;
}

void drive(tls::Engine& engine, ByteView input) {
  if (!engine.start().ok()) {
    return;
  }
  engine.consume_output(engine.pending_output().size());
  std::array<std::uint8_t, 512> buffer{};
  for (const ByteView chunk : split_chunks(input)) {
    const bool fed = engine.feed(chunk).ok();
    engine.consume_output(engine.pending_output().size());
    while (true) {
      auto read = engine.read_app(buffer);
      if (!read.ok() || *read == 0) {
        break;
      }
    }
    if (!fed) {
      // Poisoned: every later call must keep failing.
      if (engine.feed(chunk).ok() || engine.status() != tls::EngineStatus::failed) {
        __builtin_trap();
      }
      return;
    }
    if (engine.status() == tls::EngineStatus::established) {
      (void)engine.write_app(as_bytes_view("fuzz"));
      engine.consume_output(engine.pending_output().size());
    }
  }
  (void)engine.close();
}

}  // namespace pgptls::fuzz
