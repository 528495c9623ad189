// unchecked_verifier.h: the client trust of benchmarks against other TLS
// terminators (gnutls-serv, nginx): accepts whatever key the server
// presents and returns it, so GnuTLS still checks the handshake signature
// with it. For measuring only; never a trust decision.
#pragma once

#include <string>

#include "tls/crypto/gnutls_keys.h"
#include "tls/engine/peer_verifier.h"
#include "tls/wire/errors.h"

namespace pgptls::bench {

class UncheckedVerifier final : public tls::PeerVerifier {
 public:
  Result<tls::VerifiedPeer> verify(const tls::PresentedCertificate& certificate,
                                   const tls::VerifyRequest& request) override {
    if (certificate.x509_chain.empty()) {
      return make_error(tls::Errc::bad_certificate, "the server sent no X.509 certificate");
    }
    PGPTLS_TRY(const Bytes presented, tls::spki_of_x509(certificate.x509_chain.front()));
    tls::VerifiedPeer peer;
    peer.type = certificate.type;
    peer.domains = {request.expected_domain.value_or("server")};
    peer.accepted_by = "unchecked (benchmark)";
    PGPTLS_TRY(peer.signing_key, tls::public_key_from_spki(presented));
    return peer;
  }
};

}  // namespace pgptls::bench
