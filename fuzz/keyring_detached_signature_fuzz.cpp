// keyring_detached_signature_fuzz.cpp: detached signature files fetched
// beside signed pin statements. Invariants: parsing never crashes; every
// signature it returns is a document signature whose digest can be computed
// (or refused with an error) over any document; a statement check with no
// signers refuses cleanly.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "keyring/statement_trust.h"
#include "openpgp/verify.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pgptls::keyring;
  using namespace pgptls::openpgp;
  const pgptls::ByteView input(data, size);
  const auto signatures = parse_detached_signatures(input);
  if (signatures.ok()) {
    if (signatures->empty() || signatures->size() > kMaxDetachedSignatures) {
      std::abort();
    }
    for (const Signature& sig : *signatures) {
      if (sig.type != SignatureType::binary && sig.type != SignatureType::text) {
        std::abort();
      }
      (void)document_digest(sig, input);
    }
  }
  const pgptls::base::Seconds now(std::chrono::seconds(1'800'000'000));
  if (verify_statement(input, input, "a.example", StatementSigners{}, now).ok()) {
    std::abort();  // nobody may sign
  }
  return 0;
}
