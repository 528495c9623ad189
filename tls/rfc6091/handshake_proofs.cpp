#include "tls/rfc6091/handshake_proofs.h"

#include <algorithm>
#include <string>

#include "tls/crypto/prf.h"
#include "tls/crypto/signature_scheme.h"
#include "tls/wire/errors.h"

namespace pgptls::tls {

Result<PeerProof> verify_peer(PeerVerifier& verifier, const PresentedCertificate& certificate,
                              const VerifyRequest& request) {
  auto accepted = verifier.verify(certificate, request);
  if (!accepted.ok()) {
    const Error& error = accepted.error();
    if (error.code.category() == tls_category()) {
      return error;
    }
    return make_error(Errc::peer_rejected, error.message());
  }
  if (!accepted->signing_key) {
    return make_error(Errc::internal_error,
                      "the peer verifier accepted a certificate without returning its signing key");
  }
  return PeerProof(std::move(accepted).value());
}

Result<SignatureProof> verify_handshake_signature(const PeerProof& peer, std::uint16_t scheme,
                                                  const std::vector<std::uint16_t>& allowed,
                                                  ByteView signed_data, ByteView signature) {
  const auto known = find_signature_scheme(scheme);
  if (!known.has_value() || std::find(allowed.begin(), allowed.end(), scheme) == allowed.end()) {
    return make_error(
        Errc::illegal_parameter, "the peer signed with signature scheme 0x" + [&] {
          static constexpr char kHex[] = "0123456789abcdef";
          std::string text;
          for (int shift = 12; shift >= 0; shift -= 4) {
            text += kHex[(scheme >> shift) & 0xF];
          }
          return text;
        }() + ", which was not offered (RFC 5246 §7.4.1.4.1)");
  }
  gnutls_pubkey_t key = peer.peer().signing_key.get();
  if (!scheme_fits_public_key(key, *known)) {
    return make_error(Errc::decrypt_error, "the peer signed with " +
                                               std::string(signature_scheme_name(*known)) +
                                               ", which its accepted key cannot make");
  }
  auto verified = verify(key, *known, signed_data, signature);
  if (!verified.ok()) {
    return make_error(Errc::decrypt_error,
                      "the peer's handshake signature (" +
                          std::string(signature_scheme_name(*known)) +
                          ") does not verify with its accepted key: the peer does not hold the "
                          "private key of its certificate, or the handshake was altered");
  }
  return SignatureProof();
}

Result<FinishedProof> verify_peer_finished(HashAlgorithm hash, ByteView master_secret,
                                           Role peer_role, ByteView transcript_hash,
                                           ByteView verify_data) {
  PGPTLS_CHECK(check_finished(hash, master_secret, peer_role, transcript_hash, verify_data));
  return FinishedProof();
}

}  // namespace pgptls::tls
