// errors.h: the error category of the transport library.
//
// Errors reach Asio completion handlers as boost::system::error_code. Engine
// failures keep their pgptls.tls category (tls::Errc, which names the alert
// that was sent or received), so a handler can compare
//   ec == tls::Errc::peer_rejected      (std::error_code interop)
// while transport failures use transport::Errc:
//   ec == transport::Errc::stream_truncated
// The full, operator-readable message (cause and fix) of the last failure is
// available from Stream::last_error().
#pragma once

#include <boost/system/error_code.hpp>
#include <system_error>

#include "base/error_category.h"
#include "base/result.h"

namespace pgptls::transport {

// Errc: why a stream operation failed outside the engine.
enum class Errc {
  stream_truncated = 1,    // the peer closed the transport without close_notify
  handshake_timeout,       // the handshake deadline passed
  idle_timeout,            // no traffic for the idle timeout
  not_established,         // read/write before the handshake succeeded
  already_started,         // a second handshake on the same stream
  need_more_input,         // engine factory: the ClientHello is not complete yet
  client_hello_too_large,  // the peer's first flight exceeds the peek limit
  operation_in_progress,   // a second read (or write) while one is pending
  connection_limit,        // the server is at its connection limit
};

// to_error_code: the Asio-facing code of a pgptls Error (any category).
[[nodiscard]] inline boost::system::error_code to_error_code(const Error& error) {
  return boost::system::error_code(error.code);
}

}  // namespace pgptls::transport

PGPTLS_ERROR_ENUM(pgptls::transport, Errc, transport_category);

namespace boost::system {
template <>
struct is_error_code_enum<pgptls::transport::Errc> : std::true_type {};
}  // namespace boost::system
