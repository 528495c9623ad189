#include "transport/errors.h"

#include <string>
#include <string_view>

#include "base/error_category.h"

namespace pgptls::transport {
namespace {

// kMessages: what each Errc value means.
constexpr base::ErrorMessages<Errc, 9> kMessages{{
    {Errc::stream_truncated,
     "the peer closed the connection without a TLS close_notify (possible truncation "
     "attack, or the peer crashed)"},
    {Errc::handshake_timeout,
     "the TLS handshake did not finish before the deadline (the peer is silent or too "
     "slow; raise the handshake timeout if the network is slow)"},
    {Errc::idle_timeout, "the connection was idle longer than the idle timeout and was closed"},
    {Errc::not_established, "the TLS handshake has not completed; call async_handshake first"},
    {Errc::already_started,
     "a handshake was already started on this stream; use a new stream per connection"},
    {Errc::need_more_input,
     "the ClientHello is incomplete; more bytes are needed to choose an engine"},
    {Errc::client_hello_too_large,
     "the peer's ClientHello exceeds the size limit (not a TLS client, or a hostile "
     "one)"},
    {Errc::operation_in_progress,
     "another operation of the same kind is already pending on this stream; wait for "
     "it to complete"},
    {Errc::connection_limit,
     "the server is at its connection limit; raise max_connections if this is expected "
     "load"},
}};

}  // namespace

const std::error_category& transport_category() noexcept {
  static const base::EnumCategory<kMessages> category("pgptls.transport");
  return category;
}

}  // namespace pgptls::transport
