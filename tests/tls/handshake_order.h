// handshake_order.h: the order of TLS 1.2 handshake messages, as data.
// Every handshake shape pgptls makes (server-only, mutual, a client
// without a certificate, OpenPGP whole or fingerprint-only, X.509) is
// written once here, beside the RFC text that fixes it, as the path of
// states each side walks and the peer's input that moves it on.
//
// The table is the test's oracle, independent of the RFC 6091 engine: the
// engine dispatches on its own state types (tls/rfc6091/handshake_states.h,
// each naming the messages it accepts), and handshake_order_test.cpp drives
// it through every state of every shape and checks it accepts exactly the
// inputs listed here, answers unexpected_message to every other one, and
// names in that error the inputs this table expects.
//
// States are named as Engine::state_name() names them. A client's walk
// starts after start() sent its ClientHello (ExpectServerHello); a server's
// at ExpectClientHello. Alerts are not part of the order: in every state a
// fatal alert ends the handshake (RFC 5246 §7.2) and close_notify before
// Finished is an error (closed).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tls/wire/certificate_type.h"
#include "tls/wire/messages/types.h"

namespace pgptls::tls::handshake_order {

// Input: what a side can receive, apart from alerts: one handshake message
// of a type (RFC 5246 §7.4), ChangeCipherSpec (§7.1) or application data
// (§10).
struct Input {
  enum class Kind : std::uint8_t { handshake, change_cipher_spec, application_data };
  Kind kind = Kind::handshake;
  std::uint8_t handshake_type = 0;  // for Kind::handshake only

  [[nodiscard]] static constexpr Input message(messages::HandshakeType type) {
    return {Kind::handshake, static_cast<std::uint8_t>(type)};
  }
  [[nodiscard]] static constexpr Input change_cipher_spec() {
    return {Kind::change_cipher_spec, 0};
  }
  [[nodiscard]] static constexpr Input application_data() { return {Kind::application_data, 0}; }

  friend constexpr bool operator==(const Input&, const Input&) = default;
};

// input_name: "server_hello", "ChangeCipherSpec", "application data".
[[nodiscard]] std::string input_name(const Input& input);

// Step: in `state`, `input` moves the side to `next`.
struct Step {
  std::string_view state;
  Input input;
  std::string_view next;
};

// Shape: one handshake shape, the RFC text that fixes it, and the path each
// side walks (the peer's messages in the order the RFC sends them).
struct Shape {
  std::string_view name;
  std::string_view citation;
  CertificateType certificate_type;
  std::span<const Step> client;
  std::span<const Step> server;
};

// shapes: every shape, server-only first.
[[nodiscard]] std::span<const Shape> shapes();

// Outcome: what an input does in a state.
enum class Outcome : std::uint8_t {
  unexpected,     // unexpected_message (RFC 5246 §7.2.2)
  advance,        // a step of some shape: the side moves on
  ignored,        // HelloRequest while a client negotiates (RFC 5246 §7.4.1.1)
  renegotiation,  // refused with no_renegotiation (RFC 5746 §4.5, §3.7 / pgptls policy)
  traffic,        // application data after Finished (RFC 5246 §7.4.9)
};

// outcome: what `input` does to `role` in `state`, over every shape (a
// client in ExpectCertificateRequestOrDone cannot know whether the server
// asks for a certificate, so both messages advance it).
[[nodiscard]] Outcome outcome(Role role, std::string_view state, const Input& input);

// next_states: the states a step of some shape leads `role` to from
// `state` on `input`; empty when the input does not advance it. There can
// be two: what follows a server's ClientHello or ClientKeyExchange depends
// on whether it asked for, and got, a client certificate (the shape).
[[nodiscard]] std::vector<std::string_view> next_states(Role role, std::string_view state,
                                                        const Input& input);

// expected_inputs: the inputs that advance `role` in `state`, as words for
// an error message ("certificate_request or server_hello_done"); empty when
// none do (Traffic, or a state not in the table).
[[nodiscard]] std::string expected_inputs(Role role, std::string_view state);

}  // namespace pgptls::tls::handshake_order
