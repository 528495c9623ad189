#include "s2s/errors.h"

#include <string>
#include <string_view>

#include "base/error_category.h"

namespace pgptls::s2s {
namespace {

// kMessages: what each Errc value means.
constexpr base::ErrorMessages<Errc, 5> kMessages{{
    {Errc::dns_failure, "DNS lookup failed (check [dns] server)"},
    {Errc::no_such_domain, "the domain has no SRV record and no address"},
    {Errc::service_disabled,
     "the domain's SRV record is '.', so it offers no server-to-server service"},
    {Errc::bad_config, "invalid s2s configuration"},
    {Errc::peer_closed, "the other side closed the connection during the negotiation"},
}};

}  // namespace

const std::error_category& s2s_category() noexcept {
  static const base::EnumCategory<kMessages> category("pgptls.s2s");
  return category;
}

}  // namespace pgptls::s2s
