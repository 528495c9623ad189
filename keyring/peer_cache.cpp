#include "keyring/peer_cache.h"

#include <limits>
#include <vector>

namespace pgptls::keyring {
namespace {

// Instants: the candidate change points after `now`, keeping the earliest.
class Instants {
 public:
  explicit Instants(base::Seconds now) : now_(now.time_since_epoch().count()) {}

  // add: t and t + 1 (a comparison may be `<` or `<=`).
  void add(std::int64_t t) {
    for (const std::int64_t candidate : {t, t + 1}) {
      if (candidate > now_ && candidate < earliest_) {
        earliest_ = candidate;
      }
    }
  }

  void add_signature(const openpgp::Signature& sig, std::span<const std::uint32_t> key_creations) {
    if (sig.creation_time) {
      add(*sig.creation_time);
      if (sig.expiration && *sig.expiration != 0) {
        add(std::int64_t{*sig.creation_time} + *sig.expiration);
      }
    }
    // RFC 9580 §5.2.3.13: a key expiration counts from the creation of
    // the key it binds; which key that is depends on the signature's role,
    // so every key of the certificate is taken.
    if (sig.key_expiration && *sig.key_expiration != 0) {
      for (const std::uint32_t created : key_creations) {
        add(std::int64_t{created} + *sig.key_expiration);
      }
    }
    if (sig.embedded) {
      add_signature(*sig.embedded, key_creations);
    }
  }

  void add_cert(const openpgp::Cert& cert) {
    std::vector<std::uint32_t> creations{cert.primary.creation_time};
    for (const openpgp::Subkey& subkey : cert.subkeys) {
      creations.push_back(subkey.key.creation_time);
    }
    for (const std::uint32_t created : creations) {
      add(created);
    }
    for (const openpgp::Signature& sig : cert.direct_signatures) {
      add_signature(sig, creations);
    }
    for (const openpgp::UserId& user_id : cert.user_ids) {
      for (const openpgp::Signature& sig : user_id.signatures) {
        add_signature(sig, creations);
      }
    }
    for (const openpgp::Subkey& subkey : cert.subkeys) {
      for (const openpgp::Signature& sig : subkey.signatures) {
        add_signature(sig, creations);
      }
    }
  }

  [[nodiscard]] base::Seconds earliest() const {
    return earliest_ == kNone ? kNoValidityChange : base::Seconds(std::chrono::seconds(earliest_));
  }

 private:
  static constexpr std::int64_t kNone = std::numeric_limits<std::int64_t>::max();
  std::int64_t now_;
  std::int64_t earliest_ = kNone;
};

}  // namespace

base::Seconds validity_change_after(const openpgp::Cert& cert, base::Seconds now) {
  Instants instants(now);
  instants.add_cert(cert);
  return instants.earliest();
}

base::Seconds validity_change_after(std::span<const Authority> authorities, base::Seconds now) {
  Instants instants(now);
  for (const Authority& authority : authorities) {
    instants.add_cert(authority.cert);
  }
  return instants.earliest();
}

}  // namespace pgptls::keyring
