// xmpp stream writer: what the proxy writes parses back with the reader,
// and error texts are escaped.
#include "xmpp/stream_writer.h"

#include <gtest/gtest.h>

#include "xmpp/stream_reader.h"

namespace pgptls::xmpp {
namespace {

TEST(StreamWriter, HeaderFeaturesProceedAndErrorParseBack) {
  StreamReader reader;
  const std::string input = stream_header({.from = "a.example", .to = "b'<x>", .id = "i&d"}) +
                            starttls_features() + proceed() + starttls_request() +
                            stream_error("host-unknown", "we do not host <c.example> & 'd'");
  ASSERT_TRUE(reader.feed(input).ok()) << reader.error()->message();
  ASSERT_TRUE(reader.header());
  EXPECT_EQ(reader.header()->from, "a.example");
  EXPECT_EQ(reader.header()->to, "b'<x>");
  EXPECT_EQ(reader.header()->id, "i&d");
  std::vector<Event> events;
  while (auto event = reader.next()) {
    events.push_back(*event);
  }
  ASSERT_EQ(events.size(), 6U);
  EXPECT_EQ(events[1].name, "features");
  EXPECT_EQ(events[2].name, "proceed");
  EXPECT_EQ(events[2].ns, kTlsNamespace);
  EXPECT_EQ(events[3].name, "starttls");
  EXPECT_EQ(events[4].name, "error");
  EXPECT_EQ(events[4].ns, kStreamNamespace);
  EXPECT_NE(events[4].raw.find("<host-unknown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"),
            std::string::npos);
  EXPECT_NE(events[4].raw.find("we do not host &lt;c.example&gt; &amp; &apos;d&apos;"),
            std::string::npos);
  EXPECT_EQ(events[5].kind, EventKind::stream_end);
}

TEST(StreamWriter, FeaturesRequireStarttls) {
  EXPECT_EQ(starttls_features(),
            "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/>"
            "</starttls></stream:features>");
}

TEST(StreamWriter, EscapesEveryMarkupCharacter) {
  EXPECT_EQ(escape_xml("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;");
}

}  // namespace
}  // namespace pgptls::xmpp
