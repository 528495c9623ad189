#include "fetch/pin_refresh.h"

#include <variant>

#include "pins/posh_statement.h"

namespace pgptls::transport {
namespace {

// Batch: the domains still in the running and the URL each fetches next.
struct Batch {
  std::vector<std::size_t> index;
  std::vector<std::string> urls;
  void add(std::size_t domain_index, std::string url) {
    index.push_back(domain_index);
    urls.push_back(std::move(url));
  }
};

// Progress: one running count over the phases of a refresh.
struct Progress {
  const HttpsFetchOptions& options;
  std::size_t done = 0;
  std::size_t total = 0;

  std::vector<FetchOutcome> fetch(const Batch& batch) {
    HttpsFetchOptions phase = options;
    const std::size_t done_before = done;
    total += batch.urls.size();
    if (options.progress) {
      phase.progress = [this, done_before](std::size_t finished, std::size_t) {
        done = done_before + finished;
        options.progress(done, total);
      };
    }
    auto outcomes = fetch_https(batch.urls, phase);
    done = done_before + batch.urls.size();
    return outcomes;
  }
};

}  // namespace

std::string statement_url(const std::string& domain) {
  return "https://" + domain + "/.well-known/posh/xmpp-server.json";
}

std::vector<RefreshRow> refresh_pin_statements(const std::vector<std::string>& domains,
                                               StatementAcceptor& acceptor,
                                               const HttpsFetchOptions& options) {
  std::vector<RefreshRow> rows(domains.size());
  std::vector<FetchedStatement> fetched(domains.size());
  std::vector<bool> alive(domains.size(), true);
  auto fail = [&](std::size_t index, std::string reason) {
    rows[index].result = RefreshResult::failed;
    rows[index].reason = std::move(reason);
    alive[index] = false;
  };
  Progress progress{options};

  Batch documents;
  for (std::size_t index = 0; index < domains.size(); ++index) {
    rows[index].domain = domains[index];
    fetched[index].domain = domains[index];
    documents.add(index, statement_url(domains[index]));
  }
  // take_document: a fetched document, or the redirect it names.
  Batch redirects;
  auto take_document = [&](std::size_t index, const FetchOutcome& outcome, bool redirected) {
    if (outcome.status != FetchStatus::ok) {
      fail(index, outcome.message);
      return;
    }
    auto document = pins::parse_posh_document(outcome.body);
    if (!document) {
      fail(index, outcome.url + ": " + document.error().message());
      return;
    }
    if (const auto* redirect = std::get_if<pins::PoshRedirect>(&*document)) {
      if (redirected) {
        // RFC 7711 §3.2 allows one level of indirection.
        fail(index, outcome.url + ": redirects again (to " + redirect->url +
                        "); only one POSH "
                        "redirect is followed");
      } else {
        redirects.add(index, redirect->url);
      }
      return;
    }
    fetched[index].url = outcome.url;
    fetched[index].redirected = redirected;
    fetched[index].document = outcome.body;
  };
  const auto first = progress.fetch(documents);
  for (std::size_t at = 0; at < first.size(); ++at) {
    take_document(documents.index[at], first[at], false);
  }
  if (!redirects.urls.empty()) {
    const Batch targets = std::move(redirects);
    redirects = Batch{};
    const auto second = progress.fetch(targets);
    for (std::size_t at = 0; at < second.size(); ++at) {
      take_document(targets.index[at], second[at], true);
    }
  }

  // The detached signature beside the final document: .sig, else .asc.
  for (const char* suffix : {".sig", ".asc"}) {
    Batch signatures;
    for (std::size_t index = 0; index < domains.size(); ++index) {
      if (alive[index] && fetched[index].signature_url.empty()) {
        signatures.add(index, fetched[index].url + suffix);
      }
    }
    const auto outcomes = progress.fetch(signatures);
    for (std::size_t at = 0; at < outcomes.size(); ++at) {
      const std::size_t index = signatures.index[at];
      const FetchOutcome& outcome = outcomes[at];
      const bool last_try = std::string(suffix) == ".asc";
      if (outcome.status == FetchStatus::ok) {
        fetched[index].signature = outcome.body;
        fetched[index].signature_url = outcome.url;
      } else if (outcome.status != FetchStatus::http_error || last_try) {
        fail(index, outcome.status == FetchStatus::http_error
                        ? "no detached signature at " + fetched[index].url + ".sig or .asc (" +
                              outcome.message + ")"
                        : outcome.message);
      }
    }
  }

  for (std::size_t index = 0; index < domains.size(); ++index) {
    if (!alive[index]) {
      continue;
    }
    auto accepted = acceptor.accept(fetched[index]);
    if (!accepted) {
      fail(index, accepted.error().message());
      continue;
    }
    rows[index].result = accepted->changed ? RefreshResult::updated : RefreshResult::unchanged;
    rows[index].pin_count = accepted->pin_count;
  }
  return rows;
}

}  // namespace pgptls::transport
