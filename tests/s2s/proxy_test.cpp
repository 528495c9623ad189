// `pgptls s2s` end to end over loopback: proxy B (outbound, hosting
// b.example) carries a stream from a stand-in for B's XMPP server to proxy
// A (inbound, hosting a.example), which hands it to a stand-in for A's XMPP
// server with PROXY v2. Covers OpenPGP acceptance, STARTTLS and Direct TLS,
// the refusals (uncertified key, invalid-from, host-unknown, X.509 without
// a pin), the stanza cap, SRV from dnsmasq with a dead first target, and
// SIGTERM.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <csignal>
#include <fstream>
#include <string>
#include <utility>

#include "tests/s2s/dnsmasq.h"
#include "tests/s2s/s2s_world.h"
#include "tests/support/network.h"
#include "tls/gnutls/gnutls_engine.h"
#include "transport/stream.h"
#include "xmpp/proxy_v2.h"

namespace pgptls::test {
namespace {

const std::string kBackendReply =
    "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' "
    "from='a.example' to='b.example' id='s1' version='1.0'><stream:features/>";
const std::string kMessage =
    "<message from='u@b.example' to='v@a.example' type='chat'><body>hello</body></message>";

std::string tlv(const xmpp::ProxyHeader& header, std::uint8_t type) {
  for (const auto& entry : header.tlvs) {
    if (entry.type == type) {
      return entry.value;
    }
  }
  return "<missing>";
}

class S2sProxyTest : public S2sWorld {
 protected:
  // start_a: proxy A in front of `backend_`, hosting a.example with the
  // OpenPGP key a and the X.509 identity a.
  ProxyProcess start_a(const std::string& limits = "") {
    return start_proxy("A", openpgp_trust() + "[inbound]\nlisten = [\"127.0.0.1:0\"]\n" +
                                "backend = \"127.0.0.1:" + std::to_string(backend_.port()) +
                                "\"\n" + limits + openpgp_domain("a.example", "a") +
                                "x509-cert = \"" + x509_a_->cert_file.string() +
                                "\"\nx509-key = \"" + x509_a_->key_file.string() + "\"\n");
  }
  // start_b: proxy B routing a.example (and any `extra_routes`) to A.
  ProxyProcess start_b(const ProxyProcess& a, const std::string& domains,
                       const std::string& route_options = "", const std::string& extra = "") {
    return start_proxy("B", openpgp_trust() +
                                "[outbound]\nlisten = \"127.0.0.1:0\"\n[dns]\nstatic = "
                                "[\"a.example=127.0.0.1:" +
                                std::to_string(a.inbound_port) + route_options + "\"" + extra +
                                "]\n" + domains);
  }

  // open_stream: B's XMPP server opens a stream to a.example through B.
  RawPeer open_stream(const ProxyProcess& b, const std::string& from = "b.example",
                      const std::string& to = "a.example") {
    auto peer = RawPeer::connect_to(b.outbound_port);
    EXPECT_TRUE(peer.has_value());
    if (!peer) {
      return RawPeer();
    }
    EXPECT_TRUE(peer->send(stream_open(from, to)));
    return std::move(*peer);
  }

  // accept_backend: A's XMPP server accepts A's connection and reads the
  // PROXY v2 header and the relayed stream header.
  std::optional<xmpp::ProxyHeader> accept_backend(RawPeer& backend) {
    auto accepted = backend_.accept(kWait);
    if (!accepted) {
      ADD_FAILURE() << "proxy A never connected to the backend";
      return std::nullopt;
    }
    backend = std::move(*accepted);
    if (!backend.read_at_least(16, kWait)) {
      ADD_FAILURE() << "no PROXY header";
      return std::nullopt;
    }
    const std::size_t length = (static_cast<std::uint8_t>(backend.received()[14]) << 8) |
                               static_cast<std::uint8_t>(backend.received()[15]);
    EXPECT_TRUE(backend.read_at_least(16 + length, kWait));
    std::size_t consumed = 0;
    auto header = xmpp::decode_proxy_v2(backend.received(), consumed);
    if (!header.ok()) {
      ADD_FAILURE() << header.error().message();
      return std::nullopt;
    }
    return *header;
  }

  RawListener backend_;
};

TEST_F(S2sProxyTest, OpenPgpPeerOverStarttlsReachesTheBackendWithProxyV2AndRelays) {
  ProxyProcess a = start_a();
  ProxyProcess b = start_b(a, openpgp_domain("b.example", "b"));
  RawPeer prosody_b = open_stream(b);
  RawPeer prosody_a;
  auto proxy = accept_backend(prosody_a);
  ASSERT_TRUE(proxy) << a.log() << b.log();
  const std::string open = stream_open("b.example", "a.example");

  EXPECT_EQ(tlv(*proxy, xmpp::kTlvAuthenticatedDomain), "b.example");
  EXPECT_NE(tlv(*proxy, xmpp::kTlvAcceptedBy).find("cert=openpgp TLSv1.2 accepted by authority"),
            std::string::npos)
      << tlv(*proxy, xmpp::kTlvAcceptedBy);
  EXPECT_EQ(tlv(*proxy, xmpp::kTlvSsl), xmpp::ssl_tlv_value("TLSv1.2"));
  EXPECT_EQ(proxy->source.ip, (std::vector<std::uint8_t>{127, 0, 0, 1}));
  EXPECT_EQ(proxy->destination.port, a.inbound_port);

  // After the PROXY header: B's server's own stream header, unchanged
  // (without the XML declaration).
  const std::string header_only = open.substr(open.find("<stream:stream"));
  ASSERT_TRUE(prosody_a.read_until("version='1.0'>", kWait));
  EXPECT_NE(prosody_a.received().find(header_only), std::string::npos);

  ASSERT_TRUE(prosody_a.send(kBackendReply));
  ASSERT_TRUE(prosody_b.read_until("<stream:features/>", kWait)) << prosody_b.received();

  // SASL EXTERNAL, then both servers restart their streams with new XML
  // declarations (RFC 6120 §6.4.6); both proxies follow.
  ASSERT_TRUE(
      prosody_b.send("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' "
                     "mechanism='EXTERNAL'>YS5leGFtcGxl</auth>"));
  ASSERT_TRUE(prosody_a.read_until("</auth>", kWait));
  ASSERT_TRUE(prosody_a.send("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>"));
  ASSERT_TRUE(prosody_b.read_until("<success", kWait));
  ASSERT_TRUE(prosody_b.send(open));
  ASSERT_TRUE(prosody_a.read_until(open.substr(1), kWait)) << a.log() << b.log();
  ASSERT_TRUE(prosody_a.send("<?xml version='1.0'?>" + kBackendReply));
  prosody_b.clear();
  ASSERT_TRUE(prosody_b.read_until("<stream:features/>", kWait)) << a.log() << b.log();

  ASSERT_TRUE(prosody_b.send(kMessage));
  EXPECT_TRUE(prosody_a.read_until("<body>hello</body></message>", kWait));
  EXPECT_EQ(a.log().find("closed"), std::string::npos) << a.log();
  EXPECT_EQ(b.log().find("closed"), std::string::npos) << b.log();

  EXPECT_TRUE(
      a.wait_for_log("s2s in b.example -> a.example: cert=openpgp TLSv1.2 accepted by "
                     "authority"))
      << a.log();
  EXPECT_TRUE(b.wait_for_log("s2s out b.example -> a.example via 127.0.0.1:" +
                             std::to_string(a.inbound_port) + " (starttls): cert=openpgp"))
      << b.log();
}

TEST_F(S2sProxyTest, DirectTlsRouteIsDetectedByTheInboundPort) {
  ProxyProcess a = start_a();
  ProxyProcess b = start_b(a, openpgp_domain("b.example", "b"), ",direct-tls");
  RawPeer prosody_b = open_stream(b);
  RawPeer prosody_a;
  auto proxy = accept_backend(prosody_a);
  ASSERT_TRUE(proxy) << a.log() << b.log();
  EXPECT_EQ(tlv(*proxy, xmpp::kTlvAuthenticatedDomain), "b.example");
  ASSERT_TRUE(prosody_a.send(kBackendReply));
  EXPECT_TRUE(prosody_b.read_until("<stream:features/>", kWait));
  EXPECT_TRUE(b.wait_for_log("(direct-tls): cert=openpgp")) << b.log();
  EXPECT_TRUE(a.wait_for_log("s2s in b.example -> a.example: cert=openpgp")) << a.log();
}

TEST_F(S2sProxyTest, AnUncertifiedKeyIsRefusedAndTheLocalServerGetsRemoteConnectionFailed) {
  ProxyProcess a = start_a();
  ProxyProcess b = start_b(a, openpgp_domain("b.example", "impostor"));
  RawPeer prosody_b = open_stream(b);
  ASSERT_TRUE(prosody_b.read_until("</stream:stream>", kWait)) << b.log();
  EXPECT_NE(prosody_b.received().find(
                "<remote-connection-failed xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"),
            std::string::npos);
  EXPECT_TRUE(a.wait_for_log(": refused: TLS handshake (starttls) failed:")) << a.log();
  EXPECT_TRUE(b.wait_for_log("s2s out b.example -> a.example: failed: 127.0.0.1:")) << b.log();
  EXPECT_FALSE(backend_.accept(std::chrono::milliseconds(0))) << "an impostor reached the server";
}

// starttls_peer: a remote server written for the test (GnuTLS, b.example's
// X.509 identity): plain header from `plain_from`, STARTTLS, then the
// restarted header `restarted`; returns everything A sent after TLS.
std::string starttls_peer(std::uint16_t port, const Identity& own, const Identity& expected,
                          const std::string& plain_from, const std::string& restarted) {
  namespace asio = boost::asio;
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), port});
  const timeval timeout{20, 0};  // bounds every blocking read below
  ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  asio::write(socket, asio::buffer(stream_open(plain_from, "a.example")));
  std::string plain;
  asio::read_until(socket, asio::dynamic_buffer(plain), "</stream:features>");
  asio::write(socket,
              asio::buffer(std::string("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")));
  const std::size_t end = asio::read_until(socket, asio::dynamic_buffer(plain), "<proceed");
  auto verifier = std::make_shared<SpkiVerifier>();
  verifier->accepted = {expected.spki};
  transport::EngineFactory factory =
      [&own,
       verifier](const transport::EngineRequest& request) -> Result<std::unique_ptr<tls::Engine>> {
    auto config = engine_config(tls::Role::client, &own, verifier);
    config.expected_domain = request.options.peer_domain;
    config.server_name = request.options.peer_domain.value_or("");
    return tls::make_gnutls_engine(std::move(config));
  };
  transport::Stream<asio::ip::tcp::socket> tls(factory, std::move(socket));
  const std::string after = plain.substr(plain.find('>', end) + 1);
  tls.add_received(as_bytes_view(after));
  boost::system::error_code error;
  tls.handshake(tls::Role::client, transport::HandshakeOptions::for_peer("a.example"), error);
  EXPECT_FALSE(error) << (tls.last_error() ? tls.last_error()->message() : error.message());
  if (error) {
    return {};
  }
  asio::write(tls, asio::buffer(restarted), error);
  std::string answer;
  asio::read(tls, asio::dynamic_buffer(answer), error);  // until A closes
  return answer;
}

TEST_F(S2sProxyTest, ARestartedHeaderFromAnotherDomainIsInvalidFrom) {
  ProxyProcess a = start_a();
  pin(a, "b.example", *x509_b_);
  const std::string answer = starttls_peer(a.inbound_port, *x509_b_, *x509_a_, "b.example",
                                           stream_open("evil.example", "a.example"));
  EXPECT_NE(answer.find("<invalid-from xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"),
            std::string::npos)
      << answer;
  EXPECT_TRUE(a.wait_for_log("refused: invalid-from: TLS authenticated b.example")) << a.log();
  EXPECT_TRUE(a.wait_for_log("but the restarted stream header says from='evil.example'"));
  EXPECT_FALSE(backend_.accept(std::chrono::milliseconds(0)));
}

TEST_F(S2sProxyTest, ARestartedHeaderToADomainWeDoNotHostIsHostUnknown) {
  ProxyProcess a = start_a();
  pin(a, "b.example", *x509_b_);
  const std::string answer = starttls_peer(a.inbound_port, *x509_b_, *x509_a_, "b.example",
                                           stream_open("b.example", "zzz.example"));
  EXPECT_NE(answer.find("<host-unknown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"),
            std::string::npos)
      << answer;
  EXPECT_TRUE(a.wait_for_log("refused: host-unknown: the restarted stream is for 'zzz.example'"))
      << a.log();
  EXPECT_FALSE(backend_.accept(std::chrono::milliseconds(0)));
}

TEST_F(S2sProxyTest, AKeyForAnotherDomainThanThePlainHeaderClaimsIsRefusedInTheHandshake) {
  ProxyProcess a = start_a();
  // B serves evil.example with b's key: its plain header claims
  // evil.example, its certificate says b.example.
  ProxyProcess b = start_b(a, openpgp_domain("evil.example", "b"));
  RawPeer prosody_b = open_stream(b, "evil.example", "a.example");
  ASSERT_TRUE(prosody_b.read_until("</stream:stream>", kWait)) << a.log() << b.log();
  EXPECT_NE(prosody_b.received().find("remote-connection-failed"), std::string::npos);
  EXPECT_TRUE(a.wait_for_log("has no user ID xmpp:evil.example")) << a.log();
  EXPECT_FALSE(backend_.accept(std::chrono::milliseconds(0)));
}

TEST_F(S2sProxyTest, AStreamToADomainWeDoNotHostIsHostUnknown) {
  ProxyProcess a = start_a();
  auto peer = RawPeer::connect_to(a.inbound_port);
  ASSERT_TRUE(peer);
  ASSERT_TRUE(peer->send(stream_open("b.example", "zzz.example")));
  ASSERT_TRUE(peer->read_until("</stream:stream>", kWait));
  EXPECT_NE(peer->received().find("<host-unknown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"),
            std::string::npos);
  EXPECT_TRUE(peer->closed_within(kWait));
  EXPECT_TRUE(a.wait_for_log("refused: host-unknown: the stream is for 'zzz.example'")) << a.log();

  // Through B: the attempt fails and B's server hears why.
  ProxyProcess b = start_b(a, openpgp_domain("b.example", "b"), "",
                           ", \"zzz.example=127.0.0.1:" + std::to_string(a.inbound_port) + "\"");
  RawPeer prosody_b = open_stream(b, "b.example", "zzz.example");
  ASSERT_TRUE(prosody_b.read_until("</stream:stream>", kWait)) << b.log();
  EXPECT_NE(prosody_b.received().find("remote-connection-failed"), std::string::npos);
  EXPECT_NE(prosody_b.received().find("host-unknown"), std::string::npos);
}

TEST_F(S2sProxyTest, AnX509PeerIsRefusedWithoutAPinAndAcceptedWithOne) {
  ProxyProcess a = start_a();
  ProxyProcess b = start_proxy(
      "B",
      "[outbound]\nlisten = \"127.0.0.1:0\"\nmode = \"x509\"\n[dns]\nstatic = "
      "[\"a.example=127.0.0.1:" +
          std::to_string(a.inbound_port) + "\"]\n" + x509_domain("b.example", *x509_b_));
  pin(b, "a.example", *x509_a_);

  RawPeer refused = open_stream(b);
  ASSERT_TRUE(refused.read_until("</stream:stream>", kWait)) << b.log();
  EXPECT_NE(refused.received().find("remote-connection-failed"), std::string::npos);
  // The plain header's from='b.example' is checked in the handshake, so
  // the refusal names the domain and the command that fixes it.
  EXPECT_TRUE(
      a.wait_for_log("refused: TLS handshake (starttls) failed: x509 key for b.example "
                     "matches no pin"))
      << a.log();
  EXPECT_TRUE(a.wait_for_log("pgptls pin add b.example")) << a.log();
  EXPECT_FALSE(backend_.accept(std::chrono::milliseconds(0)));

  pin(a, "b.example", *x509_b_);
  RawPeer prosody_b = open_stream(b);
  RawPeer prosody_a;
  auto proxy = accept_backend(prosody_a);
  ASSERT_TRUE(proxy) << a.log() << b.log();
  EXPECT_EQ(tlv(*proxy, xmpp::kTlvAuthenticatedDomain), "b.example");
  EXPECT_NE(tlv(*proxy, xmpp::kTlvAcceptedBy).find("cert=x509 TLSv1.3 accepted by pin"),
            std::string::npos)
      << tlv(*proxy, xmpp::kTlvAcceptedBy);
  ASSERT_TRUE(prosody_a.send(kBackendReply));
  EXPECT_TRUE(prosody_b.read_until("<stream:features/>", kWait));
  EXPECT_TRUE(a.wait_for_log("s2s in b.example -> a.example: cert=x509 TLSv1.3 accepted by pin"))
      << a.log();
  EXPECT_TRUE(b.wait_for_log("(starttls): cert=x509 TLSv1.3 accepted by pin")) << b.log();
}

TEST_F(S2sProxyTest, AStanzaOverTheCapIsPolicyViolation) {
  ProxyProcess a = start_a("[limits]\nmax-stanza-bytes = 2048\n");
  ProxyProcess b = start_b(a, openpgp_domain("b.example", "b"));
  RawPeer prosody_b = open_stream(b);
  RawPeer prosody_a;
  ASSERT_TRUE(accept_backend(prosody_a)) << a.log() << b.log();
  ASSERT_TRUE(prosody_a.send(kBackendReply));
  ASSERT_TRUE(prosody_b.read_until("<stream:features/>", kWait));
  ASSERT_TRUE(prosody_b.send(kMessage));  // under the cap: relayed
  ASSERT_TRUE(prosody_a.read_until("<body>hello</body>", kWait));
  ASSERT_TRUE(prosody_b.send("<message><body>" + std::string(4096, 'x') + "</body></message>"));
  ASSERT_TRUE(prosody_b.read_until("</stream:error>", kWait)) << a.log();
  EXPECT_NE(prosody_b.received().find("<policy-violation"), std::string::npos);
  EXPECT_TRUE(a.wait_for_log("s2s in b.example -> a.example: closed: policy-violation")) << a.log();
  // The oversized stanza never reached A's server.
  EXPECT_TRUE(prosody_a.closed_within(kWait));
  EXPECT_EQ(prosody_a.received().find("xxxxxxxx"), std::string::npos);
}

TEST_F(S2sProxyTest, SrvFromDnsmasqSkipsADeadFirstTarget) {
  if (!has_tool("dnsmasq")) {
    GTEST_SKIP() << "dnsmasq is not installed (scripts/install-deps installs dnsmasq-base)";
  }
  ProxyProcess a = start_a();
  const std::uint16_t dead = free_port();  // nothing listens there
  const std::string live = std::to_string(a.inbound_port);
  Dnsmasq dns = start_dnsmasq(
      *dir_,
      {"--srv-host=_xmpp-server._tcp.a.example,dead.a.example," + std::to_string(dead) + ",0,0",
       "--srv-host=_xmpps-server._tcp.a.example,live.a.example," + live + ",5,0",
       "--srv-host=_xmpp-server._tcp.a.example,live.a.example," + live + ",10,0",
       "--host-record=dead.a.example,127.0.0.1", "--host-record=live.a.example,127.0.0.1"});
  ProxyProcess b = start_proxy(
      "B", openpgp_trust() + "[outbound]\nlisten = \"127.0.0.1:0\"\n[dns]\nserver = \"127.0.0.1:" +
               std::to_string(dns.port) + "\"\n" + openpgp_domain("b.example", "b"));
  RawPeer prosody_b = open_stream(b);
  RawPeer prosody_a;
  ASSERT_TRUE(accept_backend(prosody_a)) << a.log() << b.log();
  ASSERT_TRUE(prosody_a.send(kBackendReply));
  EXPECT_TRUE(prosody_b.read_until("<stream:features/>", kWait));
  // Priority 0 (dead) failed, priority 5 is Direct TLS (XEP-0368).
  EXPECT_TRUE(b.wait_for_log("s2s out b.example -> a.example via 127.0.0.1:" + live +
                             " (direct-tls): cert=openpgp"))
      << b.log();
}

TEST_F(S2sProxyTest, SigtermStopsTheProxyWithExitZero) {
  ProxyProcess a = start_a();
  ASSERT_TRUE(a.process);
  a.process->signal(SIGTERM);
  auto code = a.process->wait(kWait);
  ASSERT_TRUE(code.has_value()) << a.log();
  EXPECT_EQ(*code, 0);
  EXPECT_NE(a.log().find("s2s stopping: draining 0 link(s)"), std::string::npos);
}

TEST_F(S2sProxyTest, ConfigurationMistakesAreNamed) {
  const auto config = dir_->file("bad.toml");
  {
    std::ofstream out(config);
    out << "[inbound]\nlisten = [\"127.0.0.1:0\"]\nbackend = \"127.0.0.1:1\"\ntypo = 1\n";
  }
  auto result = run_tool({PGPTLS_PROGRAM, "s2s", "--config", config.string()});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("unknown setting 'typo' in [inbound]"), std::string::npos)
      << result.err;
}

TEST_F(S2sProxyTest, SectionsThatAreNotTablesAreNamed) {
  const auto config = dir_->file("flat.toml");
  const std::pair<std::string, std::string> cases[] = {
      {"inbound = \"127.0.0.1:1\"\n", "inbound must be a table, written [inbound]"},
      {"limits = 5\n", "limits must be a table, written [limits]"},
      {"domain = \"a.example\"\n", "domain must be tables, each written [[domain]]"},
  };
  for (const auto& [text, message] : cases) {
    {
      std::ofstream out(config);
      out << text;
    }
    auto result = run_tool({PGPTLS_PROGRAM, "s2s", "--config", config.string()});
    EXPECT_EQ(result.exit_code, 2) << text;
    EXPECT_NE(result.err.find(config.string() + ": " + message), std::string::npos)
        << text << result.err;
  }
}

}  // namespace
}  // namespace pgptls::test
