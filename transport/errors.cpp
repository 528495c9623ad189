#include "transport/errors.h"

#include <string>
#include <string_view>

#include "base/error_category.h"

namespace pgptls::transport {
namespace {

// describe: what each Errc value means.
std::string_view describe(Errc code) {
  switch (code) {
    case Errc::stream_truncated:
      return "the peer closed the connection without a TLS close_notify (possible truncation "
             "attack, or the peer crashed)";
    case Errc::handshake_timeout:
      return "the TLS handshake did not finish before the deadline (the peer is silent or too "
             "slow; raise the handshake timeout if the network is slow)";
    case Errc::idle_timeout:
      return "the connection was idle longer than the idle timeout and was closed";
    case Errc::not_established:
      return "the TLS handshake has not completed; call async_handshake first";
    case Errc::already_started:
      return "a handshake was already started on this stream; use a new stream per connection";
    case Errc::need_more_input:
      return "the ClientHello is incomplete; more bytes are needed to choose an engine";
    case Errc::client_hello_too_large:
      return "the peer's ClientHello exceeds the size limit (not a TLS client, or a hostile "
             "one)";
    case Errc::operation_in_progress:
      return "another operation of the same kind is already pending on this stream; wait for "
             "it to complete";
    case Errc::connection_limit:
      return "the server is at its connection limit; raise max_connections if this is expected "
             "load";
  }
  return "unknown transport error";
}

}  // namespace

const std::error_category& transport_category() noexcept {
  static const base::EnumCategory<Errc> category("pgptls.transport", describe);
  return category;
}

}  // namespace pgptls::transport
