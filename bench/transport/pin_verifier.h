// pin_verifier.h: the trust of the transport benchmarks: exactly one
// SubjectPublicKeyInfo, so the measurement is the handshake and not the
// pin store.
#pragma once

#include <string>
#include <utility>

#include "base/bytes.h"
#include "tls/crypto/gnutls_keys.h"
#include "tls/engine/peer_verifier.h"
#include "tls/wire/errors.h"

namespace pgptls::bench {

class PinVerifier final : public tls::PeerVerifier {
 public:
  // `peer_domain`: the domain reported when the request names none (a
  // server before it knows its client).
  PinVerifier(Bytes spki, std::string peer_domain)
      : spki_(std::move(spki)), peer_domain_(std::move(peer_domain)) {}

  Result<tls::VerifiedPeer> verify(const tls::PresentedCertificate& certificate,
                                   const tls::VerifyRequest& request) override {
    PGPTLS_TRY(const Bytes presented, tls::spki_of_x509(certificate.x509_chain.at(0)));
    if (presented != spki_) {
      return make_error(tls::Errc::peer_rejected, "not the pinned key of " + peer_domain_);
    }
    tls::VerifiedPeer peer;
    peer.type = certificate.type;
    peer.domains = {request.expected_domain.value_or(peer_domain_)};
    peer.accepted_by = "pin";
    PGPTLS_TRY(peer.signing_key, tls::public_key_from_spki(presented));
    return peer;
  }

 private:
  Bytes spki_;
  std::string peer_domain_;
};

}  // namespace pgptls::bench
