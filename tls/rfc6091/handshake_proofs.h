// handshake_proofs.h: proof values of the three checks that must succeed
// before a connection carries application data: the peer's certificate was
// accepted by the PeerVerifier, the peer's handshake signature verifies
// with the key the verifier returned, and the peer's Finished verifies.
// Their constructors are private: only the checking functions below make
// them, so a state that holds one is a state after the check.
#pragma once

#include <cstdint>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "tls/engine/peer_verifier.h"
#include "tls/wire/cipher_suite.h"

namespace pgptls::tls {

class PeerProof;
class SignatureProof;
class FinishedProof;

// verify_peer: asks the verifier about a presented certificate. Errors of
// the tls category (certificate_unobtainable, ...) pass through; any other
// refusal becomes Errc::peer_rejected with the verifier's message (shown to
// operators verbatim). A verifier that accepts without a signing key is an
// internal_error.
[[nodiscard]] Result<PeerProof> verify_peer(PeerVerifier& verifier,
                                            const PresentedCertificate& certificate,
                                            const VerifyRequest& request);

// verify_handshake_signature: checks a ServerKeyExchange or
// CertificateVerify signature over `signed_data` with the verified peer's
// key. The scheme must be one pgptls implements and one this side allowed
// (`allowed`, wire values) — illegal_parameter otherwise, RFC 5246
// §7.4.1.4.1 — and must fit the key and verify (decrypt_error otherwise).
[[nodiscard]] Result<SignatureProof> verify_handshake_signature(
    const PeerProof& peer, std::uint16_t scheme, const std::vector<std::uint16_t>& allowed,
    ByteView signed_data, ByteView signature);

// verify_peer_finished: the peer's Finished verify_data against the
// transcript hash, compared in constant time (decrypt_error when wrong).
[[nodiscard]] Result<FinishedProof> verify_peer_finished(HashAlgorithm hash, ByteView master_secret,
                                                         Role peer_role, ByteView transcript_hash,
                                                         ByteView verify_data);

// PeerProof: the verifier accepted the peer's certificate.
class PeerProof {
 public:
  PeerProof(PeerProof&&) noexcept = default;
  PeerProof& operator=(PeerProof&&) noexcept = default;

  [[nodiscard]] const VerifiedPeer& peer() const { return peer_; }
  // release: hands the accepted peer over (into SessionInfo) at the end.
  [[nodiscard]] VerifiedPeer release() && { return std::move(peer_); }

 private:
  explicit PeerProof(VerifiedPeer peer) : peer_(std::move(peer)) {}
  friend Result<PeerProof> verify_peer(PeerVerifier&, const PresentedCertificate&,
                                       const VerifyRequest&);
  VerifiedPeer peer_;
};

// SignatureProof: the peer signed this handshake with the accepted key.
class SignatureProof {
 public:
  SignatureProof(SignatureProof&&) noexcept = default;
  SignatureProof& operator=(SignatureProof&&) noexcept = default;

 private:
  SignatureProof() = default;
  friend Result<SignatureProof> verify_handshake_signature(const PeerProof&, std::uint16_t,
                                                           const std::vector<std::uint16_t>&,
                                                           ByteView, ByteView);
};

// FinishedProof: the peer's Finished matched our transcript.
class FinishedProof {
 public:
  FinishedProof(FinishedProof&&) noexcept = default;
  FinishedProof& operator=(FinishedProof&&) noexcept = default;

 private:
  FinishedProof() = default;
  friend Result<FinishedProof> verify_peer_finished(HashAlgorithm, ByteView, Role, ByteView,
                                                    ByteView);
};

// AuthenticatedPeer: a verified certificate together with the verified
// signature made with its key.
struct AuthenticatedPeer {
  PeerProof certificate;
  SignatureProof signature;
};

}  // namespace pgptls::tls
