#include "tests/cli/load_openpgp.h"

#include <memory>
#include <stdexcept>
#include <utility>

#include "base/clock.h"
#include "base/encoding.h"
#include "base/file.h"
#include "base/gnutls_handles.h"
#include "base/rng.h"
#include "openpgp/armor.h"
#include "openpgp/secret_key.h"
#include "tests/cli/openpgp_world.h"
#include "tests/tls/engine_openpgp.h"
#include "tls/rfc6091/rfc6091_engine.h"

namespace pgptls::test {
namespace {

template <class T>
T value_or_throw(Result<T> result, const std::string& what) {
  if (!result) {
    throw std::runtime_error(what + ": " + result.error().message());
  }
  return std::move(result).value();
}

// binary_certificate: the binary transferable public key of an armored or
// binary file (what the handshake sends, RFC 6091 §3.3).
Bytes binary_certificate(const std::string& path) {
  const Bytes file = value_or_throw(base::read_file(path), "reading " + path);
  auto blocks = value_or_throw(openpgp::decode_armor_or_binary(file), "decoding " + path);
  if (blocks.size() != 1) {
    throw std::runtime_error(path + " does not hold exactly one certificate");
  }
  return std::move(blocks.front().data);
}

// Peers: b's credential and the client's trust in a.example, loaded once.
struct Peers {
  tls::OpenPgpCredential client;
  tls::test::OpenPgpIdentity server;
};

const Peers& peers() {
  static const Peers loaded = [] {
    const OpenPgpWorld& world = openpgp_world();
    Peers made;
    made.client.transferable_key = binary_certificate(world.file("b.asc"));
    made.client.fingerprint =
        value_or_throw(base::hex_decode(world.fpr.at("b")), "b's fingerprint");
    const Bytes subkey =
        value_or_throw(base::hex_decode(world.sub.at("b")), "b's subkey fingerprint");
    // RFC 4880 §12.2: a v4 key ID is the low 64 bits of the fingerprint.
    made.client.key_id.assign(subkey.end() - 8, subkey.end());
    const Bytes secrets = value_or_throw(base::read_file(world.file("b.sec")), "reading b.sec");
    const auto keys = value_or_throw(openpgp::load_secret_keys(secrets), "b.sec");
    const openpgp::SecretKeyPacket* packet = openpgp::find_secret_key(keys, subkey);
    if (packet == nullptr) {
      throw std::runtime_error("b.sec holds no secret for b's authentication subkey");
    }
    made.client.signer = base::share(
        value_or_throw(openpgp::unlock_secret_key(*packet, ByteView()), "unlocking b's subkey"));

    made.server.domain = "a.example";
    made.server.transferable_key = binary_certificate(world.file("a.asc"));
    made.server.fingerprint =
        value_or_throw(base::hex_decode(world.fpr.at("a")), "a's fingerprint");
    return made;
  }();
  return loaded;
}

}  // namespace

std::vector<std::string> openpgp_serve_args() {
  const OpenPgpWorld& world = openpgp_world();
  return {"--openpgp-cert",    world.file("a.asc"), "--openpgp-key",
          world.file("a.sec"), "--authority",       world.file("ca.asc")};
}

std::string openpgp_authority_fingerprint() {
  return openpgp_world().fpr.at("ca");
}

transport::EngineFactory openpgp_client_factory() {
  const Peers& loaded = peers();
  return openpgp_client_factory([&loaded] { return loaded.client; });
}

transport::EngineFactory openpgp_client_factory(
    std::function<tls::OpenPgpCredential()> credential) {
  const Peers& loaded = peers();
  auto verifier = std::make_shared<tls::test::OpenPgpTrustVerifier>();
  verifier->trust(loaded.server);  // `loaded` lives until the process ends
  auto rng = std::make_shared<base::SystemRng>();
  auto clock = std::make_shared<base::SystemClock>();
  return [credential = std::move(credential), verifier, rng,
          clock](const transport::EngineRequest& request) -> Result<std::unique_ptr<tls::Engine>> {
    tls::Rfc6091Config config;
    config.role = tls::Role::client;
    config.policy.certificate_types = {tls::CertificateType::openpgp};
    config.credentials.openpgp = credential();
    config.verifier = verifier;
    config.rng = rng;
    config.clock = clock;
    config.server_name = request.options.peer_domain;
    config.expected_peer_domain = request.options.peer_domain;
    return tls::make_rfc6091_engine(std::move(config));
  };
}

}  // namespace pgptls::test
