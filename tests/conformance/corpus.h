// corpus.h: the server-side TLS conformance corpus, in the spirit
// of BoringSSL's BoGo: each case is a first flight a client sends, built by
// hello_builder.h and then malformed one way, with the outcome the RFCs
// require of a server and the section that says so. The expectations are
// derived from the rules below, not from what any server does.
//
// Outcomes (read from the socket by probe.h):
//   "ServerHello"                   the server accepts the hello
//   "ServerHello, then <alert>"     it accepts, then refuses a later message
//   "<alert>"                       a fatal alert, then the close
//   "closed"                        the client half-closed before its hello
//                                   was complete; the server closes
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"

namespace pgptls::conformance {

// CredentialSet: what the server under test holds.
enum class CredentialSet : std::uint8_t { x509, openpgp, both };
[[nodiscard]] const char* credential_set_name(CredentialSet set);

struct Case {
  std::string family;    // "length", "truncation", "record version", ...
  std::string name;      // unique within the corpus of one credential set
  Bytes wire;            // everything the client sends, then it half-closes
  std::string expected;  // an outcome as above
  std::string rfc;       // the rule
  // For an accepted hello: the cert_type the ServerHello must carry
  // (nullopt: none, RFC 6091 §3.1 lets a server choosing X.509 omit it).
  std::optional<std::uint8_t> server_cert_type;
  // The extension types the client offered (a ServerHello may only carry
  // these, RFC 5246 §7.4.1.4).
  std::vector<std::uint16_t> offered_extensions;
};

// make_corpus: every case for a server holding `set`.
[[nodiscard]] std::vector<Case> make_corpus(CredentialSet set);

// alert_outcome: "decode_error", ... for an alert description byte.
[[nodiscard]] std::string alert_outcome(std::uint8_t description);

}  // namespace pgptls::conformance
