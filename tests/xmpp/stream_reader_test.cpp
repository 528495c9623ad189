// xmpp::StreamReader: the header and top-level elements with their exact
// bytes in any split, and every refusal (RFC 6120 §11.1 restricted XML,
// caps, namespaces, malformed XML) with its stream error condition.
#include "xmpp/stream_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "xmpp/errors.h"

namespace pgptls::xmpp {
namespace {

const std::string kHeader =
    "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' "
    "xmlns:db='jabber:server:dialback' from='b.example' to='a.example' version='1.0' id='x1'>";
const std::string kFeatures =
    "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"
    "</stream:features>";
const std::string kMessage =
    "<message from='u@b.example' to='v@a.example'><body>hi &amp; &#x263A; <![CDATA[<x>]]></body>"
    "</message>";

std::vector<Event> drain(StreamReader& reader) {
  std::vector<Event> events;
  while (auto event = reader.next()) {
    events.push_back(std::move(*event));
  }
  return events;
}

Errc fail_code(const std::string& input, ReaderLimits limits = {}) {
  StreamReader reader(limits);
  auto fed = reader.feed(input);
  EXPECT_FALSE(fed.ok()) << "accepted: " << input.substr(0, 200);
  if (fed.ok()) {
    return Errc{};
  }
  EXPECT_EQ(fed.error().code.category(), xmpp_category());
  return static_cast<Errc>(fed.error().code.value());
}

TEST(StreamReader, HeaderElementsAndEndWithExactBytesInOneFeed) {
  StreamReader reader;
  const std::string input = "<?xml version='1.0'?>" + kHeader + kFeatures + " \n" + kMessage +
                            "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:stream>";
  ASSERT_TRUE(reader.feed(input).ok()) << reader.error()->message();
  const auto events = drain(reader);
  ASSERT_EQ(events.size(), 5U);
  EXPECT_EQ(events[0].kind, EventKind::header);
  EXPECT_EQ(events[0].raw, kHeader);
  ASSERT_TRUE(reader.header());
  EXPECT_EQ(reader.header()->from, "b.example");
  EXPECT_EQ(reader.header()->to, "a.example");
  EXPECT_EQ(reader.header()->id, "x1");
  EXPECT_EQ(reader.header()->version, "1.0");
  EXPECT_EQ(events[1].raw, kFeatures);
  EXPECT_EQ(events[1].ns, kStreamNamespace);
  EXPECT_EQ(events[1].name, "features");
  EXPECT_EQ(events[1].children,
            std::vector<std::string>{"urn:ietf:params:xml:ns:xmpp-tls starttls"});
  EXPECT_EQ(reader.header()->end_offset, 21 + kHeader.size());
  EXPECT_EQ(events[2].raw, kMessage);
  EXPECT_EQ(events[2].ns, kServerNamespace);
  EXPECT_EQ(events[2].name, "message");
  EXPECT_EQ(events[3].raw, "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
  EXPECT_EQ(events[3].ns, kTlsNamespace);
  EXPECT_EQ(events[3].name, "proceed");
  EXPECT_EQ(events[4].kind, EventKind::stream_end);
}

TEST(StreamReader, ByteByByteGivesTheSameEvents) {
  StreamReader reader;
  const std::string input = kHeader + kMessage + "<db:result from='b.example' to='a.example'/>";
  for (const char c : input) {
    ASSERT_TRUE(reader.feed(std::string(1, c)).ok()) << reader.error()->message();
  }
  const auto events = drain(reader);
  ASSERT_EQ(events.size(), 3U);
  EXPECT_EQ(events[0].raw, kHeader);
  EXPECT_EQ(events[1].raw, kMessage);
  EXPECT_EQ(events[2].raw, "<db:result from='b.example' to='a.example'/>");
  EXPECT_EQ(events[2].ns, "jabber:server:dialback");
}

TEST(StreamReader, TailAfterStarttlsIsKeptForTls) {
  StreamReader reader;
  reader.stop_after_element();
  ASSERT_TRUE(
      reader.feed(kHeader + "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>\x16\x03\x01").ok())
      << reader.error()->message();
  ASSERT_TRUE(reader.feed("\x02").ok());
  EXPECT_EQ(drain(reader).size(), 2U);
  // Not XML: the caller hands these bytes to the TLS stream.
  EXPECT_EQ(reader.unparsed_tail(), "\x16\x03\x01\x02");
}

TEST(StreamReader, RefusesADoctype) {
  EXPECT_EQ(fail_code("<?xml version='1.0'?><!DOCTYPE stream:stream>" + kHeader),
            Errc::restricted_xml);
}

TEST(StreamReader, RefusesAnEntityExpansionBombBeforeExpandingIt) {
  // The "billion laughs": ten levels of ten references; refused at the
  // DOCTYPE, so nothing is expanded and memory stays at the input's size.
  std::string bomb = "<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol0 'lol'>";
  for (int level = 1; level <= 9; ++level) {
    bomb += "<!ENTITY lol" + std::to_string(level) + " '";
    for (int i = 0; i < 10; ++i) {
      bomb += "&lol" + std::to_string(level - 1) + ";";
    }
    bomb += "'>";
  }
  bomb += "]>" + kHeader + "<message><body>&lol9;</body></message>";
  StreamReader reader;
  auto fed = reader.feed(bomb);
  ASSERT_FALSE(fed.ok());
  EXPECT_EQ(fed.error().code, make_error_code(Errc::restricted_xml));
  EXPECT_EQ(stream_error_condition(Errc::restricted_xml), "restricted-xml");
  EXPECT_LE(reader.buffered_bytes(), bomb.size());
}

TEST(StreamReader, RefusesAnUndeclaredEntityReference) {
  EXPECT_EQ(fail_code(kHeader + "<message><body>&lol;</body></message>"), Errc::not_well_formed);
}

TEST(StreamReader, RefusesCommentsAndProcessingInstructions) {
  EXPECT_EQ(fail_code(kHeader + "<!-- hi -->"), Errc::restricted_xml);
  EXPECT_EQ(fail_code(kHeader + "<?php echo 1; ?>"), Errc::restricted_xml);
}

TEST(StreamReader, RefusesGarbage) {
  const Errc code = fail_code(std::string("\x16\x03\x01\x02\x00garbage", 13));
  EXPECT_EQ(code, Errc::not_well_formed);
  EXPECT_EQ(stream_error_condition(code), "not-well-formed");
  EXPECT_EQ(fail_code(kHeader + "<message></iq>"), Errc::not_well_formed);
}

TEST(StreamReader, RefusesAHeaderOverTheCapWithoutBufferingIt) {
  // A 1 MiB stream header: refused after max_header_bytes.
  StreamReader reader({.max_header_bytes = 8192, .max_stanza_bytes = 65536});
  std::string huge = "<stream:stream xmlns='jabber:server' a='" + std::string(1 << 20, 'x');
  auto fed = reader.feed(huge);
  ASSERT_FALSE(fed.ok());
  EXPECT_EQ(fed.error().code, make_error_code(Errc::header_too_large));
  EXPECT_EQ(stream_error_condition(Errc::header_too_large), "policy-violation");
  EXPECT_LE(reader.buffered_bytes(), 8192U);
}

TEST(StreamReader, RefusesAStanzaOverTheCapEvenInSmallPieces) {
  StreamReader reader({.max_header_bytes = 8192, .max_stanza_bytes = 1024});
  ASSERT_TRUE(reader.feed(kHeader + "<message><body>").ok());
  Status fed;
  for (int i = 0; i < 100 && fed.ok(); ++i) {
    fed = reader.feed(std::string(100, 'y'));
  }
  ASSERT_FALSE(fed.ok());
  EXPECT_EQ(fed.error().code, make_error_code(Errc::stanza_too_large));
  EXPECT_LE(reader.buffered_bytes(), 1024U);
}

TEST(StreamReader, AStanzaJustUnderTheCapPasses) {
  const std::string stanza = "<message><body>" + std::string(1000, 'z') + "</body></message>";
  StreamReader reader({.max_header_bytes = 8192, .max_stanza_bytes = stanza.size()});
  ASSERT_TRUE(reader.feed(kHeader + stanza + stanza).ok()) << reader.error()->message();
  EXPECT_EQ(drain(reader).size(), 3U);
}

TEST(StreamReader, WithoutKeepingBytesTheCapsStillApply) {
  StreamReader reader({.max_header_bytes = 8192, .max_stanza_bytes = 1024});
  ASSERT_TRUE(reader.feed(kHeader).ok());
  reader.stop_keeping_bytes();
  ASSERT_TRUE(reader.feed(kMessage + kMessage).ok());
  EXPECT_EQ(drain(reader).size(), 3U);
  EXPECT_EQ(reader.buffered_bytes(), 0U);
  auto fed = reader.feed("<message>" + std::string(2000, 'y'));
  ASSERT_FALSE(fed.ok());
  EXPECT_EQ(fed.error().code, make_error_code(Errc::stanza_too_large));
}

TEST(StreamReader, RestartsAfterSaslSuccessWithANewXmlDeclaration) {
  // RFC 6120 §6.4.6: after <success/> the sender's next bytes open a new
  // stream, XML declaration included; split anywhere.
  const std::string input = kHeader +
                            "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>"
                            "<?xml version='1.0'?>" +
                            kHeader + kMessage;
  for (std::size_t split = 1; split < input.size(); split += 37) {
    StreamReader reader;
    ASSERT_TRUE(reader.feed(input.substr(0, split)).ok()) << split;
    ASSERT_TRUE(reader.feed(input.substr(split)).ok())
        << split << ": " << reader.error()->message();
    const auto events = drain(reader);
    ASSERT_EQ(events.size(), 4U) << split;
    EXPECT_EQ(events[1].name, "success");
    EXPECT_EQ(events[2].kind, EventKind::header);
    EXPECT_EQ(events[2].raw, kHeader);
    EXPECT_EQ(events[3].raw, kMessage);
  }
}

TEST(StreamReader, RestartOnRequestTakesTheOtherSidesNewHeader) {
  StreamReader reader({.max_header_bytes = 512, .max_stanza_bytes = 4096});
  ASSERT_TRUE(reader
                  .feed(kHeader + "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' "
                                  "mechanism='EXTERNAL'>=</auth>")
                  .ok());
  reader.restart();  // the other side sent <success/>
  ASSERT_TRUE(reader.feed("<?xml version='1.0'?>" + kHeader + kMessage).ok())
      << reader.error()->message();
  const auto events = drain(reader);
  ASSERT_EQ(events.size(), 4U);
  EXPECT_EQ(events[2].kind, EventKind::header);
  EXPECT_EQ(events[3].raw, kMessage);
  // The new header is under the header cap again.
  reader.restart();
  auto fed = reader.feed("<stream:stream xmlns='jabber:server' a='" + std::string(600, 'x'));
  ASSERT_FALSE(fed.ok());
  EXPECT_EQ(fed.error().code, make_error_code(Errc::header_too_large));
}

TEST(StreamReader, ASecondXmlDeclarationWithoutRestartIsNotWellFormed) {
  EXPECT_EQ(fail_code(kHeader + "<?xml version='1.0'?>" + kHeader), Errc::not_well_formed);
}

TEST(StreamReader, RefusesWrongNamespaces) {
  EXPECT_EQ(fail_code("<stream:stream xmlns='jabber:client' "
                      "xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>"),
            Errc::invalid_namespace);
  EXPECT_EQ(fail_code("<stream:stream xmlns='jabber:server' xmlns:stream='urn:other' "
                      "version='1.0'>"),
            Errc::invalid_namespace);
  EXPECT_EQ(fail_code("<stream xmlns='jabber:server' version='1.0'>"), Errc::invalid_namespace);
  EXPECT_EQ(stream_error_condition(Errc::invalid_namespace), "invalid-namespace");
}

TEST(StreamReader, RefusesAnUnboundPrefix) {
  EXPECT_EQ(fail_code("<stream:stream xmlns='jabber:server' version='1.0'>"),
            Errc::not_well_formed);
}

TEST(StreamReader, RefusesAMissingOrOldVersion) {
  EXPECT_EQ(fail_code("<stream:stream xmlns='jabber:server' "
                      "xmlns:stream='http://etherx.jabber.org/streams'>"),
            Errc::unsupported_version);
  EXPECT_EQ(fail_code("<stream:stream xmlns='jabber:server' "
                      "xmlns:stream='http://etherx.jabber.org/streams' version='2.0'>"),
            Errc::unsupported_version);
}

TEST(StreamReader, RefusesTextAtTheTopLevel) {
  EXPECT_EQ(fail_code(kHeader + "hello"), Errc::bad_format);
}

TEST(StreamReader, RefusesBytesAfterTheStreamEnd) {
  EXPECT_EQ(fail_code(kHeader + "</stream:stream><message/>"), Errc::not_well_formed);
}

TEST(StreamReader, StaysFailed) {
  StreamReader reader;
  ASSERT_FALSE(reader.feed("<<<").ok());
  EXPECT_FALSE(reader.feed(kHeader).ok());
  EXPECT_FALSE(reader.next());
}

}  // namespace
}  // namespace pgptls::xmpp
