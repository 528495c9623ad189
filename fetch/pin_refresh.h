// pin_refresh.h: the network half of `pgptls pins refresh`:
// fetch every domain's POSH statement and its detached OpenPGP signature in
// batch, follow one POSH redirect, and hand each complete pair to a
// StatementAcceptor (the trust half: signature, signer, rollback, storage).
//
// Where a statement lives (RFC 7711 §3, service "xmpp-server"):
//   https://D/.well-known/posh/xmpp-server.json
//   https://D/.well-known/posh/xmpp-server.json.sig   (else ….json.asc)
// A document {"url": U, …} redirects once to U; the signature sits beside
// the final document (U.sig / U.asc). A redirect to a redirect fails.
//
// Usage:
//   MyAcceptor acceptor;  // implements StatementAcceptor
//   auto rows = refresh_pin_statements({"a.example", "b.example"}, acceptor, options);
#pragma once

#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "fetch/https_fetch.h"

namespace pgptls::fetch {

// FetchedStatement: what was fetched for one domain.
struct FetchedStatement {
  std::string domain;
  std::string url;            // the final document's URL
  bool redirected = false;    // reached through a POSH "url" redirect
  Bytes document;             // the exact bytes the signature covers
  Bytes signature;            // binary or armored detached signature
  std::string signature_url;  // where the signature came from
};

// RefreshResult: the verdict for one domain, as the table shows it.
enum class RefreshResult { updated, unchanged, failed };

// Acceptance: what the acceptor did with a fetched statement.
struct Acceptance {
  bool changed = false;  // pins were stored or replaced
  std::size_t pin_count = 0;
};

// StatementAcceptor: verifies and stores a fetched statement. accept()
// returns an Error whose message says why the statement was refused (bad
// signature, signer not allowed, rollback, expired, ...).
class StatementAcceptor {
 public:
  virtual ~StatementAcceptor() = default;
  [[nodiscard]] virtual Result<Acceptance> accept(const FetchedStatement& statement) = 0;
};

// RefreshRow: one line of the final table.
struct RefreshRow {
  std::string domain;
  RefreshResult result = RefreshResult::failed;
  std::string reason;  // for failed: what went wrong
  std::size_t pin_count = 0;
};

// statement_url: https://D/.well-known/posh/xmpp-server.json
[[nodiscard]] std::string statement_url(const std::string& domain);

// refresh_pin_statements: fetches and hands on every domain's statement;
// one row per domain, in the order given. Fetching failures, a missing
// signature and refusals by the acceptor become failed rows; the batch
// always finishes the other domains.
[[nodiscard]] std::vector<RefreshRow> refresh_pin_statements(
    const std::vector<std::string>& domains, StatementAcceptor& acceptor,
    const HttpsFetchOptions& options);

}  // namespace pgptls::fetch
