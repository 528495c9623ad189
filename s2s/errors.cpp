#include "s2s/errors.h"

#include <string>

namespace pgptls::s2s {
namespace {

class S2sCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "pgptls.s2s"; }
  std::string message(int value) const override {
    switch (static_cast<Errc>(value)) {
      case Errc::dns_failure:
        return "DNS lookup failed (check [dns] server)";
      case Errc::no_such_domain:
        return "the domain has no SRV record and no address";
      case Errc::service_disabled:
        return "the domain's SRV record is '.', so it offers no server-to-server service";
      case Errc::bad_config:
        return "invalid s2s configuration";
      case Errc::peer_closed:
        return "the other side closed the connection during the negotiation";
    }
    return "unknown s2s error";
  }
};

}  // namespace

const std::error_category& s2s_category() noexcept {
  static const S2sCategory category;
  return category;
}

}  // namespace pgptls::s2s
