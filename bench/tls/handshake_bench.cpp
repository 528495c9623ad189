// handshake_bench.cpp: mutual TLS 1.2 handshakes per second, both ends in
// one thread over memory: the RFC 6091 engine with X.509 Ed25519 (and
// ECDSA P-256, RSA-2048) credentials, side by side with GnuTLS 3.7's own
// TLS 1.2 X.509 Ed25519 mutual handshake. Credentials are made by certtool
// at start-up.
#include <benchmark/benchmark.h>
#include <gnutls/gnutls.h>

#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <stdexcept>

#include "base/clock.h"
#include "base/rng.h"
#include "tests/support/temp_dir.h"
#include "tests/tls/engine_openpgp.h"
#include "tests/tls/engine_pump.h"
#include "tests/tls/engine_support.h"
#include "tls/rfc6091/rfc6091_engine.h"

namespace {

using pgptls::tls::test::KeyKind;
using pgptls::tls::test::X509Identity;

struct Identities {
  pgptls::test::TempDir dir;
  std::map<std::pair<KeyKind, bool>, X509Identity> ids;
  const X509Identity& get(KeyKind kind, bool server) {
    auto found = ids.find({kind, server});
    if (found == ids.end()) {
      found = ids.emplace(std::make_pair(kind, server),
                          pgptls::tls::test::make_x509_identity(
                              dir, kind,
                              (server ? "server" : "client") +
                                  std::to_string(static_cast<int>(kind)) + ".example"))
                  .first;
    }
    return found->second;
  }
};

Identities& identities() {
  static Identities instance;
  return instance;
}

// measure_rfc6091_mutual: full mutual handshakes between two RFC 6091
// engines in memory. The server's configuration is the client's with the
// role, credentials and verifier of the server side.
void measure_rfc6091_mutual(benchmark::State& state, const pgptls::tls::Rfc6091Config& client,
                            const pgptls::tls::Credentials& server_credentials,
                            std::shared_ptr<pgptls::tls::PeerVerifier> server_verifier) {
  using namespace pgptls::tls;
  Rfc6091Config server = client;
  server.role = Role::server;
  server.credentials = server_credentials;
  server.verifier = std::move(server_verifier);
  server.server_name.reset();
  for (auto _ : state) {
    auto c = make_rfc6091_engine(client);
    auto s = make_rfc6091_engine(server);
    (void)(*c)->start();
    test::pump(**c, **s);
    if ((*c)->status() != EngineStatus::established ||
        (*s)->status() != EngineStatus::established) {
      state.SkipWithError("handshake failed");
      return;
    }
  }
  state.counters["handshakes/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

// rfc6091_client_config: a client offering one certificate type over X25519.
pgptls::tls::Rfc6091Config rfc6091_client_config(
    pgptls::tls::CertificateType type, std::shared_ptr<pgptls::tls::PeerVerifier> verifier,
    const std::string& server_domain) {
  using namespace pgptls::tls;
  Rfc6091Config client;
  client.role = Role::client;
  client.policy.certificate_types = {type};
  client.policy.groups = {NamedGroup::x25519};
  client.verifier = std::move(verifier);
  client.rng = std::make_shared<pgptls::base::SystemRng>();
  client.clock = std::make_shared<pgptls::base::SystemClock>();
  client.server_name = server_domain;
  return client;
}

void pgptls_mutual(benchmark::State& state, KeyKind kind) {
  using namespace pgptls::tls;
  const X509Identity& server_id = identities().get(kind, true);
  const X509Identity& client_id = identities().get(kind, false);
  auto client_verifier = std::make_shared<test::SpkiVerifier>();
  client_verifier->trust(server_id.spki_sha256, server_id.domain);
  auto server_verifier = std::make_shared<test::SpkiVerifier>();
  server_verifier->trust(client_id.spki_sha256, client_id.domain);
  Rfc6091Config client =
      rfc6091_client_config(CertificateType::x509, client_verifier, server_id.domain);
  client.credentials.x509 = client_id.credential();
  Credentials server_credentials;
  server_credentials.x509 = server_id.credential();
  measure_rfc6091_mutual(state, client, server_credentials, server_verifier);
}

struct OpenPgpIdentities {
  pgptls::test::TempDir home;
  std::map<std::pair<pgptls::tls::test::OpenPgpKind, bool>, pgptls::tls::test::OpenPgpIdentity> ids;
  const pgptls::tls::test::OpenPgpIdentity& get(pgptls::tls::test::OpenPgpKind kind, bool server) {
    auto found = ids.find({kind, server});
    if (found == ids.end()) {
      found = ids.emplace(std::make_pair(kind, server),
                          pgptls::tls::test::make_openpgp_identity(
                              home, kind,
                              (server ? "server" : "client") +
                                  std::to_string(static_cast<int>(kind)) + ".example"))
                  .first;
    }
    return found->second;
  }
};

void pgptls_openpgp_mutual(benchmark::State& state, pgptls::tls::test::OpenPgpKind kind) {
  using namespace pgptls::tls;
  static OpenPgpIdentities identities;
  const auto& server_id = identities.get(kind, true);
  const auto& client_id = identities.get(kind, false);
  auto client_verifier = std::make_shared<test::OpenPgpTrustVerifier>();
  client_verifier->trust(server_id);
  auto server_verifier = std::make_shared<test::OpenPgpTrustVerifier>();
  server_verifier->trust(client_id);
  Rfc6091Config client =
      rfc6091_client_config(CertificateType::openpgp, client_verifier, server_id.domain);
  client.credentials.openpgp = client_id.credential();
  Credentials server_credentials;
  server_credentials.openpgp = server_id.credential();
  measure_rfc6091_mutual(state, client, server_credentials, server_verifier);
}

// GnuTLS over memory: each direction is a byte queue; pull answers EAGAIN
// when empty, as the GnuTLS-backed engine does.
struct Pipe {
  std::deque<std::uint8_t> bytes;
};
struct Endpoint {
  Pipe* in;
  Pipe* out;
};

ssize_t memory_push(gnutls_transport_ptr_t pointer, const void* data, std::size_t size) {
  auto* endpoint = static_cast<Endpoint*>(pointer);
  const auto* bytes = static_cast<const std::uint8_t*>(data);
  endpoint->out->bytes.insert(endpoint->out->bytes.end(), bytes, bytes + size);
  return static_cast<ssize_t>(size);
}

ssize_t memory_pull(gnutls_transport_ptr_t pointer, void* data, std::size_t size) {
  auto* endpoint = static_cast<Endpoint*>(pointer);
  if (endpoint->in->bytes.empty()) {
    errno = EAGAIN;
    return -1;
  }
  const std::size_t count = std::min(size, endpoint->in->bytes.size());
  std::copy_n(endpoint->in->bytes.begin(), count, static_cast<std::uint8_t*>(data));
  endpoint->in->bytes.erase(endpoint->in->bytes.begin(),
                            endpoint->in->bytes.begin() + static_cast<std::ptrdiff_t>(count));
  return static_cast<ssize_t>(count);
}

int memory_pull_timeout(gnutls_transport_ptr_t pointer, unsigned int /*ms*/) {
  return static_cast<Endpoint*>(pointer)->in->bytes.empty() ? 0 : 1;
}

struct GnutlsCredentials {
  gnutls_certificate_credentials_t credentials = nullptr;
  explicit GnutlsCredentials(const X509Identity& own, const X509Identity& peer) {
    gnutls_certificate_allocate_credentials(&credentials);
    if (gnutls_certificate_set_x509_key_file(credentials, own.certificate_pem.c_str(),
                                             own.key_pem.c_str(), GNUTLS_X509_FMT_PEM) < 0 ||
        gnutls_certificate_set_x509_trust_file(credentials, peer.certificate_pem.c_str(),
                                               GNUTLS_X509_FMT_PEM) < 0) {
      throw std::runtime_error("gnutls credentials");
    }
  }
  ~GnutlsCredentials() { gnutls_certificate_free_credentials(credentials); }
};

// ClientKey: GnuTLS 3.7's client offers an Ed25519 certificate in TLS 1.2
// only through the retrieve callback, so the bench client uses one.
struct ClientKey {
  gnutls_pcert_st pcert{};
  gnutls_privkey_t key = nullptr;
};
ClientKey& client_key() {
  static ClientKey instance;
  return instance;
}

int retrieve_client_key(gnutls_session_t /*session*/, const gnutls_datum_t* /*ca*/, int /*n*/,
                        const gnutls_pk_algorithm_t* /*algorithms*/, int /*m*/,
                        gnutls_pcert_st** pcert, unsigned int* length, gnutls_privkey_t* key) {
  *pcert = &client_key().pcert;
  *length = 1;
  *key = client_key().key;
  return 0;
}

void gnutls_mutual(benchmark::State& state) {
  const X509Identity& server_id = identities().get(KeyKind::ed25519, true);
  const X509Identity& client_id = identities().get(KeyKind::ed25519, false);
  const GnutlsCredentials server_credentials(server_id, client_id);
  const GnutlsCredentials client_credentials(client_id, server_id);
  if (client_key().key == nullptr) {
    gnutls_datum_t der{const_cast<unsigned char*>(client_id.certificate_der.data()),
                       static_cast<unsigned>(client_id.certificate_der.size())};
    gnutls_pcert_import_x509_raw(&client_key().pcert, &der, GNUTLS_X509_FMT_DER, 0);
    client_key().key = client_id.key.get();
  }
  gnutls_certificate_set_retrieve_function2(client_credentials.credentials, retrieve_client_key);
  const char* priority = "NORMAL:-VERS-ALL:+VERS-TLS1.2:-GROUP-ALL:+GROUP-X25519";
  for (auto _ : state) {
    Pipe to_server;
    Pipe to_client;
    Endpoint client_end{&to_client, &to_server};
    Endpoint server_end{&to_server, &to_client};
    gnutls_session_t client = nullptr;
    gnutls_session_t server = nullptr;
    gnutls_init(&client, GNUTLS_CLIENT | GNUTLS_NONBLOCK);
    gnutls_init(&server, GNUTLS_SERVER | GNUTLS_NONBLOCK);
    gnutls_priority_set_direct(client, priority, nullptr);
    gnutls_priority_set_direct(server, priority, nullptr);
    gnutls_credentials_set(client, GNUTLS_CRD_CERTIFICATE, client_credentials.credentials);
    gnutls_credentials_set(server, GNUTLS_CRD_CERTIFICATE, server_credentials.credentials);
    gnutls_certificate_server_set_request(server, GNUTLS_CERT_REQUIRE);
    gnutls_server_name_set(client, GNUTLS_NAME_DNS, server_id.domain.data(),
                           server_id.domain.size());
    gnutls_session_set_verify_cert(client, server_id.domain.c_str(), 0);
    gnutls_session_set_verify_cert(server, nullptr, 0);
    for (auto& [session, endpoint] :
         {std::pair{client, &client_end}, std::pair{server, &server_end}}) {
      gnutls_transport_set_ptr(session, endpoint);
      gnutls_transport_set_push_function(session, memory_push);
      gnutls_transport_set_pull_function(session, memory_pull);
      gnutls_transport_set_pull_timeout_function(session, memory_pull_timeout);
    }
    int client_rc = GNUTLS_E_AGAIN;
    int server_rc = GNUTLS_E_AGAIN;
    for (int round = 0; round < 64 && (client_rc != 0 || server_rc != 0); ++round) {
      if (client_rc != 0) {
        client_rc = gnutls_handshake(client);
      }
      if (server_rc != 0) {
        server_rc = gnutls_handshake(server);
      }
      if ((client_rc < 0 && gnutls_error_is_fatal(client_rc)) ||
          (server_rc < 0 && gnutls_error_is_fatal(server_rc))) {
        break;
      }
    }
    const bool mutual = client_rc == 0 && server_rc == 0 &&
                        gnutls_certificate_get_ours(client) != nullptr &&
                        gnutls_certificate_get_peers(server, nullptr) != nullptr;
    gnutls_deinit(client);
    gnutls_deinit(server);
    if (!mutual) {
      state.SkipWithError((std::string("GnuTLS handshake failed: ") + gnutls_strerror(client_rc) +
                           std::string(" / ") + gnutls_strerror(server_rc))
                              .c_str());
      return;
    }
  }
  state.counters["handshakes/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

}  // namespace

BENCHMARK_CAPTURE(pgptls_openpgp_mutual, openpgp_ed25519, pgptls::tls::test::OpenPgpKind::ed25519)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(pgptls_openpgp_mutual, openpgp_rsa2048, pgptls::tls::test::OpenPgpKind::rsa2048)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(pgptls_mutual, x509_ed25519, KeyKind::ed25519)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(pgptls_mutual, x509_ecdsa_p256, KeyKind::ecdsa_p256)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(pgptls_mutual, x509_rsa2048, KeyKind::rsa2048)->Unit(benchmark::kMicrosecond);
BENCHMARK(gnutls_mutual)->Name("gnutls_mutual/x509_ed25519")->Unit(benchmark::kMicrosecond);
