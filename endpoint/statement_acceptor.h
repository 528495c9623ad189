// statement_acceptor.h: the trust half of `pgptls pins refresh` and
// `pins import-signed`: the authorities (state directory), the keyring and
// the pin store, handed to the keyring's statement verification (signer in
// scope, expiry, rollback) and storage at the current time.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "fetch/pin_refresh.h"
#include "keyring/authority.h"
#include "keyring/keyring_store.h"
#include "keyring/policy.h"
#include "pins/pin_store.h"

namespace pgptls::endpoint {

// TrustSources: --pins and --keyring (a file or directory read as `serve`
// reads it) overrides; empty means the state directory's.
struct TrustSources {
  std::string pins;
  std::string keyring;
};

// StoreStatementAcceptor: verifies fetched statements and stores their pins.
class StoreStatementAcceptor final : public transport::StatementAcceptor {
 public:
  // open: loads the keyring and the authorities as `pgptls serve` does
  // (endpoint_trust.h: authorities.json, each certificate from the keyring;
  // keyring files it cannot use become `warnings`) and opens the pin store.
  // Fails naming the file that cannot be read, or an authority whose
  // certificate is not in the keyring.
  [[nodiscard]] static Result<std::unique_ptr<StoreStatementAcceptor>> open(
      const TrustSources& sources, std::vector<std::string>& warnings);

  // accept: verifies the statement for its domain (signature by an in-scope
  // authority or by the domain's own authority-certified key, expiry,
  // rollback) and stores its pins as source `signed`. The error says why a
  // statement was refused.
  [[nodiscard]] Result<transport::Acceptance> accept(
      const transport::FetchedStatement& statement) override;

  // import_bundle: verifies an authority bundle and stores each in-scope
  // domain's pins; one row per domain of the bundle, in domain order:
  // out-of-scope domains and domains that already hold a newer statement
  // (rollback) failed. Fails as a whole (storing nothing) when the bundle
  // does not parse, is not signed by an authority or has expired.
  [[nodiscard]] Result<std::vector<transport::RefreshRow>> import_bundle(ByteView document,
                                                                         ByteView signature);

  [[nodiscard]] pins::PinStore& pins() { return pins_; }
  [[nodiscard]] const keyring::KeyringStore& keyring() const { return keyring_; }

 private:
  StoreStatementAcceptor(keyring::KeyringStore keyring, std::vector<keyring::Authority> authorities,
                         pins::PinStore pins)
      : keyring_(std::move(keyring)),
        authorities_(std::move(authorities)),
        pins_(std::move(pins)) {}

  keyring::KeyringStore keyring_;
  std::vector<keyring::Authority> authorities_;
  pins::PinStore pins_;
  keyring::Policy policy_ = keyring::Policy::standard();
};

}  // namespace pgptls::endpoint
