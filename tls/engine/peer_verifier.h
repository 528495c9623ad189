// peer_verifier.h: the interface through which both engines ask whether the
// certificate a peer presented is acceptable. The engines never decide trust
// themselves; they only check that the peer holds the key the verifier
// returned (handshake signature) and that the handshake is intact (Finished).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/gnutls_handles.h"
#include "base/pending.h"
#include "base/result.h"
#include "tls/wire/certificate_type.h"

namespace pgptls::tls {

// PresentedCertificate: what the peer sent in its Certificate message.
struct PresentedCertificate {
  CertificateType type = CertificateType::x509;

  // OpenPGP (RFC 6091 §3.3): the key ID of the component key that signs in
  // the handshake, and either the binary transferable public key
  // (subkey_cert) or only the fingerprint (subkey_cert_fingerprint), which
  // the verifier resolves through its keyring.
  Bytes openpgp_key_id;
  Bytes openpgp_transferable_key;
  Bytes openpgp_fingerprint;

  // X.509: the chain as sent, DER, leaf first.
  std::vector<Bytes> x509_chain;

  // Raw public key (RFC 7250): the DER SubjectPublicKeyInfo.
  Bytes raw_public_key;
};

struct VerifiedPeer;

// PendingVerdict: an acceptance that is provisional: the decision needs a
// disk result the verifier does not have yet (a trust-on-first-use pin
// being stored, a domain's first OpenPGP login being written, a reload of
// the pin store before a rejection is final), and a verdict that waited
// for it would stall the event loop. The engine goes on with the
// handshake (checking the peer's signature with the provisional key); the
// transport delivers no application data until `ready` finished and
// `settle` (run on the connection's thread, with ready's status) gave the
// final verdict, which may be provisional again. A final refusal fails the
// engine with the alert the error maps to (Engine::settle_peer).
struct PendingVerdict {
  std::shared_ptr<base::Pending> ready;
  std::function<Result<VerifiedPeer>(const Status& ready_status)> settle;
};

// VerifiedPeer: the verifier's acceptance of a presented certificate.
struct VerifiedPeer {
  CertificateType type = CertificateType::x509;
  // The domains this credential is authenticated for (the expected domain
  // when one was given).
  std::vector<std::string> domains;
  // How it was accepted, for logs: "authority 55FD06606D652C8F…",
  // "pin sha256/…", "tofu pin sha256/…"; while provisional, "pending: …".
  std::string accepted_by;
  // The key that must have made the peer's handshake signature.
  base::PublicKeyHandle signing_key;
  // Set when the acceptance is provisional (see PendingVerdict).
  std::shared_ptr<PendingVerdict> pending;
};

// VerifyRequest: the context of one verification.
struct VerifyRequest {
  // The domain the local side expects (a client knows whom it dialled; a
  // server may learn it only later, from the stream).
  std::optional<std::string> expected_domain;
  // The role of the *local* side.
  Role local_role = Role::client;
};

// PeerVerifier: decides whether a presented certificate is acceptable.
// verify() either returns the accepted peer (possibly provisional, see
// PendingVerdict; it never waits for the disk), or an Error whose message
// names the cause and the fix (it is shown to operators verbatim).
class PeerVerifier {
 public:
  virtual ~PeerVerifier() = default;
  [[nodiscard]] virtual Result<VerifiedPeer> verify(const PresentedCertificate& certificate,
                                                    const VerifyRequest& request) = 0;
};

}  // namespace pgptls::tls
