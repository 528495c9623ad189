#include "tls/rfc6091/negotiation.h"

#include <algorithm>
#include <string>

#include "tls/wire/errors.h"
#include "tls/wire/messages/extensions.h"

namespace pgptls::tls {

namespace {

// RFC 5746 §3.3: TLS_EMPTY_RENEGOTIATION_INFO_SCSV.
constexpr std::uint16_t kEmptyRenegotiationInfoScsv = 0x00FF;

using messages::Extension;
using messages::ExtensionType;
using messages::find_extension;

// version_name: "TLS 1.0", ... for error messages.
std::string version_name(std::uint16_t version) {
  switch (version) {
    case 0x0300:
      return "SSL 3.0";
    case 0x0301:
      return "TLS 1.0";
    case 0x0302:
      return "TLS 1.1";
    case 0x0303:
      return "TLS 1.2";
    case 0x0304:
      return "TLS 1.3";
    default:
      return "version " + std::to_string(version >> 8) + "." + std::to_string(version & 0xFF);
  }
}

template <class T, class U>
bool contains(const std::vector<T>& values, const U& value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

std::string type_list(const std::vector<CertificateType>& types) {
  std::string text;
  for (const CertificateType type : types) {
    text += (text.empty() ? "" : ", ") + std::string(certificate_type_name(type));
  }
  return text.empty() ? "none" : text;
}

Extension make_extension(ExtensionType type, Bytes data) {
  return Extension{static_cast<std::uint16_t>(type), std::move(data)};
}

// client_version_ok: RFC 5246 Appendix E.1 (legacy_version) and RFC 8446
// §4.2.1 (supported_versions supersedes it when present).
Status check_client_version(const messages::ClientHello& hello) {
  if (const Extension* versions =
          find_extension(hello.extensions, ExtensionType::supported_versions)) {
    PGPTLS_TRY(const auto list, messages::parse_client_supported_versions(versions->data));
    if (!contains(list, kTls12)) {
      return make_error(Errc::protocol_version,
                        "the client offers only TLS 1.3 (or other versions), pgptls speaks TLS 1.2 "
                        "for OpenPGP; enable TLS 1.2 on the peer");
    }
    return {};
  }
  if (hello.legacy_version < kTls12) {
    return make_error(Errc::protocol_version, "the client offers at most " +
                                                  version_name(hello.legacy_version) +
                                                  ", pgptls requires TLS 1.2; upgrade the peer");
  }
  return {};
}

// require_extended_master_secret: RFC 7627 §5.2 and §5.3: pgptls requires
// the extended master secret of both sides; `missing` says who lacks it
// ("the client does not offer").
Status require_extended_master_secret(const std::vector<Extension>& extensions,
                                      const char* missing) {
  const Extension* ems = find_extension(extensions, ExtensionType::extended_master_secret);
  if (ems == nullptr) {
    return make_error(Errc::insufficient_security,
                      std::string(missing) +
                          " extended_master_secret (RFC 7627), which pgptls requires; upgrade "
                          "the peer's TLS library");
  }
  return messages::expect_empty_extension(ems->data, "extended_master_secret");
}

}  // namespace

std::vector<std::uint16_t> NegotiationPolicy::default_cipher_suites() {
  std::vector<std::uint16_t> ids;
  for (const CipherSuite& suite : supported_cipher_suites()) {
    ids.push_back(suite.id);
  }
  return ids;
}

std::vector<NamedGroup> NegotiationPolicy::default_groups() {
  const auto groups = supported_groups();
  return {groups.begin(), groups.end()};
}

std::vector<SignatureScheme> NegotiationPolicy::default_signature_schemes() {
  const auto schemes = supported_signature_schemes();
  return {schemes.begin(), schemes.end()};
}

gnutls_privkey_t signing_key_for(const Credentials& credentials, CertificateType type) {
  switch (type) {
    case CertificateType::openpgp:
      return credentials.openpgp ? credentials.openpgp->signer.get() : nullptr;
    case CertificateType::x509:
      return credentials.x509 ? credentials.x509->signer.get() : nullptr;
    case CertificateType::raw_public_key:
      // RFC 7250 is not part of the RFC 6091 engine.
      return nullptr;
  }
  return nullptr;
}

std::optional<AuthAlgorithm> auth_algorithm_for_key(gnutls_privkey_t key) {
  const auto schemes = schemes_for_key(key);
  if (schemes.empty()) {
    return std::nullopt;
  }
  return auth_algorithm_of(schemes.front());  // a key's schemes share one algorithm
}

std::vector<CertificateType> offered_certificate_types(const NegotiationPolicy& policy,
                                                       const Credentials& credentials) {
  std::vector<CertificateType> with_credential;
  for (const CertificateType type : policy.certificate_types) {
    if (signing_key_for(credentials, type) != nullptr) {
      with_credential.push_back(type);
    }
  }
  if (!with_credential.empty()) {
    return with_credential;
  }
  std::vector<CertificateType> all;
  for (const CertificateType type : policy.certificate_types) {
    if (type != CertificateType::raw_public_key) {
      all.push_back(type);
    }
  }
  return all;
}

Result<messages::ClientHello> build_client_hello(
    const NegotiationPolicy& policy, const std::vector<CertificateType>& certificate_types,
    const std::optional<std::string>& server_name, const messages::Random& random) {
  if (policy.cipher_suites.empty() || policy.groups.empty() || policy.signature_schemes.empty() ||
      certificate_types.empty()) {
    return make_error(Errc::illegal_parameter,
                      "the TLS policy leaves no cipher suite, group, signature scheme or "
                      "certificate type to offer; fix the configuration");
  }
  messages::ClientHello hello;
  hello.legacy_version = kTls12;
  hello.random = random;
  hello.cipher_suites = policy.cipher_suites;
  hello.compression_methods = {0};
  auto& extensions = hello.extensions;
  if (server_name.has_value() && !server_name->empty()) {
    PGPTLS_TRY(Bytes sni, messages::encode_server_name(*server_name));
    extensions.push_back(make_extension(ExtensionType::server_name, std::move(sni)));
  }
  std::vector<std::uint16_t> groups;
  for (const NamedGroup group : policy.groups) {
    groups.push_back(static_cast<std::uint16_t>(group));
  }
  extensions.push_back(
      make_extension(ExtensionType::supported_groups, messages::encode_u16_list(groups)));
  const std::uint8_t uncompressed[] = {messages::kPointFormatUncompressed};
  extensions.push_back(make_extension(ExtensionType::ec_point_formats,
                                      messages::encode_point_formats(uncompressed)));
  extensions.push_back(
      make_extension(ExtensionType::signature_algorithms,
                     messages::encode_u16_list(wire_values(policy.signature_schemes))));
  if (!policy.alpn.empty()) {
    PGPTLS_TRY(Bytes alpn, messages::encode_alpn(policy.alpn));
    extensions.push_back(make_extension(ExtensionType::alpn, std::move(alpn)));
  }
  // RFC 6091 §2: a client that only does X.509 omits cert_type.
  const bool only_x509 =
      certificate_types.size() == 1 && certificate_types.front() == CertificateType::x509;
  if (!only_x509) {
    extensions.push_back(make_extension(ExtensionType::cert_type,
                                        messages::encode_client_cert_types(certificate_types)));
  }
  extensions.push_back(make_extension(ExtensionType::extended_master_secret, {}));
  extensions.push_back(
      make_extension(ExtensionType::renegotiation_info, messages::encode_renegotiation_info({})));
  return hello;
}

Result<ServerChoice> select_server_parameters(const messages::ClientHello& hello,
                                              const NegotiationPolicy& policy,
                                              const Credentials& credentials) {
  PGPTLS_CHECK(check_client_version(hello));
  if (!contains(Bytes(hello.compression_methods), std::uint8_t{0})) {
    return make_error(Errc::illegal_parameter,
                      "the ClientHello does not offer null compression (RFC 5246 §7.4.1.2 "
                      "requires it)");
  }
  ServerChoice choice;
  const auto& extensions = hello.extensions;

  PGPTLS_CHECK(require_extended_master_secret(extensions, "the client does not offer"));

  // RFC 5746 §3.6: on an initial handshake renegotiated_connection is empty.
  if (const Extension* reneg = find_extension(extensions, ExtensionType::renegotiation_info)) {
    PGPTLS_TRY(const Bytes connection, messages::parse_renegotiation_info(reneg->data));
    if (!connection.empty()) {
      return make_error(Errc::handshake_failure,
                        "the ClientHello's renegotiation_info is not empty on an initial handshake "
                        "(RFC 5746 §3.6)");
    }
  }
  // RFC 5746 §3.6: the extension or TLS_EMPTY_RENEGOTIATION_INFO_SCSV
  // (§3.3) asks for an empty renegotiation_info in the ServerHello.
  choice.client_signals_renegotiation_info =
      find_extension(extensions, ExtensionType::renegotiation_info) != nullptr ||
      contains(hello.cipher_suites, kEmptyRenegotiationInfoScsv);

  // Certificate type (RFC 6091 §3.1): absent means X.509 only.
  std::vector<CertificateType> client_types{CertificateType::x509};
  if (const Extension* offered = find_extension(extensions, ExtensionType::cert_type)) {
    PGPTLS_TRY(client_types, messages::parse_client_cert_types(offered->data));
  }
  std::optional<CertificateType> type;
  for (const CertificateType candidate : client_types) {
    if (contains(policy.certificate_types, candidate) &&
        signing_key_for(credentials, candidate) != nullptr) {
      type = candidate;
      break;
    }
  }
  if (!type.has_value()) {
    return make_error(Errc::unsupported_certificate,
                      "the client accepts certificate types [" + type_list(client_types) +
                          "], this server has credentials for [" +
                          type_list(offered_certificate_types(policy, credentials)) +
                          "]; add a credential of a type the peer accepts");
  }
  choice.certificate_type = *type;
  gnutls_privkey_t key = signing_key_for(credentials, *type);
  const auto auth = auth_algorithm_for_key(key);
  if (!auth.has_value()) {
    return make_error(Errc::handshake_failure,
                      "the server's " + std::string(certificate_type_name(*type)) +
                          " key cannot sign TLS 1.2 handshakes (use RSA >= 2048, ECDSA P-256/P-384 "
                          "or Ed25519)");
  }

  // Groups and point formats (RFC 8422 §5.1): both lists are required
  // from an ECDHE client; only uncompressed points exist for us.
  const Extension* groups_extension = find_extension(extensions, ExtensionType::supported_groups);
  if (groups_extension == nullptr) {
    return make_error(Errc::handshake_failure,
                      "the client sends no supported_groups; pgptls does ECDHE only");
  }
  PGPTLS_TRY(const auto client_groups, messages::parse_u16_list(groups_extension->data));
  if (const Extension* formats = find_extension(extensions, ExtensionType::ec_point_formats)) {
    PGPTLS_TRY(const auto list, messages::parse_point_formats(formats->data));
    if (!contains(list, messages::kPointFormatUncompressed)) {
      return make_error(Errc::illegal_parameter,
                        "the client's ec_point_formats lack uncompressed (RFC 8422 §5.1.2)");
    }
    choice.client_sent_point_formats = true;
  }
  std::optional<NamedGroup> group;
  for (const NamedGroup candidate : policy.groups) {
    if (contains(client_groups, static_cast<std::uint16_t>(candidate))) {
      group = candidate;
      break;
    }
  }
  if (!group.has_value()) {
    return make_error(Errc::handshake_failure,
                      "no ECDHE group in common with the client (pgptls: x25519, secp256r1, "
                      "secp384r1)");
  }
  choice.group = *group;

  // Signature schemes: TLS 1.2 defaults to SHA-1 without the extension
  // (RFC 5246 §7.4.1.4.1), which pgptls never uses.
  const Extension* schemes_extension =
      find_extension(extensions, ExtensionType::signature_algorithms);
  if (schemes_extension == nullptr) {
    return make_error(Errc::handshake_failure,
                      "the client sends no signature_algorithms, which means SHA-1 signatures "
                      "(RFC 5246 §7.4.1.4.1); pgptls refuses SHA-1");
  }
  PGPTLS_TRY(choice.client_signature_schemes, messages::parse_u16_list(schemes_extension->data));
  const auto scheme =
      choose_signature_scheme(key, policy.signature_schemes, choice.client_signature_schemes);
  if (!scheme.has_value()) {
    return make_error(Errc::handshake_failure,
                      "no signature scheme in common with the client for the server's " +
                          std::string(certificate_type_name(*type)) + " key");
  }
  choice.scheme = *scheme;

  for (const std::uint16_t id : policy.cipher_suites) {
    const CipherSuite* suite = find_cipher_suite(id);
    if (suite != nullptr && suite->auth == *auth && contains(hello.cipher_suites, id)) {
      choice.suite = suite;
      break;
    }
  }
  if (choice.suite == nullptr) {
    return make_error(Errc::handshake_failure,
                      std::string("no cipher suite in common with the client for the server's ") +
                          (*auth == AuthAlgorithm::rsa ? "RSA" : "ECDSA/Ed25519") +
                          " key (pgptls: ECDHE with AES-GCM or ChaCha20-Poly1305)");
  }

  if (const Extension* sni = find_extension(extensions, ExtensionType::server_name)) {
    PGPTLS_TRY(choice.server_name, messages::parse_server_name(sni->data));
    choice.client_sent_server_name = true;
  }

  if (const Extension* alpn = find_extension(extensions, ExtensionType::alpn)) {
    PGPTLS_TRY(const auto protocols, messages::parse_alpn(alpn->data));
    if (!policy.alpn.empty()) {
      for (const std::string& protocol : policy.alpn) {
        if (contains(protocols, protocol)) {
          choice.alpn = protocol;
          break;
        }
      }
      if (!choice.alpn.has_value()) {
        return make_error(Errc::no_application_protocol,
                          "the client's ALPN protocols and this server's (" + policy.alpn.front() +
                              ", ...) have none in common (RFC 7301 §3.2)");
      }
    }
  }
  return choice;
}

Result<messages::ServerHello> build_server_hello(const ServerChoice& choice,
                                                 const messages::Random& random) {
  messages::ServerHello hello;
  hello.version = kTls12;
  hello.random = random;
  hello.cipher_suite = choice.suite->id;
  hello.compression_method = 0;
  auto& extensions = hello.extensions;
  if (choice.client_sent_server_name) {
    extensions.push_back(make_extension(ExtensionType::server_name, {}));
  }
  if (choice.certificate_type != CertificateType::x509) {
    extensions.push_back(make_extension(
        ExtensionType::cert_type, messages::encode_server_cert_type(choice.certificate_type)));
  }
  extensions.push_back(make_extension(ExtensionType::extended_master_secret, {}));
  if (choice.client_signals_renegotiation_info) {
    // RFC 5746 §3.6: only in answer to the extension or the SCSV.
    extensions.push_back(
        make_extension(ExtensionType::renegotiation_info, messages::encode_renegotiation_info({})));
  }
  if (choice.alpn.has_value()) {
    const std::vector<std::string> one{*choice.alpn};
    PGPTLS_TRY(Bytes alpn, messages::encode_alpn(one));
    extensions.push_back(make_extension(ExtensionType::alpn, std::move(alpn)));
  }
  // RFC 8422 §5.2: a server choosing an ECC suite answers the client's
  // ec_point_formats with its own; RFC 5246 §7.4.1.4: never unasked.
  if (choice.client_sent_point_formats) {
    const std::uint8_t uncompressed[] = {messages::kPointFormatUncompressed};
    extensions.push_back(make_extension(ExtensionType::ec_point_formats,
                                        messages::encode_point_formats(uncompressed)));
  }
  return hello;
}

Result<ClientNegotiated> check_server_hello(const messages::ClientHello& offered,
                                            const messages::ServerHello& hello) {
  if (hello.version != kTls12) {
    return make_error(
        Errc::protocol_version,
        "the server answered with " + version_name(hello.version) + "; pgptls speaks TLS 1.2 only");
  }
  ClientNegotiated result;
  if (!contains(offered.cipher_suites, hello.cipher_suite) ||
      (result.suite = find_cipher_suite(hello.cipher_suite)) == nullptr) {
    return make_error(Errc::illegal_parameter, "the server chose cipher suite " +
                                                   std::to_string(hello.cipher_suite) +
                                                   ", which was not offered");
  }
  if (hello.compression_method != 0) {
    return make_error(Errc::illegal_parameter,
                      "the server chose a compression method; pgptls "
                      "offers none (CRIME)");
  }
  // RFC 5246 §7.4.1.4: an extension the client did not offer is fatal.
  for (const Extension& extension : hello.extensions) {
    const bool was_offered =
        std::any_of(offered.extensions.begin(), offered.extensions.end(),
                    [&](const Extension& mine) { return mine.type == extension.type; });
    if (!was_offered) {
      return make_error(Errc::unsupported_extension,
                        "the ServerHello carries extension " + std::to_string(extension.type) +
                            ", which the client did not offer (RFC 5246 §7.4.1.4)");
    }
  }
  const auto& extensions = hello.extensions;

  std::vector<CertificateType> offered_types{CertificateType::x509};
  if (const Extension* mine = find_extension(offered.extensions, ExtensionType::cert_type)) {
    PGPTLS_TRY(offered_types, messages::parse_client_cert_types(mine->data));
  }
  result.certificate_type = CertificateType::x509;  // RFC 6091 §3.1: absent means X.509
  if (const Extension* chosen = find_extension(extensions, ExtensionType::cert_type)) {
    PGPTLS_TRY(result.certificate_type, messages::parse_server_cert_type(chosen->data));
  }
  if (!contains(offered_types, result.certificate_type)) {
    return make_error(Errc::unsupported_certificate,
                      "the server chose certificate type " +
                          std::string(certificate_type_name(result.certificate_type)) +
                          ", but the client offered [" + type_list(offered_types) + "]");
  }

  PGPTLS_CHECK(require_extended_master_secret(extensions, "the server does not use"));

  const Extension* reneg = find_extension(extensions, ExtensionType::renegotiation_info);
  if (reneg == nullptr) {
    return make_error(Errc::handshake_failure,
                      "the server does not support secure renegotiation signalling (RFC 5746), "
                      "which pgptls requires");
  }
  PGPTLS_TRY(const Bytes connection, messages::parse_renegotiation_info(reneg->data));
  if (!connection.empty()) {
    return make_error(Errc::handshake_failure,
                      "the ServerHello's renegotiation_info is not empty on an initial handshake "
                      "(RFC 5746 §3.4)");
  }

  if (const Extension* sni = find_extension(extensions, ExtensionType::server_name)) {
    PGPTLS_CHECK(messages::expect_empty_extension(sni->data, "server_name"));
  }
  if (const Extension* formats = find_extension(extensions, ExtensionType::ec_point_formats)) {
    PGPTLS_TRY(const auto list, messages::parse_point_formats(formats->data));
    if (!contains(list, messages::kPointFormatUncompressed)) {
      return make_error(Errc::illegal_parameter,
                        "the server's ec_point_formats lack uncompressed (RFC 8422 §5.1.2)");
    }
  }
  if (const Extension* alpn = find_extension(extensions, ExtensionType::alpn)) {
    PGPTLS_TRY(const auto protocols, messages::parse_alpn(alpn->data));
    PGPTLS_TRY(const auto mine,
               messages::parse_alpn(find_extension(offered.extensions, ExtensionType::alpn)->data));
    if (protocols.size() != 1 || !contains(mine, protocols.front())) {
      return make_error(Errc::illegal_parameter,
                        "the server's ALPN answer is not exactly one of the offered protocols "
                        "(RFC 7301 §3.1)");
    }
    result.alpn = protocols.front();
  }
  return result;
}

}  // namespace pgptls::tls
