// certificate.h: the Certificate message for X.509 (RFC 5246 §7.4.2) and
// for OpenPGP (RFC 6091 §3.3).
#pragma once

#include <cstdint>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "tls/wire/messages/types.h"

namespace pgptls::tls::messages {

// X509CertificateMessage: certificate_list<0..2^24-1> of ASN.1Cert
// <1..2^24-1>, leaf first. An empty list is a client without a certificate.
struct X509CertificateMessage {
  std::vector<Bytes> chain;
};

// parse_x509_certificate: fails with decode_error on malformed input and
// with bad_certificate when a certificate or the chain exceeds the limits.
[[nodiscard]] Result<X509CertificateMessage> parse_x509_certificate(ByteView body,
                                                                    const MessageLimits& limits);
[[nodiscard]] Result<Bytes> encode_x509_certificate(const X509CertificateMessage& message);

// OpenPgpDescriptor: PGPCertDescriptorType (RFC 6091 §3.3).
enum class OpenPgpDescriptor : std::uint8_t {
  empty_cert = 1,
  subkey_cert = 2,
  subkey_cert_fingerprint = 3,
};

// OpenPgpLayout: GnuTLS 3.5 puts a uint24 length in front of the RFC 6091
// structure (with a wrong value; see tests/data/gnutls-3.5/README.md); the
// RFC itself has none. We send the GnuTLS layout with the true length and
// accept both.
enum class OpenPgpLayout : std::uint8_t { gnutls, rfc };

struct OpenPgpCertificateMessage {
  OpenPgpDescriptor descriptor = OpenPgpDescriptor::empty_cert;
  Bytes key_id;            // PGPKeyID<8..255>: the component key that signs
  Bytes transferable_key;  // PGPSubKeyCert<3..2^24-1> (subkey_cert)
  Bytes fingerprint;       // PGPSubKeyCertFingerprint<20..255>
  OpenPgpLayout layout = OpenPgpLayout::gnutls;
};

// parse_openpgp_certificate: accepts both layouts. A body starting with a
// descriptor byte (1 to 3) is read as the RFC layout first; anything else,
// or an RFC reading that fails, as the GnuTLS layout, whose leading uint24
// is skipped whatever it says. Fails with decode_error on malformed input,
// illegal_parameter on an unknown descriptor, and bad_certificate when the
// key exceeds limits.max_certificate.
[[nodiscard]] Result<OpenPgpCertificateMessage> parse_openpgp_certificate(
    ByteView body, const MessageLimits& limits);

// encode_openpgp_certificate: writes message.layout; for the GnuTLS layout
// the leading uint24 holds the true length of what follows.
[[nodiscard]] Result<Bytes> encode_openpgp_certificate(const OpenPgpCertificateMessage& message);

}  // namespace pgptls::tls::messages
