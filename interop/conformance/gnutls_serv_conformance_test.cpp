// gnutls_serv_conformance_test.cpp: the server-side conformance corpus
// (tests/conformance/corpus.h) against gnutls-serv 3.7 with an X.509
// certificate, started by the test on a free port and stopped by PID. Each
// case's outcome is compared with the RFC expectation; where GnuTLS differs,
// explain() must say why (an unexplained difference fails the test). The
// whole table (case, malformation, expectation, RFC, gnutls-serv, why) is
// written to conformance-gnutls-serv.md in the build folder.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <map>
#include <optional>
#include <string>

#include "tests/conformance/corpus.h"
#include "tests/conformance/probe.h"
#include "tests/support/network.h"
#include "tests/support/process.h"
#include "tests/support/ready_lines.h"
#include "tests/support/temp_dir.h"
#include "tests/tls/gnutls_test_pki.h"

namespace pgptls::conformance {
namespace {

using namespace std::chrono_literals;

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.rfind(prefix, 0) == 0;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

const std::string kAcceptThenEofAlert = "ServerHello, then unexpected_message";

// explain: why gnutls-serv's outcome differs from the RFC expectation, or
// nullopt when the difference is not understood. Each reason names the
// rule; the probe half-closes after its flight, which GnuTLS answers with
// an unexpected_message alert wherever it is in the handshake.
std::optional<std::string> explain(const Case& c, const std::string& gnutls) {
  if (c.expected == "ServerHello" && gnutls == kAcceptThenEofAlert) {
    return "same acceptance; GnuTLS then answers the client's half-close with unexpected_message "
           "(pgptls closes: the client has left)";
  }
  if (c.expected == "closed" && (gnutls == "decode_error" || gnutls == "unexpected_message")) {
    return "the hello never completes; GnuTLS answers the client's half-close inside it with an "
           "alert, pgptls closes (nothing was refused: the client left)";
  }
  if ((c.name == "hello body of 65537 bytes" || c.name == "handshake length overflowed") &&
      gnutls == "unexpected_message") {
    return "GnuTLS waits for the whole announced hello (then the half-close); pgptls refuses an "
           "announcement over its 64 KiB cap at once";
  }
  if (gnutls != kAcceptThenEofAlert && gnutls != "closed" && !starts_with(gnutls, "ServerHello")) {
    // Both refuse, with another alert.
    if (c.name == "content type 255 first" && gnutls == "record_overflow") {
      return "GnuTLS reads a first byte with the high bit set as an SSL 2 header (RFC 5246 E.2) "
             "with a huge length; pgptls takes it for SSL 2 only with msg_type 1 and a version";
    }
    if (c.name == "empty handshake record first" && gnutls == "unexpected_message") {
      return "both refuse; GnuTLS says unexpected_message, pgptls decode_error (RFC 5246 §6.2.1 "
             "forbids the empty fragment: a length out of range, §7.2.2)";
    }
    if (c.name == "extended_master_secret twice" && gnutls == "unsupported_extension") {
      return "both refuse the repeated extension; GnuTLS says unsupported_extension, pgptls "
             "illegal_parameter (RFC 8446 §4.2)";
    }
    if (has(c.name, "(no extensions)") && gnutls == "handshake_failure") {
      return "both refuse a hello without extensions; GnuTLS finds no common ECDHE group "
             "(handshake_failure), pgptls judges the missing extended_master_secret first "
             "(RFC 7627 §5.2, insufficient_security)";
    }
    if (starts_with(c.name, "client_version 3.") && gnutls == "handshake_failure") {
      return "both refuse a pre-TLS 1.2 client; GnuTLS says handshake_failure, pgptls "
             "protocol_version (RFC 5246 §7.2.2, Appendix E.1)";
    }
    return std::nullopt;
  }
  if (gnutls != kAcceptThenEofAlert) {
    if (c.name == "warning alert inside a fragmented hello" && gnutls == "closed") {
      return "GnuTLS ends the handshake at the client's user_canceled alert without an alert; "
             "pgptls refuses a record other than handshake inside the hello (unexpected_message)";
    }
    return std::nullopt;
  }
  // GnuTLS accepted (then answered the half-close) where the RFC refuses.
  if (c.family == "cert_type" || has(c.name, "cert_type list")) {
    return "GnuTLS 3.7 ignores cert_type (extension 9, RFC 6091: it dropped OpenPGP), so it "
           "neither selects from the list nor refuses it; pgptls's dispatcher "
           "applies RFC 6091 §2/§3.1 for both engines";
  }
  if (has(c.name, "ec_point_formats list") || c.name == "server_name host_name shortened") {
    return "GnuTLS does not check this extension's inner length; pgptls decodes every extension "
           "it reads with one codec, for both engines (RFC 5246 §4.3, decode_error)";
  }
  if (starts_with(c.name, "server_name ") && c.expected == "illegal_parameter") {
    return "GnuTLS refuses only a NUL in host_name; RFC 6066 §3 requires a DNS host name, which "
           "pgptls checks for both engines";
  }
  if (c.name == "no extended_master_secret") {
    return "GnuTLS 3.7 accepts TLS 1.2 without extended_master_secret by default; pgptls refuses "
           "it on both engines (RFC 7627 §5.2)";
  }
  if (c.name == "hello twice in one record" || c.name == "hello coalesced with ClientKeyExchange" ||
      c.name == "1-byte records, last one shared with ClientKeyExchange") {
    return "GnuTLS answers the hello, then refuses the message after it; pgptls refuses handshake "
           "data after the hello in its record before answering (RFC 5246 §7.3: the client waits "
           "for the server's flight)";
  }
  if (c.name == "ChangeCipherSpec inside a fragmented hello") {
    return "GnuTLS 3.7 skips a ChangeCipherSpec while it reads the hello (TLS 1.3 middlebox "
           "compatibility, RFC 8446 §5); in TLS 1.2 a CCS before the keys is unexpected_message "
           "(RFC 5246 §7.1)";
  }
  return std::nullopt;
}

TEST(GnutlsServConformance, EveryDifferenceFromTheRfcIsExplained) {
  if (!test::has_tool("gnutls-serv")) {
    GTEST_SKIP() << "gnutls-serv is not installed (scripts/install-deps installs gnutls-bin)";
  }
  test::TempDir dir;
  const test::Identity server =
      test::make_identity(dir.path(), "a.example", test::KeyKind::ed25519);
  ASSERT_FALSE(server.credential.chain.empty()) << "certtool did not make the server identity";
  const auto port = test::free_port();
  auto serv =
      test::ChildProcess::start({"gnutls-serv", "--echo", "--port", std::to_string(port),
                                 "--x509certfile", server.cert_file.string(), "--x509keyfile",
                                 server.key_file.string(), "--require-client-cert"},
                                dir.file("gnutls-serv.log"));
  ASSERT_TRUE(serv);
  ASSERT_TRUE(serv->wait_for_log(test::gnutls_serv_ready(port), 20s)) << serv->log();

  const auto corpus = make_corpus(CredentialSet::x509);
  std::ofstream table(std::string(PGPTLS_BINARY_DIR) + "/conformance-gnutls-serv.md");
  table << "| family | case | expected (RFC) | rule | gnutls-serv 3.7 | why they differ |\n"
        << "| --- | --- | --- | --- | --- | --- |\n";
  std::size_t differ = 0;
  std::map<std::string, int> reasons;
  for (const Case& c : corpus) {
    const Observation seen = probe(port, c.wire);
    const std::string gnutls = seen.outcome();
    std::string why;
    if (gnutls != c.expected) {
      ++differ;
      const auto explanation = explain(c, gnutls);
      if (explanation) {
        why = *explanation;
        ++reasons[why];
      } else {
        ADD_FAILURE() << c.family << " / " << c.name << ": gnutls-serv says \"" << gnutls
                      << "\", the RFC expectation is \"" << c.expected << "\" (" << c.rfc
                      << "), and no explanation covers it";
        why = "(unexplained)";
      }
    }
    table << "| " << c.family << " | " << c.name << " | " << c.expected << " | " << c.rfc << " | "
          << gnutls << " | " << why << " |\n";
  }
  int half_close_only = 0;
  for (const auto& [why, count] : reasons) {
    if (starts_with(why, "same acceptance") || starts_with(why, "the hello never completes")) {
      half_close_only += count;
    }
  }
  std::cout << corpus.size() << " cases, " << differ << " differ from gnutls-serv 3.7 ("
            << half_close_only << " only in GnuTLS's alert after the client's half-close, "
            << differ - static_cast<std::size_t>(half_close_only) << " in substance)\n";
  for (const auto& [why, count] : reasons) {
    std::cout << "  " << count << ": " << why << "\n";
  }
  EXPECT_TRUE(serv->wait(0ms) == std::nullopt) << "gnutls-serv exited: " << serv->log();
}

}  // namespace
}  // namespace pgptls::conformance
