// negotiation.h: what a pgptls ClientHello offers, how a server chooses
// among a client's offers (TLS 1.2 only, RFC 5246 §7.4.1; certificate type
// per RFC 6091 §3.1), and how a client checks the ServerHello it got.
#pragma once

#include <gnutls/abstract.h>

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "tls/crypto/key_exchange.h"
#include "tls/crypto/signature_scheme.h"
#include "tls/engine/credentials.h"
#include "tls/wire/certificate_type.h"
#include "tls/wire/cipher_suite.h"
#include "tls/wire/messages/hello.h"

namespace pgptls::tls {

// NegotiationPolicy: the parameters a side is willing to use, each list in
// preference order. The defaults are everything pgptls implements.
struct NegotiationPolicy {
  std::vector<std::uint16_t> cipher_suites = default_cipher_suites();
  std::vector<NamedGroup> groups = default_groups();
  std::vector<SignatureScheme> signature_schemes = default_signature_schemes();
  // certificate_types: the types this side accepts from its peer and may
  // present itself, in preference order (s2s default: OpenPGP, then X.509).
  std::vector<CertificateType> certificate_types{CertificateType::openpgp, CertificateType::x509};
  // alpn: protocols in preference order ("xmpp-server"); empty: no ALPN.
  std::vector<std::string> alpn;

  [[nodiscard]] static std::vector<std::uint16_t> default_cipher_suites();
  [[nodiscard]] static std::vector<NamedGroup> default_groups();
  [[nodiscard]] static std::vector<SignatureScheme> default_signature_schemes();
};

// offered_certificate_types: the types a client offers: the policy's types
// for which it holds a credential, in policy order; a client without any
// credential offers every policy type (it will send an empty certificate
// if asked, RFC 5246 §7.4.6).
[[nodiscard]] std::vector<CertificateType> offered_certificate_types(
    const NegotiationPolicy& policy, const Credentials& credentials);

// build_client_hello: a TLS 1.2 ClientHello (never offering TLS 1.3: no
// supported_versions, RFC 8446 forbids OpenPGP there). Extensions:
// server_name (when given), supported_groups, ec_point_formats,
// signature_algorithms, ALPN (when configured), cert_type (omitted when only
// X.509 is offered, RFC 6091 §2), extended_master_secret, and an empty
// renegotiation_info. Fails with illegal_parameter on an empty offer list.
[[nodiscard]] Result<messages::ClientHello> build_client_hello(
    const NegotiationPolicy& policy, const std::vector<CertificateType>& certificate_types,
    const std::optional<std::string>& server_name, const messages::Random& random);

// ServerChoice: what a server selected from a ClientHello.
struct ServerChoice {
  const CipherSuite* suite = nullptr;
  NamedGroup group = NamedGroup::x25519;
  SignatureScheme scheme = SignatureScheme::ed25519;  // for ServerKeyExchange
  CertificateType certificate_type = CertificateType::x509;
  bool client_sent_server_name = false;
  // The client sent ec_point_formats (RFC 8422 §5.2: the server answers
  // with its own only then).
  bool client_sent_point_formats = false;
  // The client signalled secure renegotiation: the renegotiation_info
  // extension or TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746 §3.6: the
  // server answers with renegotiation_info only then).
  bool client_signals_renegotiation_info = false;
  std::optional<std::string> server_name;
  std::optional<std::string> alpn;
  // client_signature_schemes: the client's signature_algorithms, for the
  // CertificateRequest intersection.
  std::vector<std::uint16_t> client_signature_schemes;
};

// select_server_parameters: the server's choice for a ClientHello:
//  * version: TLS 1.2 (a hello whose supported_versions lacks 1.2, or whose
//    version is below 1.2, gets protocol_version);
//  * null compression must be offered (illegal_parameter);
//  * extended_master_secret is required (insufficient_security, RFC 7627);
//  * renegotiation_info must be empty (handshake_failure, RFC 5746 §3.6);
//  * certificate type: the client's most preferred type that the server
//    has a credential and policy for (unsupported_certificate otherwise);
//  * suite: the server's most preferred suite that the client offers and
//    the credential's key can sign for, with a common group and signature
//    scheme (handshake_failure otherwise);
//  * ALPN: the server's most preferred protocol the client offers
//    (no_application_protocol when both use ALPN and share none).
// Errors name the cause and the fix.
[[nodiscard]] Result<ServerChoice> select_server_parameters(const messages::ClientHello& hello,
                                                            const NegotiationPolicy& policy,
                                                            const Credentials& credentials);

// build_server_hello: the ServerHello for a choice. It carries only
// extensions the client sent (RFC 5246 §7.4.1.4): cert_type when the choice
// is not X.509 (RFC 6091 §3.1 and GnuTLS 3.5), an empty server_name when
// the client sent one (RFC 6066 §3), EMS, an empty renegotiation_info when
// the client signalled it (RFC 5746 §3.6), ALPN when chosen, and
// ec_point_formats when the client sent it (RFC 8422 §5.2).
[[nodiscard]] Result<messages::ServerHello> build_server_hello(const ServerChoice& choice,
                                                               const messages::Random& random);

// ClientNegotiated: what a client learns from the ServerHello.
struct ClientNegotiated {
  const CipherSuite* suite = nullptr;
  CertificateType certificate_type = CertificateType::x509;
  std::optional<std::string> alpn;
};

// check_server_hello: checks a ServerHello against what the ClientHello
// offered: version 1.2 (protocol_version), a suite and compression that were
// offered (illegal_parameter), no extension that was not offered
// (unsupported_extension, RFC 5246 §7.4.1.4), a certificate type that was
// offered (unsupported_certificate), extended_master_secret present
// (insufficient_security), renegotiation_info present and empty
// (handshake_failure, RFC 5746 §3.4), ALPN with one offered protocol
// (illegal_parameter).
[[nodiscard]] Result<ClientNegotiated> check_server_hello(const messages::ClientHello& offered,
                                                          const messages::ServerHello& hello);

// auth_algorithm_for_key: which suites a signing key serves (RSA keys the
// ECDHE_RSA suites; ECDSA and Ed25519 keys the ECDHE_ECDSA suites), nullopt
// for keys pgptls cannot sign handshakes with.
[[nodiscard]] std::optional<AuthAlgorithm> auth_algorithm_for_key(gnutls_privkey_t key);

// signing_key_for: the local signing key for a certificate type, or nullptr.
[[nodiscard]] gnutls_privkey_t signing_key_for(const Credentials& credentials,
                                               CertificateType type);

}  // namespace pgptls::tls
