// check_peer_bench.cpp: the cost of a peer decision against the signature
// verifications it needs, for an RSA-3072 authority (GnuTLS 3.5 reference
// keys: signer certifies a) and an Ed25519 authority (made by gpg at
// start-up), and the cost of a repeated decision through PeerCache.
//
// Goals: check_peer <= 1.5x the verifications it must make;
// a cached repeat <= 5 us.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>

#include "keyring/authority.h"
#include "keyring/peer_cache.h"
#include "openpgp/verify.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace {

using namespace pgptls;
using namespace pgptls::keyring;
using namespace pgptls::openpgp;

Bytes read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

struct Case {
  Bytes peer_bytes;
  Cert peer;
  std::vector<Authority> authorities;
  std::string domain;
  base::Seconds now;
  const Signature* certification = nullptr;
  const Signature* self_signature = nullptr;
};

Case make_case(const Bytes& peer_bytes, const Bytes& authority_bytes, const std::string& domain,
               base::Seconds now) {
  Case c;
  c.peer_bytes = peer_bytes;
  c.peer = *parse_certificate(peer_bytes);
  c.authorities.push_back(Authority{*parse_certificate(authority_bytes), {}});
  c.domain = domain;
  c.now = now;
  for (const auto& sig : c.peer.user_ids[0].signatures) {
    if (sig.names_issuer(c.authorities[0].cert.primary)) {
      c.certification = &sig;
    } else if (sig.names_issuer(c.peer.primary)) {
      c.self_signature = &sig;
    }
  }
  return c;
}

const Case& rsa_case() {
  static const Case c = [] {
    const auto dir = std::filesystem::path(PGPTLS_TEST_DATA_DIR) / "gnutls-3.5" / "keys";
    return make_case(read_file(dir / "a.pub.gpg"), read_file(dir / "signer.pub.gpg"), "a.example",
                     base::Seconds(std::chrono::seconds(1'798'000'000)));
  }();
  return c;
}

// Ed25519 authority and peer (with an Ed25519 authentication subkey), made
// by gpg in a throwaway home at a frozen time.
const Case& ed25519_case() {
  static const Case c = [] {
    test::TempDir home;
    auto gpg = [&](std::vector<std::string> args) {
      std::vector<std::string> argv = {
          "gpg",          "--batch", "--pinentry-mode",     "loopback",
          "--passphrase", "",        "--faked-system-time", "20240101T000000!"};
      argv.insert(argv.end(), args.begin(), args.end());
      test::ToolOptions options;
      options.env["GNUPGHOME"] = home.path().string();
      return test::run_tool(argv, options).out;
    };
    gpg({"--quick-gen-key", "CA <ca@example.invalid>", "ed25519", "cert", "never"});
    gpg({"--quick-gen-key", "xmpp:ed.example", "ed25519", "sign", "never"});
    const std::string listing = gpg({"--with-colons", "--list-keys", "=xmpp:ed.example"});
    const auto fpr_at = listing.find("\nfpr:") + 13;
    const std::string fpr = listing.substr(fpr_at, 40);
    gpg({"--quick-add-key", fpr, "ed25519", "auth", "never"});
    gpg({"-u", "=CA <ca@example.invalid>", "--quick-sign-key", fpr});
    const std::string peer = gpg({"--export", fpr});
    const std::string ca = gpg({"--export", "=CA <ca@example.invalid>"});
    return make_case(Bytes(peer.begin(), peer.end()), Bytes(ca.begin(), ca.end()), "ed.example",
                     base::Seconds(std::chrono::seconds(1'717'200'000)));
  }();
  return c;
}

void verify_one(benchmark::State& state, const Case& c) {
  const SignedComponents over{&c.peer.primary, nullptr, &c.peer.user_ids[0]};
  for (auto _ : state) {
    auto ok = verify_signature(*c.certification, c.authorities[0].cert.primary, over);
    if (!ok) {
      state.SkipWithError(ok.error().message().c_str());
      break;
    }
  }
}

void check_peer_once(benchmark::State& state, const Case& c) {
  for (auto _ : state) {
    auto verdict = check_peer(c.peer, c.domain, c.authorities, Policy::standard(), c.now);
    if (!verdict) {
      state.SkipWithError(verdict.error().message().c_str());
      break;
    }
  }
}

void cached(benchmark::State& state, const Case& c) {
  const Policy policy = Policy::standard();
  PeerCache<PeerAcceptance> cache;
  auto first = check_peer(c.peer, c.domain, c.authorities, policy, c.now);
  if (!first) {
    state.SkipWithError(first.error().message().c_str());
    return;
  }
  cache.store(
      std::string(c.domain), *first, c.now,
      std::min(validity_change_after(c.peer, c.now), validity_change_after(c.authorities, c.now)));
  const std::string key(c.domain);
  for (auto _ : state) {
    auto verdict = cache.find(key, c.now);
    if (!verdict) {
      state.SkipWithError("cache miss");
      break;
    }
  }
}

// The RSA case verifies 3 signatures (a's self-signature, signer's
// self-signature, the certification); the Ed25519 case 4 (plus the
// authentication subkey's binding).
void BM_VerifyOneSignature_Rsa3072(benchmark::State& s) {
  verify_one(s, rsa_case());
}
void BM_CheckPeer_Rsa3072_3Signatures(benchmark::State& s) {
  check_peer_once(s, rsa_case());
}
void BM_CachedRepeat_Rsa3072(benchmark::State& s) {
  cached(s, rsa_case());
}
void BM_VerifyOneSignature_Ed25519(benchmark::State& s) {
  verify_one(s, ed25519_case());
}
void BM_CheckPeer_Ed25519_4Signatures(benchmark::State& s) {
  check_peer_once(s, ed25519_case());
}
void BM_CachedRepeat_Ed25519(benchmark::State& s) {
  cached(s, ed25519_case());
}

BENCHMARK(BM_VerifyOneSignature_Rsa3072)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_CheckPeer_Rsa3072_3Signatures)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_CachedRepeat_Rsa3072)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_VerifyOneSignature_Ed25519)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_CheckPeer_Ed25519_4Signatures)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_CachedRepeat_Ed25519)->Unit(benchmark::kMicrosecond);

}  // namespace
