#include "endpoint/statement_acceptor.h"

#include <chrono>
#include <map>

#include "base/clock.h"
#include "endpoint/program_clock.h"
#include "endpoint/state_dir.h"
#include "endpoint/trust.h"
#include "keyring/statement_trust.h"
#include "openpgp/errors.h"

namespace pgptls::endpoint {
namespace {

std::size_t pin_count(const pins::SignedStatement& statement) {
  return statement.spki_pins.size() + statement.certificate_pins.size();
}

}  // namespace

Result<std::unique_ptr<StoreStatementAcceptor>> StoreStatementAcceptor::open(
    const TrustSources& sources, std::vector<std::string>& warnings) {
  // The same keyring and authorities as `pgptls serve` and `connect` use.
  TrustOptions options;
  options.keyring = sources.keyring;
  options.pins = sources.pins;
  PGPTLS_TRY(keyring::KeyringStore keyring, load_keyring(options.keyring, warnings));
  PGPTLS_TRY(std::vector<keyring::Authority> authorities, load_authorities(options, keyring));
  PGPTLS_TRY(pins::PinStore pins, open_pin_store(sources.pins));
  return std::unique_ptr<StoreStatementAcceptor>(
      new StoreStatementAcceptor(std::move(keyring), std::move(authorities), std::move(pins)));
}

Result<transport::Acceptance> StoreStatementAcceptor::accept(
    const transport::FetchedStatement& statement) {
  PGPTLS_TRY(const base::Seconds now, program_now());
  const keyring::StatementSigners signers{authorities_, keyring_.certificates(), policy_};
  PGPTLS_TRY(const keyring::VerifiedStatement verified,
             keyring::verify_statement(statement.document, statement.signature, statement.domain,
                                       signers, now));
  PGPTLS_TRY(const pins::StatementOutcome outcome, pins_.store_statement(verified.pins, now));
  return transport::Acceptance{outcome == pins::StatementOutcome::updated,
                               pin_count(verified.pins)};
}

Result<std::vector<transport::RefreshRow>> StoreStatementAcceptor::import_bundle(
    ByteView document, ByteView signature) {
  PGPTLS_TRY(const base::Seconds now, program_now());
  const keyring::StatementSigners signers{authorities_, keyring_.certificates(), policy_};
  PGPTLS_TRY(const keyring::VerifiedBundle verified,
             keyring::verify_bundle(document, signature, signers, now));
  // One row per domain of the bundle, in domain order.
  std::map<std::string, transport::RefreshRow> rows;
  for (const keyring::BundleRefusal& refusal : verified.refused) {
    rows[refusal.domain] = {refusal.domain, transport::RefreshResult::failed,
                            refusal.error.message(), 0};
  }
  // One durable transaction for the whole bundle; each domain still gets
  // its own outcome: a rollback for one (it already has a newer statement)
  // does not hold back the others.
  PGPTLS_TRY(const std::vector<Result<pins::StatementOutcome>> outcomes,
             pins_.store_statements(verified.accepted, now));
  for (std::size_t index = 0; index < verified.accepted.size(); ++index) {
    const pins::SignedStatement& statement = verified.accepted[index];
    const Result<pins::StatementOutcome>& stored = outcomes.at(index);
    transport::RefreshRow& row = rows[statement.record.domain];
    row.domain = statement.record.domain;
    if (!stored.ok()) {
      row.result = transport::RefreshResult::failed;
      row.reason = stored.error().message();
      continue;
    }
    row.result = *stored == pins::StatementOutcome::updated ? transport::RefreshResult::updated
                                                            : transport::RefreshResult::unchanged;
    row.pin_count = pin_count(statement);
  }
  std::vector<transport::RefreshRow> ordered;
  ordered.reserve(rows.size());
  for (auto& [domain, row] : rows) {
    ordered.push_back(std::move(row));
  }
  return ordered;
}

}  // namespace pgptls::endpoint
