// negotiation_test.cpp: ClientHello construction, the server's selection
// and the client's ServerHello checks, each rejection with its message.
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/support/temp_dir.h"
#include "tests/tls/engine_support.h"
#include "tls/rfc6091/negotiation.h"
#include "tls/wire/errors.h"
#include "tls/wire/messages/extensions.h"

namespace pgptls::tls {
namespace {

using messages::Extension;
using messages::ExtensionType;

class NegotiationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new pgptls::test::TempDir();
    ed25519_ = new test::X509Identity(
        test::make_x509_identity(*dir_, test::KeyKind::ed25519, "ed.example"));
    rsa_ = new test::X509Identity(
        test::make_x509_identity(*dir_, test::KeyKind::rsa2048, "rsa.example"));
  }
  static void TearDownTestSuite() {
    delete rsa_;
    delete ed25519_;
    delete dir_;
  }

  static Credentials x509(const test::X509Identity& identity) {
    Credentials credentials;
    credentials.x509 = identity.credential();
    return credentials;
  }

  static messages::ClientHello hello(const NegotiationPolicy& policy = {},
                                     std::vector<CertificateType> types = {CertificateType::openpgp,
                                                                           CertificateType::x509}) {
    return build_client_hello(policy, types, std::string("ed.example"), messages::Random{}).value();
  }

  static void drop(messages::ClientHello& hello, ExtensionType type) {
    std::erase_if(hello.extensions, [type](const Extension& extension) {
      return extension.type == static_cast<std::uint16_t>(type);
    });
  }

  static void expect_refusal(const Result<ServerChoice>& choice, AlertDescription alert,
                             const std::string& part) {
    ASSERT_FALSE(choice.ok());
    EXPECT_EQ(alert_for(choice.error().code), alert) << choice.error().message();
    EXPECT_NE(choice.error().message().find(part), std::string::npos) << choice.error().message();
  }

  static pgptls::test::TempDir* dir_;
  static test::X509Identity* ed25519_;
  static test::X509Identity* rsa_;
};
pgptls::test::TempDir* NegotiationTest::dir_ = nullptr;
test::X509Identity* NegotiationTest::ed25519_ = nullptr;
test::X509Identity* NegotiationTest::rsa_ = nullptr;

TEST_F(NegotiationTest, ClientHelloOffersTls12OnlyWithTheRequiredExtensions) {
  NegotiationPolicy policy;
  policy.alpn = {"xmpp-server"};
  const auto client = hello(policy);
  EXPECT_EQ(client.legacy_version, kTls12);
  EXPECT_EQ(client.compression_methods, Bytes{0});
  EXPECT_EQ(find_extension(client.extensions, ExtensionType::supported_versions), nullptr);
  for (const ExtensionType type :
       {ExtensionType::server_name, ExtensionType::supported_groups,
        ExtensionType::ec_point_formats, ExtensionType::signature_algorithms, ExtensionType::alpn,
        ExtensionType::cert_type, ExtensionType::extended_master_secret,
        ExtensionType::renegotiation_info}) {
    EXPECT_NE(find_extension(client.extensions, type), nullptr) << static_cast<int>(type);
  }
  EXPECT_EQ(find_extension(client.extensions, ExtensionType::cert_type)->data,
            (Bytes{0x02, 0x01, 0x00}));
  // RFC 6091 §2: an X.509-only client omits cert_type.
  const auto x509_only = hello({}, {CertificateType::x509});
  EXPECT_EQ(find_extension(x509_only.extensions, ExtensionType::cert_type), nullptr);
  // Nothing to offer is a configuration error.
  NegotiationPolicy empty;
  empty.cipher_suites.clear();
  const auto refused = build_client_hello(empty, {CertificateType::x509}, std::nullopt, {});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message().find("fix the configuration"), std::string::npos);
}

TEST_F(NegotiationTest, OfferedTypesFollowCredentials) {
  NegotiationPolicy policy;
  EXPECT_EQ(offered_certificate_types(policy, {}),
            (std::vector<CertificateType>{CertificateType::openpgp, CertificateType::x509}));
  EXPECT_EQ(offered_certificate_types(policy, x509(*ed25519_)),
            std::vector<CertificateType>{CertificateType::x509});
}

TEST_F(NegotiationTest, ServerPicksBySuiteKeyGroupAndScheme) {
  NegotiationPolicy policy;
  auto choice = select_server_parameters(hello(), policy, x509(*ed25519_));
  ASSERT_TRUE(choice.ok()) << choice.error().message();
  EXPECT_EQ(choice->certificate_type, CertificateType::x509);
  EXPECT_EQ(choice->suite->auth, AuthAlgorithm::ecdsa);
  EXPECT_EQ(choice->scheme, SignatureScheme::ed25519);
  EXPECT_EQ(choice->group, policy.groups.front());
  EXPECT_EQ(choice->server_name.value(), "ed.example");
  auto rsa = select_server_parameters(hello(), policy, x509(*rsa_));
  ASSERT_TRUE(rsa.ok());
  EXPECT_EQ(rsa->suite->auth, AuthAlgorithm::rsa);
  // The ServerHello omits cert_type for X.509 and answers SNI with empty data.
  const auto server_hello = build_server_hello(*choice, {}).value();
  EXPECT_EQ(find_extension(server_hello.extensions, ExtensionType::cert_type), nullptr);
  EXPECT_TRUE(find_extension(server_hello.extensions, ExtensionType::server_name)->data.empty());
  const auto checked = check_server_hello(hello(), server_hello);
  ASSERT_TRUE(checked.ok()) << checked.error().message();
  EXPECT_EQ(checked->certificate_type, CertificateType::x509);
}

TEST_F(NegotiationTest, ServerRefusals) {
  const NegotiationPolicy policy;
  const Credentials credentials = x509(*ed25519_);
  {
    auto client = hello();
    client.legacy_version = 0x0302;
    expect_refusal(select_server_parameters(client, policy, credentials),
                   AlertDescription::protocol_version,
                   "offers at most TLS 1.1, pgptls requires TLS 1.2");
  }
  {
    auto client = hello();
    client.compression_methods = {1};
    expect_refusal(select_server_parameters(client, policy, credentials),
                   AlertDescription::illegal_parameter, "null compression");
  }
  {
    auto client = hello();
    drop(client, ExtensionType::renegotiation_info);
    client.extensions.push_back({static_cast<std::uint16_t>(ExtensionType::renegotiation_info),
                                 messages::encode_renegotiation_info(Bytes(12, 1))});
    expect_refusal(select_server_parameters(client, policy, credentials),
                   AlertDescription::handshake_failure, "RFC 5746");
  }
  {
    auto client = hello();
    drop(client, ExtensionType::supported_groups);
    expect_refusal(select_server_parameters(client, policy, credentials),
                   AlertDescription::handshake_failure, "no supported_groups");
  }
  {
    NegotiationPolicy only_p384;
    only_p384.groups = {NamedGroup::secp384r1};
    NegotiationPolicy only_x25519;
    only_x25519.groups = {NamedGroup::x25519};
    expect_refusal(select_server_parameters(hello(only_p384), only_x25519, credentials),
                   AlertDescription::handshake_failure, "no ECDHE group in common");
  }
  {
    auto client = hello();
    drop(client, ExtensionType::signature_algorithms);
    expect_refusal(select_server_parameters(client, policy, credentials),
                   AlertDescription::handshake_failure, "refuses SHA-1");
  }
  {
    NegotiationPolicy rsa_schemes;
    rsa_schemes.signature_schemes = {SignatureScheme::rsa_pss_rsae_sha256};
    expect_refusal(select_server_parameters(hello(rsa_schemes), policy, credentials),
                   AlertDescription::handshake_failure, "no signature scheme in common");
  }
  {
    NegotiationPolicy rsa_suites;
    rsa_suites.cipher_suites = {kEcdheRsaAes128GcmSha256};
    expect_refusal(select_server_parameters(hello(rsa_suites), policy, credentials),
                   AlertDescription::handshake_failure, "no cipher suite in common");
  }
  {
    auto client = hello();
    drop(client, ExtensionType::ec_point_formats);
    client.extensions.push_back({static_cast<std::uint16_t>(ExtensionType::ec_point_formats),
                                 messages::encode_point_formats(std::vector<std::uint8_t>{1})});
    expect_refusal(select_server_parameters(client, policy, credentials),
                   AlertDescription::illegal_parameter, "uncompressed");
  }
  {
    NegotiationPolicy client_alpn;
    client_alpn.alpn = {"xmpp-client"};
    NegotiationPolicy server_alpn;
    server_alpn.alpn = {"xmpp-server"};
    expect_refusal(select_server_parameters(hello(client_alpn), server_alpn, credentials),
                   AlertDescription::no_application_protocol, "ALPN");
    client_alpn.alpn = {"xmpp-client", "xmpp-server"};
    auto chosen = select_server_parameters(hello(client_alpn), server_alpn, credentials);
    ASSERT_TRUE(chosen.ok());
    EXPECT_EQ(chosen->alpn.value(), "xmpp-server");
  }
  {
    // OpenPGP only, and the server has only X.509.
    expect_refusal(
        select_server_parameters(hello({}, {CertificateType::openpgp}), policy, credentials),
        AlertDescription::unsupported_certificate, "this server has credentials for [x509]");
  }
}

TEST_F(NegotiationTest, ClientRefusals) {
  const NegotiationPolicy policy;
  const auto offered = hello();
  const auto choice = select_server_parameters(offered, policy, x509(*ed25519_)).value();
  const auto good = build_server_hello(choice, {}).value();
  const auto refused = [&](messages::ServerHello server, AlertDescription alert,
                           const std::string& part) {
    const auto checked = check_server_hello(offered, server);
    ASSERT_FALSE(checked.ok());
    EXPECT_EQ(alert_for(checked.error().code), alert) << checked.error().message();
    EXPECT_NE(checked.error().message().find(part), std::string::npos) << checked.error().message();
  };
  {
    auto server = good;
    server.version = 0x0304;
    refused(server, AlertDescription::protocol_version,
            "answered with TLS 1.3; pgptls speaks TLS 1.2 only");
  }
  {
    auto server = good;
    server.cipher_suite = 0x009C;  // TLS_RSA_WITH_AES_128_GCM_SHA256, never offered
    refused(server, AlertDescription::illegal_parameter, "not offered");
  }
  {
    auto server = good;
    server.compression_method = 1;
    refused(server, AlertDescription::illegal_parameter, "compression");
  }
  {
    auto server = good;
    std::erase_if(server.extensions, [](const Extension& e) {
      return e.type == static_cast<std::uint16_t>(ExtensionType::renegotiation_info);
    });
    refused(server, AlertDescription::handshake_failure, "RFC 5746");
  }
  {
    auto server = good;
    server.extensions.push_back({static_cast<std::uint16_t>(ExtensionType::alpn),
                                 messages::encode_alpn(std::vector<std::string>{"x"}).value()});
    refused(server, AlertDescription::unsupported_extension, "did not offer");
  }
  {
    // The client offered OpenPGP only; a ServerHello without cert_type
    // means X.509.
    const auto openpgp_only = hello({}, {CertificateType::openpgp});
    const auto checked = check_server_hello(openpgp_only, good);
    ASSERT_FALSE(checked.ok());
    EXPECT_EQ(alert_for(checked.error().code), AlertDescription::unsupported_certificate);
  }
}

}  // namespace
}  // namespace pgptls::tls
