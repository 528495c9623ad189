// Bad input at the inbound port of `pgptls s2s`: each case is dropped with
// its reason in the status line (and the stream error where the stream
// allows one), and the proxy keeps serving the next peer.
#include <gtest/gtest.h>

#include "tests/s2s/s2s_world.h"

namespace pgptls::test {
namespace {

class S2sBadInputTest : public S2sWorld {
 protected:
  void SetUp() override {
    proxy_ = start_proxy("A", openpgp_trust() +
                                  "[inbound]\nlisten = [\"127.0.0.1:0\"]\nbackend = "
                                  "\"127.0.0.1:1\"\n[limits]\nmax-header-bytes = 4096\n"
                                  "handshake-timeout-ms = 300\n" +
                                  openpgp_domain("a.example", "a"));
    ASSERT_NE(proxy_.inbound_port, 0);
  }

  // send_expect: a new connection sends `bytes`; the proxy must close it,
  // log `reason`, and (when given) answer with `stream_error`.
  void send_expect(const std::string& bytes, const std::string& reason,
                   const std::string& stream_error) {
    auto peer = RawPeer::connect_to(proxy_.inbound_port);
    ASSERT_TRUE(peer);
    (void)peer->send(bytes);  // may fail once the proxy has closed
    EXPECT_TRUE(peer->closed_within(kWait)) << "the proxy kept the connection open";
    if (!stream_error.empty()) {
      EXPECT_NE(peer->received().find("<" + stream_error +
                                      " xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"),
                std::string::npos)
          << peer->received();
    }
    EXPECT_TRUE(proxy_.wait_for_log(": refused: " + reason)) << proxy_.log();
    still_serving();
  }

  // still_serving: a well-behaved peer still gets STARTTLS offered.
  void still_serving() {
    auto peer = RawPeer::connect_to(proxy_.inbound_port);
    ASSERT_TRUE(peer);
    ASSERT_TRUE(peer->send(stream_open("b.example", "a.example")));
    EXPECT_TRUE(peer->read_until("<required/></starttls></stream:features>", kWait))
        << proxy_.log();
  }

  ProxyProcess proxy_;
};

TEST_F(S2sBadInputTest, Garbage) {
  send_expect(std::string("\x01garbage\xff<<<>>>", 15), "not-well-formed", "not-well-formed");
}

TEST_F(S2sBadInputTest, AHugeStreamHeader) {
  // 1 MiB of header: cut at max-header-bytes.
  send_expect("<stream:stream xmlns='jabber:server' a='" + std::string(1 << 20, 'x'),
              "policy-violation: more than 4096 bytes without a complete stream header", "");
}

TEST_F(S2sBadInputTest, AnEntityExpansionBomb) {
  std::string bomb = "<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol0 'lol'>";
  for (int level = 1; level <= 9; ++level) {
    bomb += "<!ENTITY lol" + std::to_string(level) + " '";
    for (int i = 0; i < 10; ++i) {
      bomb += "&lol" + std::to_string(level - 1) + ";";
    }
    bomb += "'>";
  }
  bomb += "]>" + stream_open("b.example", "a.example").substr(21) + "&lol9;";
  send_expect(bomb, "restricted-xml: the peer sent a DOCTYPE", "restricted-xml");
}

TEST_F(S2sBadInputTest, ADoctype) {
  send_expect("<?xml version='1.0'?><!DOCTYPE stream:stream SYSTEM 'http://x.example/a.dtd'>",
              "restricted-xml", "restricted-xml");
}

TEST_F(S2sBadInputTest, ASilentPeerIsCutAtTheDeadline) {
  send_expect("", "connection-timeout: no complete negotiation within 300 ms", "");
}

TEST_F(S2sBadInputTest, ATrickleThatNeverFinishesTheHeaderIsCutAtTheDeadline) {
  send_expect("<stream:stream xmlns='jabber:server'", "connection-timeout", "");
}

TEST_F(S2sBadInputTest, AStanzaInsteadOfStarttlsIsPolicyViolation) {
  send_expect(stream_open("b.example", "a.example") + "<message><body>hi</body></message>",
              "policy-violation: the peer sent <message/> instead of <starttls/>",
              "policy-violation");
}

TEST_F(S2sBadInputTest, AClientStreamNamespaceIsInvalidNamespace) {
  send_expect(
      "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
      "to='a.example' version='1.0'>",
      "invalid-namespace", "invalid-namespace");
}

}  // namespace
}  // namespace pgptls::test

namespace pgptls::test {
namespace {

class S2sLinkCapTest : public S2sWorld {};

TEST_F(S2sLinkCapTest, PeersBeyondMaxLinksAreRefusedAndTheSlotFreesAgain) {
  ProxyProcess proxy =
      start_proxy("A",
                  "[inbound]\nlisten = [\"127.0.0.1:0\"]\nbackend = \"127.0.0.1:1\"\n[limits]\n"
                  "max-links = 1\n" +
                      openpgp_domain("a.example", "a"));
  auto first = RawPeer::connect_to(proxy.inbound_port);  // holds the only slot
  ASSERT_TRUE(first);
  ASSERT_TRUE(first->send(stream_open("b.example", "a.example")));
  ASSERT_TRUE(first->read_until("</stream:features>", kWait));
  auto second = RawPeer::connect_to(proxy.inbound_port);
  ASSERT_TRUE(second);
  EXPECT_TRUE(second->closed_within(kWait));
  EXPECT_TRUE(proxy.wait_for_log("refused: max-links (1) links are open")) << proxy.log();
  first.reset();  // closing the first link frees its slot
  ASSERT_TRUE(proxy.wait_for_log("refused: reading the peer's stream: End of file")) << proxy.log();
  auto third = RawPeer::connect_to(proxy.inbound_port);
  ASSERT_TRUE(third);
  ASSERT_TRUE(third->send(stream_open("b.example", "a.example")));
  EXPECT_TRUE(third->read_until("</stream:features>", kWait)) << proxy.log();
}

}  // namespace
}  // namespace pgptls::test
