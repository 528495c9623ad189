#include "tests/tls/handshake_order.h"

#include <algorithm>
#include <array>
#include <vector>

namespace pgptls::tls::handshake_order {
namespace {

using T = messages::HandshakeType;

constexpr Input msg(T type) {
  return Input::message(type);
}
constexpr Input kCcs = Input::change_cipher_spec();

// The client's steps. RFC 5246 §7.3 Figure 1 with ECDHE (RFC 8422 §2: the
// server sends Certificate and a signed ServerKeyExchange, §5.4), the
// optional CertificateRequest (§7.4.4), then the server's ChangeCipherSpec
// (§7.1) and Finished (§7.4.9). RFC 7627 changes no order. Each step is
// written once; a shape's walk is the list of its steps.
namespace client {
constexpr Step kServerHello{"ExpectServerHello", msg(T::server_hello), "ExpectServerCertificate"};
constexpr Step kCertificate{"ExpectServerCertificate", msg(T::certificate),
                            "ExpectServerKeyExchange"};
constexpr Step kKeyExchange{"ExpectServerKeyExchange", msg(T::server_key_exchange),
                            "ExpectCertificateRequestOrDone"};
constexpr Step kDoneUnasked{"ExpectCertificateRequestOrDone", msg(T::server_hello_done),
                            "ExpectServerChangeCipherSpec"};
constexpr Step kRequest{"ExpectCertificateRequestOrDone", msg(T::certificate_request),
                        "ExpectServerHelloDone"};
constexpr Step kDoneAsked{"ExpectServerHelloDone", msg(T::server_hello_done),
                          "ExpectServerChangeCipherSpec"};
constexpr Step kChangeCipherSpec{"ExpectServerChangeCipherSpec", kCcs, "ExpectServerFinished"};
constexpr Step kFinished{"ExpectServerFinished", msg(T::finished), "Traffic"};

constexpr std::array kServerOnly{kServerHello, kCertificate,      kKeyExchange,
                                 kDoneUnasked, kChangeCipherSpec, kFinished};
constexpr std::array kAsked{kServerHello, kCertificate,      kKeyExchange, kRequest,
                            kDoneAsked,   kChangeCipherSpec, kFinished};
}  // namespace client

// The server's steps. RFC 5246 §7.3 Figure 1: ClientHello; when the server
// asked (§7.4.4), the client's Certificate (§7.4.6: sent even when empty);
// ClientKeyExchange (§7.4.7); CertificateVerify only after a non-empty
// certificate (§7.4.8); ChangeCipherSpec (§7.1) and Finished (§7.4.9).
namespace server {
constexpr Step kHelloNotAsking{"ExpectClientHello", msg(T::client_hello),
                               "ExpectClientKeyExchange"};
constexpr Step kHelloAsking{"ExpectClientHello", msg(T::client_hello), "ExpectClientCertificate"};
constexpr Step kCertificate{"ExpectClientCertificate", msg(T::certificate),
                            "ExpectClientKeyExchange"};
constexpr Step kKeyExchangeUncertified{"ExpectClientKeyExchange", msg(T::client_key_exchange),
                                       "ExpectClientChangeCipherSpec"};
constexpr Step kKeyExchangeCertified{"ExpectClientKeyExchange", msg(T::client_key_exchange),
                                     "ExpectCertificateVerify"};
constexpr Step kCertificateVerify{"ExpectCertificateVerify", msg(T::certificate_verify),
                                  "ExpectClientChangeCipherSpec"};
constexpr Step kChangeCipherSpec{"ExpectClientChangeCipherSpec", kCcs, "ExpectClientFinished"};
constexpr Step kFinished{"ExpectClientFinished", msg(T::finished), "Traffic"};

constexpr std::array kNotAsking{kHelloNotAsking, kKeyExchangeUncertified, kChangeCipherSpec,
                                kFinished};
constexpr std::array kClientCertified{kHelloAsking,       kCertificate,      kKeyExchangeCertified,
                                      kCertificateVerify, kChangeCipherSpec, kFinished};
constexpr std::array kClientEmpty{kHelloAsking, kCertificate, kKeyExchangeUncertified,
                                  kChangeCipherSpec, kFinished};
}  // namespace server

constexpr std::array kShapes{
    Shape{"x509_server_only",
          "RFC 5246 §7.3 Figure 1 without the optional messages; RFC 8422 §2 ECDHE",
          CertificateType::x509, client::kServerOnly, server::kNotAsking},
    Shape{"x509_mutual", "RFC 5246 §7.3 Figure 1, §7.4.4, §7.4.6, §7.4.8; RFC 8422 §2 ECDHE",
          CertificateType::x509, client::kAsked, server::kClientCertified},
    Shape{"x509_client_without_certificate",
          "RFC 5246 §7.4.6 (an empty Certificate) and §7.4.8 (no CertificateVerify after it)",
          CertificateType::x509, client::kAsked, server::kClientEmpty},
    Shape{"openpgp_mutual",
          "RFC 6091 §3: OpenPGP changes the Certificate contents (§3.3, §3.5), not the order",
          CertificateType::openpgp, client::kAsked, server::kClientCertified},
    Shape{"openpgp_fingerprint_only",
          "RFC 6091 §3.5: the client names its key by subkey_cert_fingerprint; same order",
          CertificateType::openpgp, client::kAsked, server::kClientCertified},
};

// steps_from: the steps `role` can take in `state`, over every shape, each
// once.
std::vector<Step> steps_from(Role role, std::string_view state) {
  std::vector<Step> steps;
  for (const Shape& shape : kShapes) {
    for (const Step& step : role == Role::client ? shape.client : shape.server) {
      const auto same = [&step](const Step& other) {
        return other.input == step.input && other.next == step.next;
      };
      if (step.state == state && std::none_of(steps.begin(), steps.end(), same)) {
        steps.push_back(step);
      }
    }
  }
  return steps;
}

bool is_handshake(const Input& input, T type) {
  return input == Input::message(type);
}

}  // namespace

std::string input_name(const Input& input) {
  switch (input.kind) {
    case Input::Kind::change_cipher_spec:
      return "ChangeCipherSpec";
    case Input::Kind::application_data:
      return "application data";
    case Input::Kind::handshake:
      break;
  }
  return std::string(messages::handshake_type_name(input.handshake_type));
}

std::span<const Shape> shapes() {
  return kShapes;
}

Outcome outcome(Role role, std::string_view state, const Input& input) {
  if (state == "Traffic") {
    // RFC 5246 §7.4.9: application data flows once Finished verified.
    if (input == Input::application_data()) {
      return Outcome::traffic;
    }
    // RFC 5746 §4.5 (client) and §3.7 (server) allow refusing
    // renegotiation; pgptls always does.
    if ((role == Role::client && is_handshake(input, T::hello_request)) ||
        (role == Role::server && is_handshake(input, T::client_hello))) {
      return Outcome::renegotiation;
    }
    return Outcome::unexpected;
  }
  if (!next_states(role, state, input).empty()) {
    return Outcome::advance;
  }
  // RFC 5246 §7.4.1.1: a client ignores HelloRequest while negotiating.
  if (role == Role::client && is_handshake(input, T::hello_request)) {
    return Outcome::ignored;
  }
  return Outcome::unexpected;
}

std::vector<std::string_view> next_states(Role role, std::string_view state, const Input& input) {
  std::vector<std::string_view> next;
  for (const Step& step : steps_from(role, state)) {
    if (step.input == input) {
      next.push_back(step.next);
    }
  }
  return next;
}

std::string expected_inputs(Role role, std::string_view state) {
  std::vector<Input> inputs;
  for (const Step& step : steps_from(role, state)) {
    if (std::find(inputs.begin(), inputs.end(), step.input) == inputs.end()) {
      inputs.push_back(step.input);
    }
  }
  std::string words;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (i > 0) {
      words += " or ";
    }
    words += input_name(inputs[i]);
  }
  return words;
}

}  // namespace pgptls::tls::handshake_order
