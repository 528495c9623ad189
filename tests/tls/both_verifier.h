// both_verifier.h: a test PeerVerifier that knows both kinds of peers, as
// the real one does: OpenPGP certificates by trusted fingerprint, X.509
// leaves by trusted SPKI hash.
#pragma once

#include "tests/tls/engine_openpgp.h"
#include "tests/tls/engine_support.h"

namespace pgptls::tls::test {

struct BothVerifier final : PeerVerifier {
  OpenPgpTrustVerifier openpgp;
  SpkiVerifier x509;
  [[nodiscard]] Result<VerifiedPeer> verify(const PresentedCertificate& certificate,
                                            const VerifyRequest& request) override {
    return certificate.type == CertificateType::openpgp ? openpgp.verify(certificate, request)
                                                        : x509.verify(certificate, request);
  }
};

}  // namespace pgptls::tls::test
